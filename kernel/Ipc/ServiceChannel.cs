using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// One connection of a Linux program to a native service that listens for them (<see cref="ServiceChannels"/>):
    /// the shared memory both map and a doorbell each way. The client's end (POSIX-X's open file of /dev/exo/NAME)
    /// holds the reference the channel is made with; a connection waiting to be accepted holds another. The service
    /// holds only handles to <see cref="Memory"/> and <see cref="ClientDoorbell"/>, never to the channel, so a service
    /// cannot keep a client's channel alive past the client's close. Fields below are ServiceChannels' lock's.
    /// </summary>
    public sealed unsafe class ServiceChannel : KernelObject
    {
        /// <summary>The shared memory (Exo.Protocols.Channels.ServiceChannelLayout).</summary>
        public readonly MemoryObject Memory;
        /// <summary>The service signals it (a Signal-only handle), the client takes its bits (read on the descriptor).</summary>
        public readonly Notification ClientDoorbell;
        /// <summary>The listener's slot it came through (the device's minor number).</summary>
        public readonly int Listener;
        internal Process Server;
        internal Notification ServerDoorbell;
        internal ulong ServerBits;
        internal bool Accepted, RangBeforeAccept, ClientClosed, ServerEnded;
        /// <summary>Its place in ServiceChannels' table of live channels (-1 once the client closed).</summary>
        internal int Slot = -1;

        internal ServiceChannel(MemoryObject memory, Notification clientDoorbell, int listener, Process server)
        {
            Memory = memory;
            ClientDoorbell = clientDoorbell;
            Listener = listener;
            server.AddReference();
            Server = server;
        }

        /// <summary>The service has ended (or never accepted and went away): a read gives end of file, poll POLLHUP.</summary>
        public bool HasServerEnded => System.Threading.Volatile.Read(ref ServerEnded);

        protected override void Destroy()
        {
            Memory.Release();
            ClientDoorbell.Release();
            ServerDoorbell?.Release();
            Server?.Release();
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
