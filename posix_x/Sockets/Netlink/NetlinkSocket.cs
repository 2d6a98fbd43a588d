using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets.Netlink
{
    /// <summary>
    /// An AF_NETLINK socket of protocol NETLINK_ROUTE (SOCK_RAW or SOCK_DGRAM), what ip reads interfaces, addresses and
    /// routes through. A request sent is answered at once (<see cref="RouteNetlink"/>): the answer, a datagram of
    /// netlink messages, waits in the socket's queue (at most <see cref="QueueCapacity"/> bytes; a request whose answer
    /// does not fit fails with ENOBUFS) until received. No multicast group ever sends anything: nothing here changes
    /// an address or a route.
    /// </summary>
    public sealed unsafe class NetlinkSocket : Socket
    {
        public const int Family = 16, RouteProtocol = 0;   // AF_NETLINK, NETLINK_ROUTE
        public const int AddressLength = 12;                // struct sockaddr_nl
        public const int QueueCapacity = 16384;
        /// <summary>The longest request read (Linux takes up to the send buffer; ip's requests are a few dozen bytes).</summary>
        public const int MaximumRequest = 4096;
        private const int RecordHeader = 4;

        private readonly WaitQueue _arrived = new WaitQueue();
        private readonly byte* _queue;
        private int _head, _used, _datagrams;
        private int _changes;
        private uint _portId;

        private NetlinkSocket(int type, int flags)
            : base(Family, type, flags)
        {
            _queue = (byte*)KernelHeap.Allocate(QueueCapacity);
        }

        private bool HasQueue => _queue != null;

        /// <summary>socket(AF_NETLINK, type, protocol): NETLINK_ROUTE only (EPROTONOSUPPORT otherwise), raw or datagram.</summary>
        public static Error Create(int type, int protocol, int flags, out Socket socket)
        {
            socket = null;
            if (type != Raw && type != Datagram)
                return Error.SocketTypeNotSupported;
            if (protocol != RouteProtocol)
                return Error.ProtocolNotSupported;
            NetlinkSocket made = new NetlinkSocket(type, flags);
            if (!made.HasQueue)
            {
                made.Release();
                return Error.NoBufferSpace;
            }
            socket = made;
            return Error.None;
        }

        /// <summary>The port id a message to this socket carries: the process id, as Linux's first socket of a process gets.</summary>
        private uint PortId
        {
            get
            {
                if (System.Threading.Volatile.Read(ref _portId) == 0)
                    System.Threading.Interlocked.CompareExchange(ref _portId, (uint)KernelInterface.LinuxProcess.Current.ProcessId, 0);
                return _portId;
            }
        }

        private static Error ParseAddress(byte* address, int length, out uint portId)
        {
            portId = 0;
            if (length < AddressLength || *(ushort*)address != Family)
                return Error.Invalid;
            portId = *(uint*)(address + 4);
            return Error.None;
        }

        public override Error Bind(byte* address, int length)
        {
            Error error = ParseAddress(address, length, out uint portId);
            if (error != Error.None)
                return error;
            // Groups are accepted and never send anything; a port id asked for is taken as given.
            if (portId != 0)
                System.Threading.Interlocked.CompareExchange(ref _portId, portId, 0);
            _ = PortId;
            return Error.None;
        }

        /// <summary>Only the kernel (port 0) answers here: another port is ECONNREFUSED, as Linux says when nobody has it.</summary>
        public override Error Connect(byte* address, int length)
        {
            Error error = ParseAddress(address, length, out uint portId);
            if (error != Error.None)
                return error;
            return portId == 0 ? Error.None : Error.ConnectionRefused;
        }

        public override Error GetName(bool peer, byte* address, out int length)
        {
            WriteAddress(address, peer ? 0 : System.Threading.Volatile.Read(ref _portId));
            length = AddressLength;
            return Error.None;
        }

        private static void WriteAddress(byte* address, uint portId)
        {
            *(ushort*)address = Family;
            *(ushort*)(address + 2) = 0;
            *(uint*)(address + 4) = portId;
            *(uint*)(address + 8) = 0;   // groups
        }

        public override Error Send(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            if (transfer.Address != null)
            {
                Error error = ParseAddress(transfer.Address, transfer.AddressLength, out uint destination);
                if (error != Error.None)
                    return error;
                if (destination != 0)
                    return Error.ConnectionRefused;   // no other socket listens here
            }
            if (transfer.Length > MaximumRequest)
                return Error.MessageTooLong;
            int length = (int)transfer.Length;
            byte* request = (byte*)KernelHeap.Allocate(MaximumRequest + RouteNetlink.MaximumAnswer);
            if (request == null)
                return Error.NoBufferSpace;
            byte* answer = request + MaximumRequest;
            Error result = Error.None;
            if (!transfer.Gather(0, request, (ulong)length))
            {
                result = Error.BadAddress;
            }
            else
            {
                int answered = RouteNetlink.Answer(request, length, PortId, answer);
                if (answered > 0 && !Enqueue(answer, answered))
                    result = Error.NoBufferSpace;
            }
            KernelHeap.Free(request);
            if (result == Error.None)
                done = (ulong)length;
            return result;
        }

        // A datagram into the queue; false when it does not fit.
        private bool Enqueue(byte* datagram, int length)
        {
            int record = RecordHeader + length;
            using (InterruptMask.Enter())
            {
                using (_arrived.Lock.Hold())
                {
                    if (record > QueueCapacity - _used)
                        return false;
                    if (_head + _used + record > QueueCapacity)
                    {
                        // Move what is queued to the front (forward: the destination is below the source).
                        for (int i = 0; i < _used; i++)
                            _queue[i] = _queue[_head + i];
                        _head = 0;
                    }
                    byte* at = _queue + _head + _used;
                    *(int*)at = length;
                    BlockMemory.Copy(at + RecordHeader, datagram, (ulong)length);
                    _used += record;
                    _datagrams++;
                }
                if (!_arrived.IsEmpty)
                    _arrived.WakeAll();
            }
            Readiness.Changed(ref _changes);
            return true;
        }

        public override Error Receive(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            transfer.AddressLength = 0;
            if ((transfer.Flags & MessageFlags.OutOfBand) != 0)
                return Error.NotSupported;
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            bool peek = (transfer.Flags & MessageFlags.Peek) != 0;
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref ReceiveTimeoutNanoseconds), nonBlocking);
            byte* copy = null;
            int length = 0;
            Error error = Error.None;
            Thread current = Scheduler.Current;
            using (InterruptMask.Enter())
            {
                _arrived.Lock.Enter();
                while (_datagrams == 0)
                {
                    if (nonBlocking)
                    {
                        error = Error.WouldBlock;
                        break;
                    }
                    Scheduler.BlockOnLockedInterruptibly(_arrived);   // releases the lock
                    _arrived.Lock.Enter();
                    if (current.WaitInterrupted)
                    {
                        error = Error.RestartSystemCall;
                        break;
                    }
                    if (System.Threading.Volatile.Read(ref current.TimedOut) != 0)
                    {
                        error = Error.WouldBlock;
                        break;
                    }
                }
                if (error == Error.None)
                {
                    length = *(int*)(_queue + _head);
                    copy = (byte*)KernelHeap.AllocateUninitialized((ulong)(length > 0 ? length : 1));
                    if (copy == null)
                        error = Error.NoBufferSpace;
                }
                if (error == Error.None)
                {
                    BlockMemory.Copy(copy, _queue + _head + RecordHeader, (ulong)length);
                    if (!peek)
                    {
                        _head += RecordHeader + length;
                        _used -= RecordHeader + length;
                        _datagrams--;
                        if (_datagrams == 0)
                            _head = 0;
                    }
                }
                _arrived.Lock.Exit();
            }
            error = DisarmTimeout(armed, error);
            if (error != Error.None)
                return error;
            ulong copied = transfer.Length < (ulong)length ? transfer.Length : (ulong)length;
            if (!transfer.Scatter(0, copy, copied))
                error = Error.BadAddress;
            KernelHeap.Free(copy);
            if (error != Error.None)
                return error;
            if (copied < (ulong)length)
                transfer.ResultFlags |= MessageFlags.Truncated;
            done = (transfer.Flags & MessageFlags.Truncated) != 0 ? (ulong)length : copied;
            if (transfer.Address != null)
            {
                WriteAddress(transfer.Address, 0);   // from the kernel
                transfer.AddressLength = AddressLength;
            }
            return Error.None;
        }

        public override Error Shutdown(int how) => how < ShutRead || how > ShutBoth ? Error.Invalid : Error.None;

        // SO_* (asm-generic/socket.h) and SOL_NETLINK.
        private const int TypeOption = 3, SendBuffer = 7, ReceiveBuffer = 8, ReceiveTimeout = 20, SendTimeout = 21, Protocol = 38, Domain = 39;
        private const int NetlinkLevel = 270;

        public override Error GetOption(int level, int name, byte* value, ref int length)
        {
            if (level == SocketLevel && (name == ReceiveTimeout || name == SendTimeout))
                return GetTimeoutOption(name == ReceiveTimeout, value, ref length);
            if (level != SocketLevel)
                return Error.NoProtocolOption;
            int number;
            switch (name)
            {
                case TypeOption: number = Type; break;
                case Domain: number = Family; break;
                case Protocol: number = RouteProtocol; break;
                case SendBuffer: case ReceiveBuffer: number = QueueCapacity; break;
                default: return Error.NoProtocolOption;
            }
            length = length < sizeof(int) ? length : sizeof(int);
            BlockMemory.Copy(value, (byte*)&number, (ulong)length);
            return Error.None;
        }

        /// <summary>Buffer sizes and SOL_NETLINK's options (groups, extended acks, strict checking) are taken and change nothing.</summary>
        public override Error SetOption(int level, int name, byte* value, int length)
        {
            if (level == SocketLevel && (name == ReceiveTimeout || name == SendTimeout))
                return SetTimeoutOption(name == ReceiveTimeout, value, length);
            if (level != SocketLevel && level != NetlinkLevel)
                return Error.NoProtocolOption;
            return length < sizeof(int) ? Error.Invalid : Error.None;
        }

        public override PollEvents Poll() => System.Threading.Volatile.Read(ref _datagrams) != 0 ? PollEvents.In | PollEvents.Out : PollEvents.Out;

        public override int ChangeCount(PollEvents interest) => System.Threading.Volatile.Read(ref _changes);

        protected override void Destroy()
        {
            if (_queue != null)
                KernelHeap.Free(_queue);
            Exo.Runtime.ObjectAllocator.Free(_arrived);
            base.Destroy();
        }
    }
}
