using System.Runtime.InteropServices;
using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Std.Services;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The channel thread: streams over service channels (AudioChannelLayout), which is how POSIX-X's /dev/dsp reaches
    /// the service. It listens under "audio", accepts each connection on its doorbell's bit 0 and gives it a bit of its
    /// own; on the client's first ring it reads the request once, checks it as Open does and publishes a slot whose
    /// memory is the channel's (borrowed: this thread keeps the connection). When the client closes the channel, a stream
    /// still playing is abandoned (the mixing thread ends it and drops its samples), and once its slot is no longer this
    /// stream's the connection is let go. Every connection is untrusted: the request's words are read once.
    /// </summary>
    internal static unsafe class ChannelServer
    {
        private const ulong AcceptBit = 1;
        /// <summary>Connections at once: one per stream the service can play.</summary>
        private const int MaximumConnections = StreamTable.Capacity;
        /// <summary>How long to wait, between looks, for the mixing thread to let an abandoned stream's slot go.</summary>
        private const ulong AbandonPollNanoseconds = 2_000_000;

        private struct Connection
        {
            public ServiceChannelConnection Channel;
            public StreamSlot* Slot;   // null: not asked for a stream yet (or refused)
            public ulong Generation;
        }

        private static Connection* s_connections;

        [UnmanagedCallersOnly]
        public static void Serve(ulong argument)
        {
            Notification.Create(out Notification doorbell);
            s_connections = (Connection*)UserHeap.Allocate((nuint)(sizeof(Connection) * MaximumConnections));
            ServiceChannelListener listener = default;
            Error error = s_connections == null ? Error.OutOfMemory
                : ServiceChannelListener.Listen(AudioChannelLayout.Name, doorbell, AcceptBit, AudioChannelLayout.ChannelBytes, out listener);
            if (error != Error.None)
            {
                Console.Write("audio: cannot listen for service channels: ");
                Console.WriteLine(Errors.Describe(error));
                ServiceThread.Exit(1);
                return;
            }
            for (int i = 0; i < MaximumConnections; i++)
                s_connections[i] = default;
            while (doorbell.Wait(out ulong bits) == Error.None)
            {
                if ((bits & AcceptBit) != 0)
                    AcceptWaiting(listener, doorbell);
                for (int i = 0; i < MaximumConnections; i++)
                    if ((bits & BitOf(i)) != 0 && s_connections[i].Channel.IsValid)
                        Serve(s_connections + i);
            }
            ServiceThread.Exit(1);
        }

        private static ulong BitOf(int connection) => 2UL << connection;

        private static void AcceptWaiting(ServiceChannelListener listener, Notification doorbell)
        {
            for (int i = 0; i < MaximumConnections; i++)
            {
                if (s_connections[i].Channel.IsValid)
                    continue;
                if (listener.Accept(doorbell, BitOf(i), out s_connections[i].Channel) != Error.None)
                    return;   // none waits: the next AcceptBit tries again
                s_connections[i].Slot = null;
            }
        }

        private static void Serve(Connection* connection)
        {
            if (connection->Channel.IsClientClosed)
            {
                LetGo(connection);
                return;
            }
            var header = (AudioStreamHeader*)(connection->Channel.Shared + AudioChannelLayout.HeaderOffset);
            if (connection->Slot != null || Volatile.Read(ref header->Magic) != AudioChannelLayout.RequestMagic)
                return;   // a ring with nothing new to answer
            uint rate = Volatile.Read(ref header->SampleRate), channels = Volatile.Read(ref header->Channels), format = Volatile.Read(ref header->Format);
            uint direction = Volatile.Read(ref header->Direction);
            header->Magic = 0;
            StreamSlot* slot = null;
            if (channels <= 2 && format <= 2 && StreamServer.IsValid(rate, channels, format, direction))
                slot = StreamTable.Claim();
            if (slot == null)
            {
                Volatile.Write(ref header->State, AudioStreamState.Failed);
                connection->Channel.Wake(AudioServiceOperation.ConsumedBit);
                return;
            }
            // The stream's words as the service wants them, whatever the client left there.
            header->SampleRate = rate;
            header->Channels = channels;
            header->Format = format;
            header->Direction = direction;
            header->RingBytes = AudioStreamLayout.RingBytes;
            header->Volume = AudioStreamLayout.UnityVolume;
            header->Finished = 0;
            header->WriteIndex = 0;
            header->ReadIndex = 0;
            header->Starved = 0;
            connection->Slot = slot;
            connection->Generation = slot->Generation;
            StreamTable.Publish(slot, header, connection->Channel.Memory, connection->Channel.Client, ownsMemory: false);
            connection->Channel.Wake(AudioServiceOperation.ConsumedBit);
        }

        // The client closed: a stream still playing is abandoned, and the connection goes once the mixer let it go.
        private static void LetGo(Connection* connection)
        {
            StreamSlot* slot = connection->Slot;
            if (slot != null)
            {
                Volatile.Write(ref slot->AbandonGeneration, connection->Generation);
                Notification.Create(out Notification pause);
                while (Volatile.Read(ref slot->State) == StreamSlot.Playing && Volatile.Read(ref slot->Generation) == connection->Generation)
                    pause.WaitUntil(MonotonicClock.Nanoseconds + AbandonPollNanoseconds, out _);
                pause.Close();
            }
            connection->Channel.Close();
            *connection = default;
        }
    }
}
