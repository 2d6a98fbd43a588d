using System.Threading;
using Exo.Abi;
using Exo.Protocols.NetworkDevice;
using Exo.Protocols.Rings;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// One side of a network-device channel (libs/Exo.Protocols/NetworkDevice/NetworkChannelLayout): the shared memory
    /// mapped, the facts page, the ring this side fills (the driver's receive ring, the client's transmit ring), the ring
    /// it reads, and the two notifications. The device manager makes the channel (<see cref="Create"/>), so neither the
    /// driver nor its client needs a capability to the other. Frames are filled and read in place in the rings' slots
    /// (FrameSlot): Outgoing.TryReserve, FrameSlot.SetLength, Outgoing.Commit, then <see cref="Publish"/>;
    /// Incoming.TryPeek, FrameSlot.Length, Incoming.Advance, then <see cref="Release"/>.
    /// </summary>
    public unsafe struct NetworkChannel
    {
        public byte* Shared;
        public SpscProducer Outgoing;
        public SpscConsumer Incoming;
        /// <summary>Own: waited on (the peer signals it). Peer: signalled (Signal right only).</summary>
        public NotificationDoorbell Own, Peer;

        public NetworkDeviceFacts* Facts => (NetworkDeviceFacts*)(Shared + NetworkChannelLayout.FactsOffset);

        /// <summary>Makes the memory (both rings initialised, the facts zero: no driver yet; mapped here at 'shared') and
        /// the driver's and client's notifications.</summary>
        public static Error Create(out MemoryObject memory, out byte* shared, out Notification driver, out Notification client)
        {
            driver = client = default;
            shared = null;
            Error error = MemoryObject.Create(NetworkChannelLayout.Size, out memory);
            if (error == Error.None)
                error = memory.Map(true, out shared);
            if (error == Error.None && !InitializeRings(shared))
                error = Error.Invalid;
            if (error == Error.None)
                error = Notification.Create(out driver);
            if (error == Error.None)
                error = Notification.Create(out client);
            return error;
        }

        /// <summary>
        /// Attaches to a channel that <see cref="Create"/> made; 'driver' picks the side. A driver started while the facts
        /// say DriverGone (its predecessor ended; the client still holds the old rings) waits on 'own' until the client has
        /// reset the channel (<see cref="Reset"/>), and only then attaches to the rings.
        /// </summary>
        public static Error Attach(MemoryObject memory, Notification own, Notification peer, bool driver, out NetworkChannel channel)
        {
            channel = default;
            Error error = memory.Map(true, out channel.Shared);
            if (error != Error.None)
                return error;
            channel.Own = new NotificationDoorbell(own, driver ? NetworkChannelLayout.DriverBit : NetworkChannelLayout.ClientBit);
            channel.Peer = new NotificationDoorbell(peer, driver ? NetworkChannelLayout.ClientBit : NetworkChannelLayout.DriverBit);
            while (driver && channel.DriverGone)
                if (!channel.Own.Wait())
                    return channel.Own.Error;
            return channel.AttachRings(driver) ? Error.None : Error.Invalid;
        }

        /// <summary>
        /// The client's side of a driver's restart: once it has seen DriverGone it stops using the rings and calls this,
        /// which makes both rings empty again and attaches to them, then clears the facts (DriverGone with them; the new
        /// driver writes the rest again) and rings the driver, which was waiting for it in <see cref="Attach"/>. Then the client waits for
        /// <see cref="DriverReady"/>.
        /// </summary>
        public bool Reset()
        {
            NetworkDeviceFacts* facts = Facts;
            Volatile.Write(ref facts->Magic, 0u);
            if (!InitializeRings(Shared) || !AttachRings(false))
                return false;
            Interlocked.MemoryBarrier();   // the rings are ready before the driver can see DriverGone cleared
            *facts = default;              // DriverGone cleared with the rest: the new driver writes the facts again
            return Peer.Ring();
        }

        private static bool InitializeRings(byte* shared)
            => SpscRing.Initialize(shared + NetworkChannelLayout.TransmitRingOffset, NetworkChannelLayout.RingBytes, NetworkChannelLayout.SlotCount, NetworkChannelLayout.SlotSize)
               && SpscRing.Initialize(shared + NetworkChannelLayout.ReceiveRingOffset, NetworkChannelLayout.RingBytes, NetworkChannelLayout.SlotCount, NetworkChannelLayout.SlotSize);

        private bool AttachRings(bool driver)
        {
            byte* transmit = Shared + NetworkChannelLayout.TransmitRingOffset;
            byte* receive = Shared + NetworkChannelLayout.ReceiveRingOffset;
            bool attached = driver
                ? Outgoing.Attach(receive) && Incoming.Attach(transmit)
                : Outgoing.Attach(transmit) && Incoming.Attach(receive);
            return attached && Outgoing.SlotSize == NetworkChannelLayout.SlotSize && Incoming.SlotSize == NetworkChannelLayout.SlotSize;
        }

        /// <summary>True once the driver has written the facts (the client may read them and send).</summary>
        public bool DriverReady => Volatile.Read(ref Facts->Magic) == NetworkDeviceFacts.ExpectedMagic;

        /// <summary>True when the device manager has said the driver ended.</summary>
        public bool DriverGone => Volatile.Read(ref Facts->DriverGone) != 0;

        /// <summary>Makes the frames committed to Outgoing visible and wakes the peer if it sleeps; false if the doorbell failed.</summary>
        public bool Publish() => Outgoing.Flush(ref Peer);

        /// <summary>Writes a MAC address (bytes 0-5 of 'mac', transmission order) to the console as 52:54:00:12:34:56.</summary>
        public static void WriteMacAddress(ulong mac)
        {
            for (int i = 0; i < 6; i++)
            {
                if (i > 0)
                    Console.Write(':');
                uint value = (uint)(mac >> (8 * i)) & 0xFF;
                Console.Write(HexDigit(value >> 4));
                Console.Write(HexDigit(value & 15));
            }
        }

        private static char HexDigit(uint value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

        /// <summary>Frees the Incoming slots read so far and wakes the peer if it waits for them; false if the doorbell failed.</summary>
        public bool Release() => !Incoming.Release() || Peer.Ring();
    }
}
