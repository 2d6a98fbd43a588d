using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Protocols.Sockets;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// Native programs' socket channels (SocketNativeOffer, SocketClaim; docs/network.md): the network service keeps one
    /// channel offered; the first program to claim it takes it out of the table and gets handles to its memory and its
    /// two notifications, and the service offers the next. The service has no other way to learn of its clients, so the
    /// kernel tells it: it writes the channel's client state (SocketChannelLayout.ClientStateOffset: Claimed, then Gone
    /// when the program ends) and signals ClientStateBit on the service's notification each time; the service then frees
    /// that client's sockets and the channel. One claimed channel per process (its record is the Process's
    /// ClaimedSocketChannel and ClaimedSocketService, under its LifecycleLock).
    /// </summary>
    public static unsafe class SocketClaims
    {
        /// <summary>Handles a claim gives: the memory object, the service's notification, the client's.</summary>
        public const int HandleCount = 3;

        /// <summary>
        /// Takes the native socket channel offered as 'name' for 'process' and writes its handles to 'handles'. NotFound
        /// when none is offered now, AlreadyExists when the process holds one.
        /// </summary>
        public static Error Claim(Process process, byte* name, int length, uint* handles)
        {
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                if (process.ClaimedSocketChannel != null)
                    return Error.AlreadyExists;
            }
            if (!ServiceOffers.TryTake(ServiceOffers.Kind.NativeSockets, name, length, out ServiceOffers.Offer offer))
                return Error.NotFound;
            offer.Memory.AddReference();
            offer.ServerNotification.AddReference();
            bool recorded = false;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                if (process.ClaimedSocketChannel == null)
                {
                    process.ClaimedSocketChannel = offer.Memory;
                    process.ClaimedSocketService = offer.ServerNotification;
                    recorded = true;
                }
            }
            if (!recorded)
            {
                // Another thread of the process claimed meanwhile: this channel is given up at once, as if its client ended.
                Tell(offer.Memory, offer.ServerNotification, SocketChannelLayout.ClientGone);
                offer.Release();
                return Error.AlreadyExists;
            }
            Tell(offer.Memory, offer.ServerNotification, SocketChannelLayout.ClientClaimed);
            offer.Server.Release();
            // Each insertion takes over the offer's reference. On a failure the record stays: the service learns of the
            // channel's end when the process ends.
            Error error = CapabilitySpace.InsertNew(process.Handles, offer.Memory, ObjectType.MemoryObject, Rights.Map | Rights.Write, out Capabilities.Handle memory);
            Error second = CapabilitySpace.InsertNew(process.Handles, offer.ServerNotification, ObjectType.Notification, Rights.Signal, out Capabilities.Handle service);
            Error third = CapabilitySpace.InsertNew(process.Handles, offer.ClientNotification, ObjectType.Notification, Rights.Wait, out Capabilities.Handle client);
            handles[0] = memory.Value;
            handles[1] = service.Value;
            handles[2] = client.Value;
            return error != Error.None ? error : second != Error.None ? second : third;
        }

        /// <summary>The process has ended (its handles are closed): its channel's service is told (ProcessLifecycle).</summary>
        public static void ProcessEnded(Process process)
        {
            MemoryObject memory;
            Notification service;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                memory = process.ClaimedSocketChannel;
                service = process.ClaimedSocketService;
                process.ClaimedSocketChannel = null;
                process.ClaimedSocketService = null;
            }
            if (memory == null)
                return;
            Tell(memory, service, SocketChannelLayout.ClientGone);
            memory.Release();
            service.Release();
        }

        private static void Tell(MemoryObject memory, Notification service, uint state)
        {
            uint* word = (uint*)((byte*)PhysicalMemory.ToVirtual(memory.FrameAt(0)) + SocketChannelLayout.ClientStateOffset);
            System.Threading.Volatile.Write(ref *word, state);
            service.Signal(SocketChannelLayout.ClientStateBit);
        }
    }
}
