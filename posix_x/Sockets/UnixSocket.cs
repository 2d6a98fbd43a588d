using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// An AF_UNIX socket: stream, datagram (SOCK_RAW is one, as on Linux) or sequenced packet. Bound to a path (a socket
    /// file), an abstract name or nothing; a stream or packet socket listens (connections wait, already connected, for
    /// accept) or is connected to a peer, a datagram socket may have a default peer. Each socket has a receive queue of
    /// messages (UnixMessage) that its peers fill. One lock for every AF_UNIX socket, a wait queue's, on which blocked
    /// senders, receivers, connecters and accepters sleep (woken all at each change, like Readiness); user memory, the
    /// file system and descriptions' releases are touched with it free. A socket's peer is a plain pointer: a socket's
    /// destruction (its description's last close) clears every pointer to it under the lock.
    /// </summary>
    public sealed unsafe class UnixSocket : Socket
    {
        /// <summary>Bytes a receive queue holds at most (Linux's default socket buffer, net.core.wmem_default).</summary>
        public const int ReceiveCapacity = 212992;
        /// <summary>The largest datagram or packet (EMSGSIZE past it: Linux's sk_sndbuf - 32).</summary>
        public const int MaximumDatagram = ReceiveCapacity - 32;
        /// <summary>Datagrams queued for a socket from senders other than its own peer (Linux's net.unix.max_dgram_qlen).</summary>
        public const int MaximumDatagramQueue = 10;
        /// <summary>listen's largest backlog (net.core.somaxconn).</summary>
        public const int MaximumBacklog = 4096;
        /// <summary>The largest piece of a stream one message carries, and a receive's staging buffer.</summary>
        private const int ChunkSize = 65536;
        private const int MinimumSendBuffer = 4608, MinimumReceiveBuffer = 2304;   // SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF
        private const uint OverflowId = 65534;   // SO_PEERCRED's uid and gid with no peer

        private const int Unconnected = 0, Listening = 1, Connected = 2;

        private static readonly WaitQueue s_changed = new WaitQueue();   // its lock guards every AF_UNIX socket
        private static UnixSocket s_all;         // every socket (NextInAll)
        private static uint s_nextAutobind;

        private UnixSocket _nextInAll;
        private int _state;
        private UnixSocket _peer;
        private bool _peerGone;                  // the peer was destroyed (EPIPE, or ECONNREFUSED once for a datagram)
        private bool _receiveShut, _sendShut;
        private Error _error;                    // SO_ERROR: ECONNRESET when a peer closed with bytes unread
        private byte* _address;                  // bound name (kept length), or null
        private int _addressLength;
        private Vnode _boundNode;                // a path's socket file
        private UnixMessage _head, _tail;
        private int _queuedBytes, _queuedCount;
        private UnixSocket _pendingHead, _pendingTail, _nextPending;
        private int _pendingCount, _backlog;
        private PeerCredentials _peerCredentials, _listenCredentials;
        private bool _hasPeerCredentials, _passCredentials;
        private int _sendBuffer = ReceiveCapacity, _receiveBuffer = ReceiveCapacity;
        // What epoll's edge-triggered mode counts: changes for a reader (a message, a connection, a shutdown, the peer
        // gone) and for a writer (the peer took messages, the peer gone).
        private int _dataChanges, _roomChanges;

        /// <summary>SO_PEERCRED and SCM_CREDENTIALS: struct ucred.</summary>
        public struct PeerCredentials { public int ProcessId; public uint UserId, GroupId; }

        private static PeerCredentials CurrentCredentials()
        {
            LinuxProcess process = LinuxProcess.Current;
            return new PeerCredentials { ProcessId = process.ProcessId, UserId = process.Credentials.UserId, GroupId = process.Credentials.GroupId };
        }

        public UnixSocket(int type, int flags) : base(UnixAddress.Family, type == Raw ? Datagram : type, flags)
        {
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                _nextInAll = s_all;
                s_all = this;
            }
        }

        /// <summary>Whether AF_UNIX has sockets of 'type' (SOCK_RAW is a datagram socket).</summary>
        public static bool Supports(int type) => type == Stream || type == Datagram || type == Raw || type == SequencedPacket;

        /// <summary>socketpair: two sockets of 'type' connected to each other (references for the caller).</summary>
        public static void MakePair(int type, int flags, out UnixSocket first, out UnixSocket second)
        {
            first = new UnixSocket(type, flags);
            second = new UnixSocket(type, flags);
            PeerCredentials credentials = CurrentCredentials();
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                first.ConnectLocked(second, credentials);
                second.ConnectLocked(first, credentials);
            }
        }

        // Lock held: connected to 'peer', whose process is 'credentials' (SO_PEERCRED).
        private void ConnectLocked(UnixSocket peer, PeerCredentials credentials)
        {
            _state = Connected;
            _peer = peer;
            _peerGone = false;
            _peerCredentials = credentials;
            _hasPeerCredentials = true;
        }

        // A change: 'forReader' has news for its readers, 'forWriter' room for its writers, 'forBoth' both (a shutdown,
        // a peer gone). 'onlyNamed': the change concerns only the sockets named (a stream's or a packet's bytes sent or
        // read: the receiver's queue, the sender's room), so only their sleepers and pollers look again (their keys);
        // otherwise every sleeper and poller does (a connection, a shutdown, a datagram's room, which a socket that is
        // not the receiver's peer may be waiting for).
        private static void Announce(UnixSocket forReader, UnixSocket forWriter, UnixSocket forBoth = null, bool onlyNamed = false)
        {
            ulong keys = 0;
            if (forReader != null)
            {
                System.Threading.Interlocked.Increment(ref forReader._dataChanges);
                keys |= forReader.Key;
            }
            if (forWriter != null)
            {
                System.Threading.Interlocked.Increment(ref forWriter._roomChanges);
                keys |= forWriter.Key;
            }
            if (forBoth != null)
            {
                System.Threading.Interlocked.Increment(ref forBoth._dataChanges);
                System.Threading.Interlocked.Increment(ref forBoth._roomChanges);
            }
            if (!onlyNamed || keys == 0)
                keys = Readiness.AllKeys;
            if (!s_changed.IsEmpty)
                s_changed.WakeInterested(keys);
            Readiness.ChangedKeys(keys);
        }

        // Small stream messages read to their end, kept for the next small sends (under the sockets' lock): making and
        // freeing an object and a buffer cost some 500 instructions. At most MaximumSpareMessages (16 KiB of buffers) stay.
        private static UnixMessage s_spareMessages;
        private static int s_spareMessageCount;
        private const int MaximumSpareMessages = 32;

        // Lock held: a spare small message for 'length' bytes, or null.
        private static UnixMessage TakeSpareMessageLocked(int length)
        {
            UnixMessage spare = s_spareMessages;
            if (spare == null)
                return null;
            s_spareMessages = spare.Next;
            s_spareMessageCount--;
            spare.Reuse(length);
            return spare;
        }

        // Lock held: keeps a message read to its end as a spare if it is small and holds nothing else; false: the caller frees it.
        private static bool KeepSpareMessageLocked(UnixMessage message)
        {
            if (!message.IsSmall || message.Rights != null || message.Source != null || s_spareMessageCount >= MaximumSpareMessages)
                return false;
            message.Next = s_spareMessages;
            s_spareMessages = message;
            s_spareMessageCount++;
            return true;
        }

        // The key (Readiness.KeyOf) this socket's sleepers and pollers wait with, and its changes are announced with.
        private ulong Key => Readiness.KeyOf(ref _dataChanges);

        public override ulong ReadinessKeys => Key;

        // Lock held: sleeps until some AF_UNIX socket changes (the lock is held again on return): one whose key is in
        // 'interest' (Announce), or any. WouldBlock instead for a non-blocking caller, and once a socket timeout armed by
        // ArmTimeout passed; the restart code when a signal comes.
        private static Error SleepLocked(bool nonBlocking, ulong interest = Readiness.AllKeys)
        {
            if (nonBlocking)
                return Error.WouldBlock;
            Thread current = Scheduler.Current;
            current.WaitInterest = interest;
            Scheduler.BlockOnLockedInterruptibly(s_changed);
            s_changed.Lock.Enter();
            if (current.WaitInterrupted)
                return Error.RestartSystemCall;
            return System.Threading.Volatile.Read(ref current.TimedOut) != 0 ? Error.WouldBlock : Error.None;
        }

        // Lock held: the bound socket named by a kept address ('node' for a path), or null.
        private static UnixSocket FindBound(UnixAddress.Kind kind, byte* address, int length, Vnode node)
        {
            for (UnixSocket socket = s_all; socket != null; socket = socket._nextInAll)
            {
                if (socket._address == null)
                    continue;
                if (kind == UnixAddress.Kind.Path ? socket._boundNode == node
                    : socket._boundNode == null && UnixAddress.Same(socket._address, socket._addressLength, address, length))
                    return socket;
            }
            return null;
        }

        // Lock held: a copy of 'length' bytes of 'address' (kernel heap); null when memory runs out.
        private static byte* Copy(byte* address, int length)
        {
            byte* copy = (byte*)KernelHeap.AllocateUninitialized((ulong)length);
            if (copy != null)
                Exo.Kernel.Memory.BlockMemory.Copy(copy, address, (ulong)length);
            return copy;
        }

        // A destination or connect address: parsed, and a path's socket file found (a reference in 'node').
        private static Error Resolve(byte* address, int length, out UnixAddress.Kind kind, out int kept, out Vnode node)
        {
            node = null;
            Error error = UnixAddress.Parse(address, length, out kind, out kept);
            if (error == Error.None && kind == UnixAddress.Kind.Unnamed)
                error = Error.Invalid;
            if (error == Error.None && kind == UnixAddress.Kind.Path)
                error = UnixAddress.FindFile(address, kept, out node);
            return error;
        }

        public override Error Bind(byte* address, int length)
        {
            Error error = UnixAddress.Parse(address, length, out UnixAddress.Kind kind, out int kept);
            if (error != Error.None)
                return error;
            bool bound;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
                bound = _address != null;
            if (bound && kind != UnixAddress.Kind.Path)
                return Error.Invalid;
            Vnode node = null;
            if (kind == UnixAddress.Kind.Path)
            {
                error = UnixAddress.MakeFile(address, kept, bound, out node);
                if (error != Error.None)
                    return error;
            }
            byte* autobind = stackalloc byte[8];
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (_address != null)
                    error = Error.Invalid;
                else if (kind == UnixAddress.Kind.Unnamed)
                {
                    // Linux's autobind: "\0" and five hex digits, the first free.
                    address = autobind;
                    kept = UnixAddress.PathOffset + 6;
                    *(ushort*)autobind = UnixAddress.Family;
                    autobind[2] = 0;
                    kind = UnixAddress.Kind.Abstract;
                    do
                    {
                        uint number = s_nextAutobind++ & 0xFFFFF;
                        for (int i = 0; i < 5; i++)
                            autobind[7 - i] = (byte)"0123456789abcdef"[(int)((number >> (4 * i)) & 0xF)];
                    } while (FindBound(kind, autobind, kept, null) != null);
                }
                else if (kind == UnixAddress.Kind.Abstract && FindBound(kind, address, kept, null) != null)
                    error = Error.AddressInUse;
                if (error == Error.None)
                {
                    _address = Copy(address, kept);
                    if (_address == null)
                        error = Error.OutOfMemory;
                    _addressLength = kept;
                    _boundNode = node;
                    node = null;
                }
            }
            node?.Release();
            return error;
        }

        public override Error Listen(int backlog)
        {
            if (Type == Datagram)
                return Error.NotSupported;
            PeerCredentials credentials = CurrentCredentials();
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (_address == null || _state == Connected)
                    return Error.Invalid;
                _state = Listening;
                _backlog = backlog < 0 ? 0 : backlog > MaximumBacklog ? MaximumBacklog : backlog;
                _listenCredentials = credentials;
            }
            Announce(this, null);
            return Error.None;
        }

        public override Error Connect(byte* address, int length)
        {
            if (Type == Datagram && length >= 2 && *(ushort*)address == 0)
            {
                // AF_UNSPEC: a datagram socket forgets its peer.
                using (InterruptMask.Enter())
                using (s_changed.Lock.Hold())
                {
                    _peer = null;
                    _peerGone = false;
                    _state = Unconnected;
                }
                return Error.None;
            }
            Error error = Resolve(address, length, out UnixAddress.Kind kind, out int kept, out Vnode node);
            if (error != Error.None)
                return error;
            if (Type == Datagram)
            {
                error = ConnectDatagram(kind, address, kept, node);
            }
            else
            {
                bool armed = ArmTimeout(System.Threading.Volatile.Read(ref SendTimeoutNanoseconds), NonBlocking);
                error = DisarmTimeout(armed, ConnectStream(kind, address, kept, node));
            }
            node?.Release();
            return error;
        }

        private Error ConnectDatagram(UnixAddress.Kind kind, byte* address, int kept, Vnode node)
        {
            PeerCredentials credentials = CurrentCredentials();
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                UnixSocket target = FindBound(kind, address, kept, node);
                if (target == null)
                    return Error.ConnectionRefused;
                if (target.Type != Type)
                    return Error.WrongProtocolType;
                ConnectLocked(target, credentials);
            }
            Announce(null, this);
            return Error.None;
        }

        // A stream or packet connection: the server's end is made here and waits in the listener's queue, connected.
        private Error ConnectStream(UnixAddress.Kind kind, byte* address, int kept, Vnode node)
        {
            UnixSocket server = new UnixSocket(Type, 0);
            PeerCredentials credentials = CurrentCredentials();
            UnixSocket listener = null;
            Error error = Error.None;
            using (InterruptMask.Enter())
            {
                s_changed.Lock.Enter();
                while (true)
                {
                    listener = FindBound(kind, address, kept, node);
                    error = _state == Connected ? Error.AlreadyConnected : _state == Listening ? Error.Invalid
                        : listener == null ? Error.ConnectionRefused : listener.Type != Type ? Error.WrongProtocolType
                        : listener._state != Listening ? Error.ConnectionRefused : Error.None;
                    if (error != Error.None || listener._pendingCount <= listener._backlog || (error = SleepLocked(NonBlocking)) != Error.None)
                        break;
                }
                if (error == Error.None)
                {
                    server._address = Copy(listener._address, listener._addressLength);
                    server._addressLength = server._address == null ? 0 : listener._addressLength;
                    server.ConnectLocked(this, credentials);
                    ConnectLocked(server, listener._listenCredentials);
                    if (listener._pendingTail == null)
                        listener._pendingHead = server;
                    else
                        listener._pendingTail._nextPending = server;
                    listener._pendingTail = server;
                    listener._pendingCount++;
                }
                s_changed.Lock.Exit();
            }
            if (error != Error.None)
            {
                server.Release();
                return error;
            }
            Announce(listener, this);
            return Error.None;
        }

        public override Error Accept(int flags, out Socket accepted)
        {
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref ReceiveTimeoutNanoseconds), NonBlocking);
            return DisarmTimeout(armed, AcceptNow(flags, out accepted));
        }

        private Error AcceptNow(int flags, out Socket accepted)
        {
            accepted = null;
            if (Type == Datagram)
                return Error.NotSupported;
            UnixSocket server;
            using (InterruptMask.Enter())
            {
                s_changed.Lock.Enter();
                Error error = Error.None;
                while (_pendingHead == null || _state != Listening)
                {
                    if (_state != Listening)
                        error = Error.Invalid;
                    else
                        error = SleepLocked(NonBlocking);
                    if (error != Error.None)
                    {
                        s_changed.Lock.Exit();
                        return error;
                    }
                }
                server = _pendingHead;
                _pendingHead = server._nextPending;
                if (_pendingHead == null)
                    _pendingTail = null;
                server._nextPending = null;
                _pendingCount--;
                s_changed.Lock.Exit();
            }
            server.Flags = (server.Flags & ~OpenFlags.NonBlocking) | (flags & OpenFlags.NonBlocking);
            Announce(this, null);
            accepted = server;   // the queue's reference
            return Error.None;
        }

        // Lock held: where a send goes ('explicitTarget': sendto's address found 'found'), or the error.
        private Error TargetLocked(bool explicitTarget, UnixSocket found, out UnixSocket target)
        {
            target = null;
            if (_sendShut)
                return Error.PeerGone;
            if (Type != Datagram)
            {
                if (_state != Connected)
                    return Error.NotConnected;
                if (_peer == null || _peer._receiveShut)
                    return Error.PeerGone;
                target = _peer;
                return Error.None;
            }
            if (explicitTarget)
            {
                if (found == null)
                    return Error.ConnectionRefused;
                target = found;
            }
            else if (_peer == null)
            {
                if (!_peerGone)
                    return Error.NotConnected;
                _peerGone = false;   // reported once, then the socket is plainly unconnected
                return Error.ConnectionRefused;
            }
            else
            {
                target = _peer;
            }
            if (target.Type != Type)
                return Error.WrongProtocolType;
            if (target._peer != null && target._peer != this)
                return Error.NotPermitted;
            if (target._receiveShut)
                return Error.PeerGone;
            return Error.None;
        }

        // Lock held: whether 'target' has no room for 'length' more bytes from this socket now.
        private bool FullLocked(UnixSocket target, int length)
        {
            if (Type == Datagram && target._peer != this && target._queuedCount > MaximumDatagramQueue)
                return true;
            return target._queuedCount > 0 && target._queuedBytes + length > ReceiveCapacity;
        }

        public override Error Send(ref SocketTransfer transfer, out ulong done)
        {
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref SendTimeoutNanoseconds), NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0);
            return DisarmTimeout(armed, SendNow(ref transfer, out done));
        }

        private Error SendNow(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            if ((transfer.Flags & MessageFlags.OutOfBand) != 0)
                return Error.NotSupported;
            bool explicitTarget = transfer.Address != null && Type != SequencedPacket;
            if (explicitTarget && Type == Stream)
            {
                using (InterruptMask.Enter())
                using (s_changed.Lock.Hold())
                    return _state == Connected ? Error.AlreadyConnected : Error.NotSupported;
            }
            if (Type != Stream && transfer.Length > MaximumDatagram)
                return Error.MessageTooLong;
            UnixAddress.Kind kind = UnixAddress.Kind.Unnamed;
            int kept = 0;
            Vnode node = null;
            if (explicitTarget)
            {
                Error resolved = Resolve(transfer.Address, transfer.AddressLength, out kind, out kept, out node);
                if (resolved != Error.None)
                    return resolved;
            }
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            PeerCredentials credentials = CurrentCredentials();
            if (Type == Stream && !explicitTarget && transfer.RightsCount == 0 && transfer.Length - 1 < SmallStagingSize
                && TrySendSmall(ref transfer, credentials))
            {
                done = transfer.Length;
                return Error.None;
            }
            Error error = Error.None;
            do
            {
                ulong left = transfer.Length - done;
                int length = Type == Stream && left > ChunkSize ? ChunkSize : (int)left;
                UnixMessage message = UnixMessage.Create(length);
                if (message == null)
                {
                    error = Error.OutOfMemory;
                    break;
                }
                if (length > 0 && !transfer.Gather(done, message.Data, (ulong)length))
                {
                    message.Free();
                    error = Error.BadAddress;
                    break;
                }
                message.TakeRights(ref transfer);
                message.ProcessId = credentials.ProcessId;
                message.UserId = credentials.UserId;
                message.GroupId = credentials.GroupId;
                UnixSocket target = null;
                using (InterruptMask.Enter())
                {
                    s_changed.Lock.Enter();
                    while (true)
                    {
                        error = TargetLocked(explicitTarget, explicitTarget ? FindBound(kind, transfer.Address, kept, node) : null, out target);
                        if (error != Error.None || (Type == Stream && length == 0) || !FullLocked(target, length))
                            break;
                        if (Type == Stream && target._queuedBytes < ReceiveCapacity)
                        {
                            // A stream takes what fits now, as Linux's: a send that then times out or is interrupted is short.
                            length = ReceiveCapacity - target._queuedBytes;
                            message.Length = length;
                            break;
                        }
                        // A stream's peer names this socket when its reads make room (its peer is this socket).
                        if ((error = SleepLocked(nonBlocking, Type == Stream ? Key : Readiness.AllKeys)) != Error.None)
                            break;
                    }
                    if (error == Error.None && !(Type == Stream && length == 0))
                    {
                        if (_address != null)
                        {
                            message.Source = Copy(_address, _addressLength);
                            message.SourceLength = message.Source == null ? 0 : _addressLength;
                        }
                        if (target._tail == null)
                            target._head = message;
                        else
                            target._tail.Next = message;
                        target._tail = message;
                        target._queuedBytes += length;
                        target._queuedCount++;
                        message = null;
                    }
                    s_changed.Lock.Exit();
                }
                message?.Free();   // not sent: the descriptions it carried are released
                if (error != Error.None)
                    break;
                done += (ulong)length;
                Announce(target, null, onlyNamed: true);
            } while (Type == Stream && done < transfer.Length);
            node?.Release();
            if (error == Error.PeerGone && Type != Datagram && (transfer.Flags & MessageFlags.NoSignal) == 0)
                Signals.SignalDelivery.RaiseOnCurrentThread(Signals.Signal.Pipe);
            if (done > 0 && error != Error.BadAddress)
                return Error.None;   // a partial stream send counts (interrupted, non-blocking or the peer gone after some bytes)
            return done > 0 ? Error.None : error;
        }

        /// <summary>
        /// A small stream send (1 to SmallStagingSize bytes, no descriptions, an unbound sender) that needs no wait: the
        /// bytes are staged on the stack, then under the lock joined to the receiver's last message when it is this
        /// sender's and has room (UnixMessage.CanAppend), else queued in a spare or new small message. False, with nothing
        /// sent, for anything the general path decides (a fault, an error, a full receiver, no memory). hackbench's
        /// threads send 100 bytes at a time, five senders ahead of each reader: an object and a buffer made and freed per
        /// send cost some 500 instructions.
        /// </summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the staging bytes are written before they are read
        private bool TrySendSmall(ref SocketTransfer transfer, in PeerCredentials credentials)
        {
            int length = (int)transfer.Length;
            byte* staging = stackalloc byte[SmallStagingSize];
            if (_address != null || !transfer.Gather(0, staging, (ulong)length))
                return false;
            UnixSocket target;
            using (InterruptMask.Enter())
            {
                s_changed.Lock.Enter();
                if (TargetLocked(false, null, out target) != Error.None || FullLocked(target, length))
                {
                    s_changed.Lock.Exit();
                    return false;
                }
                UnixMessage tail = target._tail;
                if (tail != null && tail.CanAppend(length, credentials.ProcessId, credentials.UserId, credentials.GroupId))
                {
                    Exo.Kernel.Memory.BlockMemory.Copy(tail.Data + tail.Length, staging, (ulong)length);
                    tail.Length += length;
                }
                else
                {
                    // Room for the next sends, unless another sender's message is last (senders taking turns would
                    // each leave a mostly empty buffer: exactly the bytes then).
                    bool ownTurn = tail == null || (tail.ProcessId == credentials.ProcessId && tail.UserId == credentials.UserId);
                    UnixMessage message = ownTurn ? TakeSpareMessageLocked(length) ?? UnixMessage.Create(length, UnixMessage.SmallCapacity)
                        : UnixMessage.Create(length);   // (the heap under this lock, as a bound sender's address copy)
                    if (message == null)
                    {
                        s_changed.Lock.Exit();
                        return false;
                    }
                    Exo.Kernel.Memory.BlockMemory.Copy(message.Data, staging, (ulong)length);
                    message.ProcessId = credentials.ProcessId;
                    message.UserId = credentials.UserId;
                    message.GroupId = credentials.GroupId;
                    if (tail == null)
                        target._head = message;
                    else
                        tail.Next = message;
                    target._tail = message;
                    target._queuedCount++;
                }
                target._queuedBytes += length;
                s_changed.Lock.Exit();
            }
            Announce(target, null, onlyNamed: true);
            return true;
        }

        public override Error Receive(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            if ((transfer.Flags & MessageFlags.OutOfBand) != 0)
                return Error.NotSupported;
            transfer.AddressLength = 0;
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref ReceiveTimeoutNanoseconds), NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0);
            return DisarmTimeout(armed, Type == Stream ? ReceiveStream(ref transfer, out done) : ReceiveMessage(ref transfer, out done));
        }

        // Lock held: waits for a message; None with one at the head, or why none comes (end: None with an empty queue).
        private Error WaitForMessageLocked(bool nonBlocking, bool mayWait)
        {
            while (_head == null)
            {
                if (_error != Error.None)
                {
                    Error error = _error;
                    _error = Error.None;
                    return error;
                }
                if (_receiveShut || !mayWait)
                    return Error.None;
                Error slept = SleepLocked(nonBlocking, Key);   // bytes for it are announced with it named
                if (slept != Error.None)
                    return slept;
            }
            return Error.None;
        }

        // Lock held: what the head message says of its sender, into the transfer.
        private void DescribeSenderLocked(ref SocketTransfer transfer, UnixMessage message)
        {
            if (transfer.Address != null && message.Source != null)
            {
                Exo.Kernel.Memory.BlockMemory.Copy(transfer.Address, message.Source, (ulong)message.SourceLength);
                transfer.AddressLength = message.SourceLength;
            }
            if (_passCredentials)
            {
                transfer.HasCredentials = true;
                transfer.ProcessId = message.ProcessId;
                transfer.UserId = message.UserId;
                transfer.GroupId = message.GroupId;
            }
        }

        // A receive this small stages on the kernel stack, not in a heap block (most stream reads are a few bytes).
        private const int SmallStagingSize = 256;

        [System.Runtime.CompilerServices.SkipLocalsInit]   // the small staging buffer is written before it is read
        private Error ReceiveStream(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            bool peek = (transfer.Flags & MessageFlags.Peek) != 0, waitAll = (transfer.Flags & MessageFlags.WaitAll) != 0 && !peek;
            int stagingSize = transfer.Length < ChunkSize ? (int)transfer.Length : ChunkSize;
            byte* small = stackalloc byte[SmallStagingSize];
            byte* staging = stagingSize <= SmallStagingSize ? small : (byte*)KernelHeap.AllocateUninitialized((ulong)stagingSize);
            if (staging == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            bool rightsTaken = false;
            UnixSocket sender = null;
            while (true)
            {
                int taken = 0;
                UnixMessage consumed = null;
                using (InterruptMask.Enter())
                {
                    s_changed.Lock.Enter();
                    if (_state != Connected)
                        error = Error.Invalid;
                    else
                        error = WaitForMessageLocked(nonBlocking, mayWait: done == 0 || waitAll);
                    if (error == Error.None && _head != null)
                    {
                        if (done == 0)
                            DescribeSenderLocked(ref transfer, _head);
                        ulong wanted = transfer.Length - done;
                        int room = wanted < (ulong)stagingSize ? (int)wanted : stagingSize;
                        int skip = 0;   // a peek's way through messages it does not consume
                        for (UnixMessage message = _head; message != null && taken < room;)
                        {
                            int available = message.Length - message.Consumed - skip;
                            int part = available < room - taken ? available : room - taken;
                            Exo.Kernel.Memory.BlockMemory.Copy(staging + taken, message.Data + message.Consumed + skip, (ulong)part);
                            taken += part;
                            bool carriesRights = message.RightsCount > 0;
                            if (peek)
                            {
                                skip = 0;
                                message = message.Next;
                            }
                            else
                            {
                                if (carriesRights)
                                {
                                    message.TakeRightsInto(ref transfer);
                                    rightsTaken = true;
                                }
                                message.Consumed += part;
                                _queuedBytes -= part;
                                if (message.Consumed == message.Length)
                                {
                                    _head = message.Next;
                                    if (_head == null)
                                        _tail = null;
                                    _queuedCount--;
                                    if (!KeepSpareMessageLocked(message))
                                    {
                                        message.Next = consumed;
                                        consumed = message;
                                    }
                                }
                                message = _head;
                            }
                            if (carriesRights)
                                break;   // as Linux: a read ends after the message that passed descriptions
                        }
                        sender = _peer;
                    }
                    s_changed.Lock.Exit();
                }
                UnixMessage.FreeAll(consumed);
                if (error != Error.None)
                    break;
                if (taken > 0 && !transfer.Scatter(done, staging, (ulong)taken))
                {
                    if (done == 0)
                        error = Error.BadAddress;   // the bytes were taken, as on Linux
                    break;
                }
                done += (ulong)taken;
                if (!peek && taken > 0)
                    Announce(null, sender, onlyNamed: true);   // a stream's room is its peer's (the sender) alone
                if (taken == 0 || done >= transfer.Length || rightsTaken || peek)
                    break;
            }
            if (staging != small)
                KernelHeap.Free(staging);
            if (done > 0 && error != Error.BadAddress)
                return Error.None;
            return error;
        }

        private Error ReceiveMessage(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            bool peek = (transfer.Flags & MessageFlags.Peek) != 0;
            UnixMessage message = null;
            byte* copy = null;   // a peek's copy of the bytes (the message stays queued)
            int length = 0;
            Error error;
            UnixSocket sender = null;
            using (InterruptMask.Enter())
            {
                s_changed.Lock.Enter();
                error = Type == SequencedPacket && _state != Connected ? Error.NotConnected : WaitForMessageLocked(nonBlocking, mayWait: true);
                if (error == Error.None && _head != null)
                {
                    message = _head;
                    length = message.Length;
                    DescribeSenderLocked(ref transfer, message);
                    if (peek)
                    {
                        ulong wanted = transfer.Length < (ulong)length ? transfer.Length : (ulong)length;
                        copy = (byte*)KernelHeap.AllocateUninitialized(wanted > 0 ? wanted : 1);
                        if (copy == null)
                            error = Error.OutOfMemory;
                        else
                            Exo.Kernel.Memory.BlockMemory.Copy(copy, message.Data, wanted);
                        message = null;
                    }
                    else
                    {
                        _head = message.Next;
                        if (_head == null)
                            _tail = null;
                        _queuedBytes -= length;
                        _queuedCount--;
                        message.TakeRightsInto(ref transfer);
                        sender = _peer;
                    }
                }
                s_changed.Lock.Exit();
            }
            if (error == Error.None && (message != null || copy != null))
            {
                ulong copied = transfer.Length < (ulong)length ? transfer.Length : (ulong)length;
                if (copied > 0 && !transfer.Scatter(0, message != null ? message.Data : copy, copied))
                    error = Error.BadAddress;
                if ((ulong)length > copied)
                    transfer.ResultFlags |= MessageFlags.Truncated;
                done = (transfer.Flags & MessageFlags.Truncated) != 0 ? (ulong)length : copied;
            }
            if (copy != null)
                KernelHeap.Free(copy);
            if (message != null)
            {
                message.Free();
                Announce(null, sender);
            }
            return error;
        }

        public override Error Shutdown(int how)
        {
            if (how < ShutRead || how > ShutBoth)
                return Error.Invalid;
            UnixSocket peer;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (Type != Datagram && _state != Connected)
                    return Error.NotConnected;
                _receiveShut |= how != ShutWrite;
                _sendShut |= how != ShutRead;
                peer = Type != Datagram ? _peer : null;
                if (peer != null)
                {
                    peer._receiveShut |= how != ShutRead;
                    peer._sendShut |= how != ShutWrite;
                }
            }
            Announce(null, null, this);
            Announce(null, null, peer);
            return Error.None;
        }

        public override Error GetName(bool peer, byte* address, out int length)
        {
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                UnixSocket named = this;
                if (peer)
                {
                    named = _peer;
                    if (named == null || _state != Connected)
                    {
                        length = 0;
                        return Error.NotConnected;
                    }
                }
                if (named._address == null)
                {
                    *(ushort*)address = UnixAddress.Family;
                    length = UnixAddress.PathOffset;
                }
                else
                {
                    Exo.Kernel.Memory.BlockMemory.Copy(address, named._address, (ulong)named._addressLength);
                    length = named._addressLength;
                }
            }
            return Error.None;
        }

        // SO_* (asm-generic/socket.h).
        private const int ReuseAddress = 2, TypeOption = 3, ErrorOption = 4, DontRoute = 5, Broadcast = 6, SendBuffer = 7,
            ReceiveBuffer = 8, KeepAlive = 9, Priority = 12, Linger = 13, PassCredentials = 16, PeerCredentialsOption = 17,
            ReceiveLowWater = 18, SendLowWater = 19, ReceiveTimeout = 20, SendTimeout = 21, AcceptConnections = 30,
            Protocol = 38, Domain = 39;

        public override Error GetOption(int level, int name, byte* value, ref int length)
        {
            if (level != SocketLevel)
                return Error.NotSupported;
            if (name == ReceiveTimeout || name == SendTimeout)
                return GetTimeoutOption(name == ReceiveTimeout, value, ref length);
            int number;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                switch (name)
                {
                    case TypeOption: number = Type; break;
                    case ErrorOption: number = (int)_error; _error = Error.None; break;
                    case Domain: number = UnixAddress.Family; break;
                    case Protocol: number = 0; break;
                    case AcceptConnections: number = _state == Listening ? 1 : 0; break;
                    case PassCredentials: number = _passCredentials ? 1 : 0; break;
                    case SendBuffer: number = _sendBuffer; break;
                    case ReceiveBuffer: number = _receiveBuffer; break;
                    case ReceiveLowWater: case SendLowWater: number = 1; break;
                    case ReuseAddress: case KeepAlive: case DontRoute: case Broadcast: case Priority: number = 0; break;
                    case PeerCredentialsOption:
                    {
                        PeerCredentials credentials = _hasPeerCredentials ? _peerCredentials
                            : new PeerCredentials { ProcessId = 0, UserId = OverflowId, GroupId = OverflowId };
                        int size = sizeof(PeerCredentials);
                        length = length < size ? length : size;
                        Exo.Kernel.Memory.BlockMemory.Copy(value, (byte*)&credentials, (ulong)length);
                        return Error.None;
                    }
                    default: return Error.NoProtocolOption;
                }
            }
            length = length < sizeof(int) ? length : sizeof(int);
            Exo.Kernel.Memory.BlockMemory.Copy(value, (byte*)&number, (ulong)length);
            return Error.None;
        }

        // The timeouts are kept and enforced; other options are accepted without effect: what programs set as a matter of
        // course (the buffer sizes are reported back as Linux does, doubled, but queues keep ReceiveCapacity; linger).
        public override Error SetOption(int level, int name, byte* value, int length)
        {
            if (level != SocketLevel)
                return Error.NotSupported;
            if (name == Linger)
                return length < 8 ? Error.Invalid : Error.None;
            if (name == ReceiveTimeout || name == SendTimeout)
                return SetTimeoutOption(name == ReceiveTimeout, value, length);
            if (length < sizeof(int))
                return Error.Invalid;
            int number = *(int*)value;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                switch (name)
                {
                    case PassCredentials: _passCredentials = number != 0; return Error.None;
                    case SendBuffer: _sendBuffer = Doubled(number, MinimumSendBuffer); return Error.None;
                    case ReceiveBuffer: _receiveBuffer = Doubled(number, MinimumReceiveBuffer); return Error.None;
                    case ReuseAddress: case KeepAlive: case DontRoute: case Broadcast: case Priority: case ReceiveLowWater: return Error.None;
                    default: return Error.NoProtocolOption;
                }
            }
        }

        // SO_SNDBUF and SO_RCVBUF: at most wmem_max, doubled, at least the minimum.
        private static int Doubled(int requested, int minimum)
        {
            uint value = (uint)requested > ReceiveCapacity ? ReceiveCapacity : (uint)requested;
            return (int)(value * 2 < (uint)minimum ? (uint)minimum : value * 2);
        }

        public override PollEvents Poll()
        {
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (_state == Listening)
                    return _pendingHead != null ? PollEvents.In : PollEvents.None;
                PollEvents events = PollEvents.None;
                if (_error != Error.None)
                    events |= PollEvents.Error;
                if (_receiveShut)
                    events |= PollEvents.ReadHangUp | PollEvents.In;
                if (_receiveShut && _sendShut)
                    events |= PollEvents.HangUp;
                if (Type != Datagram && _state == Unconnected)
                    events |= PollEvents.HangUp;
                if (_head != null)
                    events |= PollEvents.In;
                if (WritableLocked())
                    events |= PollEvents.Out;
                return events;
            }
        }

        // Lock held: Linux's unix_writable (at most a quarter of the buffer waiting for the peer) and, for a datagram
        // socket, room in its peer's queue.
        private bool WritableLocked()
        {
            UnixSocket target = _peer;
            if (target == null)
                return true;
            if (Type == Datagram && target._peer != this && target._queuedCount > MaximumDatagramQueue)
                return false;
            return target._queuedBytes <= ReceiveCapacity / 4;
        }

        private const uint BytesReadable = 0x541B, BytesUnsent = 0x5411;   // FIONREAD (SIOCINQ), TIOCOUTQ (SIOCOUTQ)

        /// <summary>
        /// FIONREAD: the bytes waiting (a stream's or packet socket's, all of them; a datagram socket's next message); SIOCOUTQ:
        /// the bytes this socket sent that its peer has not read.
        /// </summary>
        public override Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            if (request != BytesReadable && request != BytesUnsent)
                return base.Control(request, argument, out result);
            int count = 0;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (_state == Listening)
                    return Error.Invalid;
                if (request == BytesUnsent)
                    count = _peer != null && _peer._peer == this ? _peer._queuedBytes : 0;
                else if (Type != Datagram)
                    count = _queuedBytes;
                else if (_head != null)
                    count = _head.Length;
            }
            return Exo.Kernel.Memory.UserMemory.CopyToUser(argument, &count, 4) ? Error.None : Error.BadAddress;
        }

        public override int ChangeCount(PollEvents interest)
            => ((interest & PollEvents.In) != 0 ? System.Threading.Volatile.Read(ref _dataChanges) : 0)
                + ((interest & PollEvents.Out) != 0 ? System.Threading.Volatile.Read(ref _roomChanges) : 0);

        protected override void Destroy()
        {
            UnixMessage messages;
            UnixSocket pending;
            UnixSocket peer;
            Vnode node;
            using (InterruptMask.Enter())
            using (s_changed.Lock.Hold())
            {
                if (s_all == this)
                {
                    s_all = _nextInAll;
                }
                else
                {
                    UnixSocket before = s_all;
                    while (before._nextInAll != this)
                        before = before._nextInAll;
                    before._nextInAll = _nextInAll;
                }
                messages = _head;
                _head = _tail = null;
                pending = _pendingHead;
                _pendingHead = _pendingTail = null;
                node = _boundNode;
                _boundNode = null;
                peer = _peer;
                if (peer != null && peer._peer == this && Type != Datagram)
                {
                    // The survivor's reads end (ECONNRESET first if this end left bytes unread), its writes are EPIPE.
                    peer._receiveShut = peer._sendShut = true;
                    if (_queuedCount > 0)
                        peer._error = Error.ConnectionReset;
                }
                for (UnixSocket socket = s_all; socket != null; socket = socket._nextInAll)
                {
                    if (socket._peer != this)
                        continue;
                    socket._peer = null;
                    socket._peerGone = true;
                    System.Threading.Interlocked.Increment(ref socket._dataChanges);
                    System.Threading.Interlocked.Increment(ref socket._roomChanges);
                }
                _peer = null;
            }
            UnixMessage.FreeAll(messages);
            while (pending != null)
            {
                UnixSocket next = pending._nextPending;
                pending._nextPending = null;
                pending.Release();   // a connection never accepted: its client sees the end
                pending = next;
            }
            node?.Release();
            if (_address != null)
                KernelHeap.Free(_address);
            Announce(null, null, peer);
            base.Destroy();
        }
    }
}
