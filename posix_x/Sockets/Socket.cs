using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// A socket as an open file: what the socket calls (Translation.SocketCalls) ask of every address family. A family
    /// derives its own (UnixSocket; the network's later); the defaults say the operation is not supported. read and
    /// write are recv and send without flags.
    /// </summary>
    public abstract unsafe class Socket : OpenFile
    {
        public const int Stream = 1, Datagram = 2, Raw = 3, SequencedPacket = 5;   // SOCK_*
        public const int TypeMask = 0xF;
        public const int SocketLevel = 1;   // SOL_SOCKET
        public const int ShutRead = 0, ShutWrite = 1, ShutBoth = 2;

        public readonly int Family;
        public readonly int Type;

        protected Socket(int family, int type, int flags)
            : base(NewNode(), OpenFlags.ReadWrite | (flags & OpenFlags.NonBlocking))
        {
            Family = family;
            Type = type;
            Node.Release();   // NewNode's reference: the description holds its own
        }

        /// <summary>A socket owned by 'user' and 'group' (made outside a Linux process's call: no process to ask).</summary>
        protected Socket(int family, int type, int flags, uint user, uint group)
            : base(NewNode(user, group), OpenFlags.ReadWrite | (flags & OpenFlags.NonBlocking))
        {
            Family = family;
            Type = type;
            Node.Release();
        }

        private static Vnode NewNode()
        {
            LinuxProcessCredentials(out uint user, out uint group);
            return NewNode(user, group);
        }

        private static Vnode NewNode(uint user, uint group)
        {
            SocketNode node = new SocketNode(SocketFileSystem.Instance, FileMode.Socket | 0x1FF);
            node.UserId = user;
            node.GroupId = group;
            return node;
        }

        /// <summary>Gives the socket to the calling Linux process's file system user and group (it was made without a call).</summary>
        protected void OwnedByCaller()
        {
            LinuxProcessCredentials(out uint user, out uint group);
            Node.UserId = user;
            Node.GroupId = group;
        }

        private static void LinuxProcessCredentials(out uint user, out uint group)
        {
            KernelInterface.LinuxProcess process = KernelInterface.LinuxProcess.Current;
            user = process.Credentials.FileSystemUserId;
            group = process.Credentials.FileSystemGroupId;
        }

        /// <summary>bind: 'address' (kernel memory, 'length' bytes as given).</summary>
        public virtual Error Bind(byte* address, int length) => Error.NotSupported;
        public virtual Error Listen(int backlog) => Error.NotSupported;
        /// <summary>accept: the next connection (a reference for the caller), non-blocking if 'flags' says so.</summary>
        public virtual Error Accept(int flags, out Socket accepted)
        {
            accepted = null;
            return Error.NotSupported;
        }
        public virtual Error Connect(byte* address, int length) => Error.NotSupported;
        public virtual Error Send(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            return Error.NotSupported;
        }
        public virtual Error Receive(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            return Error.NotSupported;
        }
        public virtual Error Shutdown(int how) => Error.NotSupported;
        /// <summary>getsockname ('peer' false) or getpeername: the address into 'address' (MaximumAddressLength bytes), its full length.</summary>
        public virtual Error GetName(bool peer, byte* address, out int length)
        {
            length = 0;
            return Error.NotSupported;
        }
        /// <summary>getsockopt: the value into 'value' (up to 'length' bytes; its length comes back there).</summary>
        public virtual Error GetOption(int level, int name, byte* value, ref int length) => Error.NoProtocolOption;
        public virtual Error SetOption(int level, int name, byte* value, int length) => Error.NoProtocolOption;

        /// <summary>ioctl: every socket answers the interface requests (ifconfig's, route's), as on Linux.</summary>
        public override Error Control(uint request, ulong argument, out ulong result) => InterfaceControl.Control(request, argument, out result);

        // ---- SO_RCVTIMEO and SO_SNDTIMEO, kept and enforced here for every family ----

        /// <summary>SO_RCVTIMEO and SO_SNDTIMEO in nanoseconds (0: none).</summary>
        protected long ReceiveTimeoutNanoseconds, SendTimeoutNanoseconds;

        /// <summary>A socket timeout's longest (a year: far enough to stand for "never" without overflowing the clock's arithmetic).</summary>
        private const long MaximumTimeoutSeconds = 365L * 24 * 3600;

        /// <summary>
        /// A blocking operation under a socket timeout: the deadline armed before it (the sleepers' lock ranks below
        /// the sockets' locks); false when there is none.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        protected static bool ArmTimeout(long timeout, bool nonBlocking)
        {
            if (timeout == 0 || nonBlocking)
                return false;   // (inlined: the usual case, no timeout, costs no call)
            Arm(timeout);
            return true;
        }

        private static void Arm(long timeout)
        {
            using (Exo.Kernel.Sync.InterruptMask.Enter())
                Exo.Kernel.Scheduler.Scheduler.ArmTimeout(Exo.Kernel.Time.SystemClock.TscAfterNanoseconds((ulong)timeout));
        }

        /// <summary>After the operation: the deadline disarmed; a signal is EINTR rather than a restart (Linux's sock_intr_errno).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        protected static Error DisarmTimeout(bool armed, Error error) => armed ? Disarm(error) : error;

        private static Error Disarm(Error error)
        {
            using (Exo.Kernel.Sync.InterruptMask.Enter())
                Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
            return error == Error.RestartSystemCall ? Error.Interrupted : error;
        }

        /// <summary>getsockopt of a timeout: struct timeval.</summary>
        protected Error GetTimeoutOption(bool receive, byte* value, ref int length)
        {
            long timeout = System.Threading.Volatile.Read(ref receive ? ref ReceiveTimeoutNanoseconds : ref SendTimeoutNanoseconds);
            long* timeval = stackalloc long[2];
            timeval[0] = timeout / 1_000_000_000;
            timeval[1] = timeout % 1_000_000_000 / 1000;
            length = length < 16 ? length : 16;
            Exo.Kernel.Memory.BlockMemory.Copy(value, (byte*)timeval, (ulong)length);
            return Error.None;
        }

        /// <summary>setsockopt of a timeout: struct timeval; {0, 0} waits for ever, a negative time not at all (Linux's sock_set_timeout).</summary>
        protected Error SetTimeoutOption(bool receive, byte* value, int length)
        {
            if (length < 16)
                return Error.Invalid;
            long seconds = *(long*)value, microseconds = *(long*)(value + 8);
            if (microseconds < 0 || microseconds >= 1_000_000)
                return Error.ArgumentOutOfDomain;
            long timeout = seconds < 0 ? 1 : seconds > MaximumTimeoutSeconds ? MaximumTimeoutSeconds * 1_000_000_000 : seconds * 1_000_000_000 + microseconds * 1000;
            System.Threading.Volatile.Write(ref receive ? ref ReceiveTimeoutNanoseconds : ref SendTimeoutNanoseconds, timeout);
            return Error.None;
        }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) => Transfer(buffer, count, send: false, out done);
        public override Error Write(IoBuffer buffer, ulong count, out ulong done) => Transfer(buffer, count, send: true, out done);

        // read and write: one user buffer, no flags.
        private Error Transfer(IoBuffer buffer, ulong count, bool send, out ulong done)
        {
            IoVector vector = new IoVector { Base = buffer.Address, Length = count };
            SocketTransfer transfer = new SocketTransfer { Vectors = &vector, VectorCount = 1, Length = count, KernelBuffers = !buffer.IsUser };
            Error error = send ? Send(ref transfer, out done) : Receive(ref transfer, out done);
            if (transfer.Rights != null)
                transfer.ReleaseRights();   // a read has nowhere to put passed descriptions: they close, as on Linux
            return error;
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }
    }
}
