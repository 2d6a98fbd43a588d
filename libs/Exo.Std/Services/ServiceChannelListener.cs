using Exo.Abi;
using Exo.Protocols.Channels;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;

namespace Exo.Std.Services
{
    /// <summary>
    /// A native service's side of service channels (Exo.Protocols.Channels.ServiceChannelLayout, docs/service-channels.md):
    /// it listens under a name, so that Linux programs (.NET desktop applications among them) connect by opening
    /// /dev/exo/NAME, and accepts each connection as a <see cref="ServiceChannelConnection"/>. A struct of the name only:
    /// the kernel keeps the listener.
    /// </summary>
    public readonly unsafe struct ServiceChannelListener
    {
        private readonly ServiceName _name;
        private readonly ulong _channelSize;

        private ServiceChannelListener(ServiceName name, ulong channelSize) { _name = name; _channelSize = channelSize; }

        /// <summary>
        /// Listens under 'name' for channels of 'channelSize' bytes (whole pages); the kernel signals 'bits' on 'doorbell'
        /// (the service's own notification) while connections wait. AlreadyExists while another service listens under it.
        /// </summary>
        public static Error Listen(string name, Notification doorbell, ulong bits, ulong channelSize, out ServiceChannelListener listener)
        {
            listener = default;
            if (!ServiceName.TryCreate(name, out ServiceName packed))
                return Error.Invalid;
            listener = new ServiceChannelListener(packed, channelSize);
            // ServiceName's three words hold the bytes in order (little-endian): they are the name's bytes in memory.
            return SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ChannelListen, (ulong)&packed, (ulong)packed.Length,
                doorbell.Handle.Value, bits, channelSize));
        }

        /// <summary>
        /// The oldest waiting connection, mapped into this process; from now on the client's rings signal 'bits' on
        /// 'doorbell'. WouldBlock when none waits.
        /// </summary>
        public Error Accept(Notification doorbell, ulong bits, out ServiceChannelConnection connection)
        {
            connection = default;
            uint* handles = stackalloc uint[2];
            ServiceName copy = _name;
            Error error = SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ChannelAccept, (ulong)&copy, (ulong)copy.Length,
                doorbell.Handle.Value, bits, (ulong)handles));
            if (error != Error.None)
                return error;
            var memory = new MemoryObject(new Handle(handles[0]));
            var client = new Notification(new Handle(handles[1]));
            error = memory.Map(true, out byte* shared);
            if (error != Error.None)
            {
                memory.Close();
                client.Close();
                return error;
            }
            connection = new ServiceChannelConnection(memory, client, shared, _channelSize);
            return Error.None;
        }
    }

    /// <summary>One accepted connection: the shared memory as this service maps it and the client's doorbell.</summary>
    public readonly unsafe struct ServiceChannelConnection
    {
        public readonly MemoryObject Memory;
        public readonly Notification Client;
        /// <summary>The channel's first byte in this process (the kernel's header, then the service's protocol).</summary>
        public readonly byte* Shared;
        /// <summary>The channel's size in bytes (the listener's).</summary>
        public readonly ulong Size;

        public ServiceChannelConnection(MemoryObject memory, Notification client, byte* shared, ulong size)
        {
            Memory = memory;
            Client = client;
            Shared = shared;
            Size = size;
        }

        public bool IsValid => Shared != null;

        /// <summary>The client's last descriptor has closed (the kernel's word in the header).</summary>
        public bool IsClientClosed
            => System.Threading.Volatile.Read(ref *(uint*)(Shared + ServiceChannelLayout.ClientStateOffset)) == ServiceChannelLayout.ClientClosed;

        /// <summary>Where the service's protocol starts (past the kernel's header).</summary>
        public byte* Payload => Shared + ServiceChannelLayout.HeaderSize;

        /// <summary>Rings the client: its read returns these bits (1 to 2^63 - 1).</summary>
        public Error Wake(ulong bits) => Client.Signal(bits);

        /// <summary>Lets the connection go: the mapping and both handles (the client's mapping, if any, stays the client's).</summary>
        public void Close()
        {
            VirtualMemory.Unmap(Shared, Size);   // the whole mapping: the process lets go of the object
            Memory.Close();
            Client.Close();
        }
    }
}
