using Exo.Kernel.Sync;
using Exo.PosixX.Vfs;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets.Internet
{
    /// <summary>
    /// An AF_INET socket (TCP stream, UDP datagram, raw ICMP for ping: each message whole, received with its IPv4
    /// header, as Linux's SOCK_RAW gives it; or an ICMP datagram socket, Linux's unprivileged ping socket: echo requests
    /// whose identifier and checksum the service fills, echo replies received without the IPv4 header): a proxy for a socket of the network service, reached over the
    /// socket channel (<see cref="SocketChannel"/>). The service never waits, so waiting is done here: an operation
    /// the service answers WouldBlock (InProgress for connect) sleeps until the socket's next readiness event, then
    /// asks again, unless the caller is non-blocking; SO_RCVTIMEO and SO_SNDTIMEO bound the sleep. poll, select and
    /// epoll read the readiness the last event gave. Data moves a data slot (64 KiB) per request: a larger send or
    /// receive is split here.
    /// </summary>
    public sealed unsafe class InternetSocket : Socket
    {
        public const int InternetControlMessageProtocol = 1, TransmissionControlProtocol = 6, UserDatagramProtocol = 17;

        private readonly SocketChannel _channel;
        /// <summary>The service's id for this socket (0 until created); written by the dispatcher when it files it.</summary>
        internal uint Id;
        // Written by the channel's dispatcher under the channel's lock.
        internal uint ReadinessBits;
        internal ushort PendingError;
        internal int Changes;
        // A listening stream's accepts ahead (SocketChannel): set once it listens; under the channel's lock, whether
        // one is in flight and the connection accepted ahead for the next accept.
        internal bool AcceptsAhead;
        internal bool AheadPending;
        internal InternetSocket Ahead;
        // A socket made for an accept ahead in vain, in the channel's chain of those to release.
        internal InternetSocket NextDiscarded;
        // Its Close resets the connection (one accepted ahead that nobody took before its listener closed).
        private bool _abortOnClose;

        /// <summary>IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP (a raw socket's or a ping socket's).</summary>
        private readonly int _protocol;

        private InternetSocket(int type, int protocol, int flags, SocketChannel channel)
            : base(InternetAddress.Family, type, flags)
        {
            _protocol = protocol;
            _channel = channel;
        }

        private InternetSocket(InternetSocket listener, uint user, uint group)
            : base(InternetAddress.Family, listener.Type, 0, user, group)
        {
            _protocol = listener._protocol;
            _channel = listener._channel;
        }

        /// <summary>
        /// The socket for a connection 'listener' accepts ahead, made by the channel's drain (no Linux process's call:
        /// the listener's owner owns it until the accept that takes it).
        /// </summary>
        internal static InternetSocket MadeAhead(InternetSocket listener)
        {
            InternetSocket made = new InternetSocket(listener, listener.Node.UserId, listener.Node.GroupId);
            listener._channel.AddReference();
            return made;
        }

        /// <summary>socket(AF_INET, type, protocol): EPROTONOSUPPORT, ESOCKTNOSUPPORT, or the channel's error (EAFNOSUPPORT without a network service).</summary>
        public static Error Create(int type, int protocol, int flags, out Socket socket)
        {
            socket = null;
            if (type != Stream && type != Datagram && type != Raw)
                return Error.SocketTypeNotSupported;
            int expected = ProtocolOf(type);
            // A datagram socket of ICMP is a ping socket, which Linux lets every group have (ping_group_range set wide,
            // as distributions do): no privilege needed.
            if (type == Datagram && protocol == InternetControlMessageProtocol)
                expected = InternetControlMessageProtocol;
            // Raw sockets: ICMP only (Linux also carries others); they need CAP_NET_RAW, which only root holds here.
            if ((protocol != 0 || type == Raw) && protocol != expected)
                return Error.ProtocolNotSupported;
            if (type == Raw && !KernelInterface.LinuxProcess.Current.Credentials.IsPrivileged)
                return Error.NotPermitted;
            Error error = SocketChannel.Acquire(out SocketChannel channel);
            if (error != Error.None)
                return error;
            InternetSocket made = new InternetSocket(type, expected, flags, channel);
            // A stream is made by the service at its first use: most are connected at once, and a Connect can make its
            // socket in the same request (a request, two switches and a wake fewer per connection). A fresh stream
            // reports no readiness either way.
            if (type != Stream && (error = made.Make()) != Error.None)
            {
                made.Release();
                return error;
            }
            socket = made;
            return Error.None;
        }

        // 0 while the service has no socket for this one and nobody is making it, 1 while a thread makes it; Id says
        // when it is made.
        private int _making;

        /// <summary>The service's socket for this one, made now if it is not yet (by one thread; the others wait for it).</summary>
        private Error EnsureMade()
        {
            while (true)
            {
                int seen = _channel.ChangesOf(this);   // read before Id: the maker counts a change after filing it
                if (System.Threading.Volatile.Read(ref Id) != 0)
                    return Error.None;
                if (ClaimMaking())
                    return Make();
                Error error = _channel.WaitForChange(this, seen);
                if (error != Error.None)
                    return error;
            }
        }

        // Create (the caller holds _making, or the socket is not shared yet).
        private Error Make()
        {
            var request = new SocketRequest { Operation = SocketOperation.Create };
            return AskMaking(ref request);
        }

        // A request that makes this socket (Create, or a Connect without a socket), by the thread holding _making: its
        // id is filed, or closed if the kernel's table had no room; then the next thread may try if it was not made,
        // and those that waited wake (a change of the socket counted).
        private Error AskMaking(ref SocketRequest request)
        {
            request.Argument0 = (ulong)Type;
            request.Argument1 = (ulong)_protocol;
            Error error = Ask(ref request, this, out SocketCompletion completion);
            CloseUnfiled(error, ref completion, this);
            System.Threading.Volatile.Write(ref _making, 0);
            _channel.NoteChange(this);
            return error;
        }

        private static int ProtocolOf(int type) =>
            type == Stream ? TransmissionControlProtocol : type == Raw ? InternetControlMessageProtocol : UserDatagramProtocol;

        /// <summary>Datagram and raw sockets keep message boundaries; a stream does not.</summary>
        private bool KeepsMessages => Type != Stream;

        // One request and its completion's status as an error: the channel's error, or the operation's.
        private Error Ask(ref SocketRequest request, InternetSocket register, out SocketCompletion completion)
        {
            completion = default;
            int slot = _channel.BeginRequest();
            if (slot < 0)
                return Error.NetworkDown;
            Error error = _channel.Exchange(slot, ref request, register, out completion);
            _channel.EndRequest(slot);
            return error != Error.None ? error : (Error)completion.Status;
        }

        private SocketRequest RequestFor(SocketOperation operation) => new SocketRequest { Operation = operation, Socket = Id };

        public override Error Bind(byte* address, int length)
        {
            Error error = InternetAddress.Parse(address, length, out SocketEndpoint endpoint);
            if (error != Error.None || (error = EnsureMade()) != Error.None)
                return error;
            SocketRequest request = RequestFor(SocketOperation.Bind);
            request.Endpoint = endpoint;
            return Ask(ref request, null, out _);
        }

        public override Error Listen(int backlog)
        {
            Error made = EnsureMade();
            if (made != Error.None)
                return made;
            SocketRequest request = RequestFor(SocketOperation.Listen);
            request.Argument0 = backlog < 0 ? 0UL : backlog > SocketRequest.MaximumBacklog ? SocketRequest.MaximumBacklog : (ulong)backlog;
            Error error = Ask(ref request, null, out _);
            if (error == Error.None && Type == Stream)
            {
                System.Threading.Volatile.Write(ref AcceptsAhead, true);
                _channel.AcceptAhead(this);
            }
            return error;
        }

        public override Error Connect(byte* address, int length)
        {
            Error error = InternetAddress.Parse(address, length, out SocketEndpoint endpoint);
            if (error != Error.None)
                return error;
            int seen = _channel.ChangesOf(this);
            SocketRequest request = RequestFor(SocketOperation.Connect);
            request.Endpoint = endpoint;
            if (!NonBlocking && Type == Stream)
                request.Flags = SocketRequest.FlagWait;   // a handshake with this host ends before the answer
            if (ClaimMaking())
            {
                // Made and connected in one request (Socket 0); the id comes back even if the connect fails.
                error = AskMaking(ref request);
                seen++;   // AskMaking's own change
            }
            else
            {
                if ((error = EnsureMade()) != Error.None)
                    return error;
                seen = _channel.ChangesOf(this);
                request.Socket = Id;
                error = Ask(ref request, null, out _);
            }
            if (error != Error.InProgress || NonBlocking)
                return error;
            // A stream's handshake: after each change of the socket, connect again, as a program polling a
            // non-blocking connect would: EALREADY while it runs, EISCONN once it succeeded, its error if it failed. The
            // readiness bits alone could be an older event's.
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref SendTimeoutNanoseconds), false);
            while (true)
            {
                if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                    break;
                seen = _channel.ChangesOf(this);
                request = RequestFor(SocketOperation.Connect);
                request.Endpoint = endpoint;
                error = Ask(ref request, null, out _);
                if (error == Error.AlreadyConnected)
                    error = Error.None;
                if (error != Error.AlreadyInProgress)
                    break;
            }
            // Interrupted or out of time: the handshake goes on (EINPROGRESS's later completion), as on Linux.
            if (error == Error.WouldBlock)
                error = Error.InProgress;
            return DisarmTimeout(armed, error);
        }

        // True when the socket is not made yet and this thread now makes it (the others wait in EnsureMade).
        private bool ClaimMaking()
        {
            if (System.Threading.Volatile.Read(ref Id) != 0 || System.Threading.Interlocked.CompareExchange(ref _making, 1, 0) != 0)
                return false;
            if (System.Threading.Volatile.Read(ref Id) == 0)
                return true;
            System.Threading.Volatile.Write(ref _making, 0);
            return false;
        }

        // The service made a socket the kernel could not file (its table full): it is closed again at once. A socket
        // that was filed ('registered' has its id) is not: a made-and-connected one's own connect may fail with ENOBUFS.
        private void CloseUnfiled(Error error, ref SocketCompletion completion, InternetSocket registered)
        {
            if (error != Error.NoBufferSpace || completion.Value == 0 || completion.Value > uint.MaxValue
                || System.Threading.Volatile.Read(ref registered.Id) == (uint)completion.Value)
                return;
            var request = new SocketRequest { Operation = SocketOperation.Close, Socket = (uint)completion.Value };
            Ask(ref request, null, out _);
        }

        public override Error Accept(int flags, out Socket accepted)
        {
            accepted = null;
            Error error = EnsureMade();
            if (error != Error.None)
                return error;
            InternetSocket ahead = _channel.TakeAhead(this, out bool parked);
            if (ahead != null)
            {
                _channel.AcceptAhead(this);   // the next one
                accepted = ahead.AcceptedBy(flags);
                return Error.None;
            }
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref ReceiveTimeoutNanoseconds), NonBlocking);
            InternetSocket made = null;
            while (true)
            {
                int seen = _channel.ChangesOf(this);
                if ((ahead = _channel.TakeAhead(this, out parked)) != null)
                {
                    made?.Release();
                    made = ahead.AcceptedBy(flags);
                    error = Error.None;
                    break;
                }
                if (parked && !NonBlocking)
                {
                    // The next connection goes to the parked accept: its answer is this caller's.
                    if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                        break;
                    continue;
                }
                if (made == null)
                {
                    made = new InternetSocket(Type, _protocol, flags & OpenFlags.NonBlocking, _channel);
                    _channel.AddReference();
                }
                SocketRequest request = RequestFor(SocketOperation.Accept);
                error = Ask(ref request, made, out SocketCompletion completion);
                CloseUnfiled(error, ref completion, made);
                if (error != Error.WouldBlock || NonBlocking)
                    break;
                if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                    break;
            }
            error = DisarmTimeout(armed, error);
            if (error != Error.None)
            {
                made?.Release();
                return error;
            }
            _channel.AcceptAhead(this);   // parked again if it was not (none was, or it failed)
            accepted = made;
            return Error.None;
        }

        // A connection accepted ahead, taken by accept4 with 'flags': the caller's owner and non-blocking choice.
        private InternetSocket AcceptedBy(int flags)
        {
            Flags = (Flags & ~OpenFlags.NonBlocking) | (flags & OpenFlags.NonBlocking);
            OwnedByCaller();
            return this;
        }

        public override Error Send(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            if ((transfer.Flags & MessageFlags.OutOfBand) != 0)
                return Error.NotSupported;
            SocketEndpoint destination = default;
            // A stream ignores a destination, as Linux's TCP does; a datagram goes to the one given.
            if (transfer.Address != null && KeepsMessages)
            {
                Error parsed = InternetAddress.Parse(transfer.Address, transfer.AddressLength, out destination);
                if (parsed != Error.None)
                    return parsed;
            }
            if (KeepsMessages && transfer.Length > SocketChannelLayout.DataSlotSize)
                return Error.MessageTooLong;
            Error made = EnsureMade();
            if (made != Error.None)
                return made;
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref SendTimeoutNanoseconds), nonBlocking);
            Error error = Error.None;
            do
            {
                ulong left = transfer.Length - done;
                int length = left > SocketChannelLayout.DataSlotSize ? SocketChannelLayout.DataSlotSize : (int)left;
                int seen = _channel.ChangesOf(this);
                error = SendOnce(ref transfer, done, length, destination, out ulong taken);
                if (error == Error.None && (taken > 0 || KeepsMessages))
                {
                    done += taken;
                    if (KeepsMessages)
                        break;
                    continue;
                }
                if (error == Error.None)
                    error = Error.WouldBlock;   // a stream that took nothing has no room
                if (error != Error.WouldBlock || nonBlocking)
                    break;
                if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                    break;
            } while (done < transfer.Length);
            error = DisarmTimeout(armed, error);
            if (error == Error.PeerGone && (transfer.Flags & MessageFlags.NoSignal) == 0)
                Signals.SignalDelivery.RaiseOnCurrentThread(Signals.Signal.Pipe);
            // A partial stream send counts (interrupted, non-blocking, out of time, or the peer gone after some bytes).
            return done > 0 && error != Error.BadAddress ? Error.None : error;
        }

        private Error SendOnce(ref SocketTransfer transfer, ulong at, int length, SocketEndpoint destination, out ulong taken)
        {
            taken = 0;
            int slot = _channel.BeginRequest();
            if (slot < 0)
                return Error.NetworkDown;
            Error error;
            if (!_channel.FillSlot(slot, ref transfer, at, length))
            {
                error = Error.BadAddress;
            }
            else
            {
                SocketRequest request = RequestFor(SocketOperation.Send);
                request.DataLength = (uint)length;
                request.Endpoint = destination;
                error = _channel.Exchange(slot, ref request, null, out SocketCompletion completion);
                if (error == Error.None)
                    error = (Error)completion.Status;
                if (error == Error.None)
                    taken = completion.Value > (ulong)length ? (ulong)length : completion.Value;
            }
            _channel.EndRequest(slot);
            return error;
        }

        public override Error Receive(ref SocketTransfer transfer, out ulong done)
        {
            done = 0;
            transfer.AddressLength = 0;
            if ((transfer.Flags & MessageFlags.OutOfBand) != 0)
                return Error.NotSupported;
            Error error = EnsureMade();
            if (error != Error.None)
                return error;
            bool nonBlocking = NonBlocking || (transfer.Flags & MessageFlags.DontWait) != 0;
            bool waitAll = Type == Stream && (transfer.Flags & (MessageFlags.WaitAll | MessageFlags.Peek)) == MessageFlags.WaitAll;
            bool armed = ArmTimeout(System.Threading.Volatile.Read(ref ReceiveTimeoutNanoseconds), nonBlocking);
            while (true)
            {
                ulong left = transfer.Length - done;
                int length = left > SocketChannelLayout.DataSlotSize ? SocketChannelLayout.DataSlotSize : (int)left;
                int seen = _channel.ChangesOf(this);
                if (!nonBlocking && SocketReadiness.NothingToReceive(System.Threading.Volatile.Read(ref ReadinessBits)))
                {
                    // The service's last report says a receive would only answer WouldBlock: wait for its next one
                    // instead of asking (a request and a context switch each way saved per blocking receive).
                    if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                        break;
                    continue;
                }
                error = ReceiveOnce(ref transfer, done, length, out ulong got, out bool endOfStream);
                if (error == Error.None)
                {
                    done += got;
                    if (!waitAll || endOfStream || done >= transfer.Length || got == 0)
                        break;
                    continue;
                }
                if (error != Error.WouldBlock || nonBlocking)
                    break;
                if ((error = _channel.WaitForChange(this, seen)) != Error.None)
                    break;
            }
            error = DisarmTimeout(armed, error);
            return done > 0 && error != Error.BadAddress ? Error.None : error;
        }

        private Error ReceiveOnce(ref SocketTransfer transfer, ulong at, int length, out ulong got, out bool endOfStream)
        {
            got = 0;
            endOfStream = false;
            int slot = _channel.BeginRequest();
            if (slot < 0)
                return Error.NetworkDown;
            SocketRequest request = RequestFor(SocketOperation.Receive);
            request.Argument0 = (ulong)length;
            request.Flags = (transfer.Flags & MessageFlags.Peek) != 0 ? SocketRequest.FlagPeek : (ushort)0;
            Error error = _channel.Exchange(slot, ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                error = (Error)completion.Status;
            if (error == Error.None)
            {
                int length32 = completion.DataLength > (uint)length ? length : (int)completion.DataLength;
                if (length32 > 0 && !_channel.EmptySlot(slot, ref transfer, at, length32))
                {
                    error = Error.BadAddress;
                }
                else
                {
                    got = (ulong)length32;
                    endOfStream = Type == Stream && length32 == 0 && length > 0;
                    if (KeepsMessages && completion.Value > (ulong)length32)
                    {
                        transfer.ResultFlags |= MessageFlags.Truncated;
                        if ((transfer.Flags & MessageFlags.Truncated) != 0)
                            got = completion.Value;   // MSG_TRUNC asked: the datagram's real length
                    }
                    if (transfer.Address != null && completion.Endpoint.Family == SocketEndpoint.FamilyInternet)
                        transfer.AddressLength = InternetAddress.Format(completion.Endpoint, transfer.Address);
                }
            }
            _channel.EndRequest(slot);
            return error;
        }

        public override Error Shutdown(int how)
        {
            if (how < ShutRead || how > ShutBoth)
                return Error.Invalid;
            Error made = EnsureMade();
            if (made != Error.None)
                return made;
            SocketRequest request = RequestFor(SocketOperation.Shutdown);
            request.Argument0 = (ulong)how;
            return Ask(ref request, null, out _);
        }

        public override Error GetName(bool peer, byte* address, out int length)
        {
            length = 0;
            Error error = EnsureMade();
            if (error != Error.None)
                return error;
            SocketRequest request = RequestFor(peer ? SocketOperation.GetPeerName : SocketOperation.GetLocalName);
            error = Ask(ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                length = InternetAddress.Format(completion.Endpoint, address);
            return error;
        }

        // SO_* (asm-generic/socket.h) the kernel answers itself; every other option is the service's.
        private const int TypeOption = 3, ErrorOption = 4, ReceiveTimeout = 20, SendTimeout = 21, AcceptConnections = 30, Protocol = 38, Domain = 39;

        public override Error GetOption(int level, int name, byte* value, ref int length)
        {
            if (level == SocketLevel)
            {
                if (name == ReceiveTimeout || name == SendTimeout)
                    return GetTimeoutOption(name == ReceiveTimeout, value, ref length);
                int number = -1;
                if (name == TypeOption)
                    number = Type;
                else if (name == Domain)
                    number = InternetAddress.Family;
                else if (name == Protocol)
                    number = _protocol;
                if (number >= 0)
                {
                    length = length < sizeof(int) ? length : sizeof(int);
                    Exo.Kernel.Memory.BlockMemory.Copy(value, (byte*)&number, (ulong)length);
                    return Error.None;
                }
            }
            return ForwardGetOption(level, name, value, ref length);
        }

        private Error ForwardGetOption(int level, int name, byte* value, ref int length)
        {
            if (level < 0 || name < 0)
                return Error.NoProtocolOption;
            Error made = EnsureMade();
            if (made != Error.None)
                return made;
            int slot = _channel.BeginRequest();
            if (slot < 0)
                return Error.NetworkDown;
            SocketRequest request = RequestFor(SocketOperation.GetOption);
            request.Argument0 = (ulong)level;
            request.Argument1 = (ulong)name;
            Error error = _channel.Exchange(slot, ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                error = (Error)completion.Status;
            if (error == Error.None)
            {
                int size = completion.DataLength > SocketRequest.MaximumOptionLength ? SocketRequest.MaximumOptionLength : (int)completion.DataLength;
                length = length < size ? length : size;
                _channel.ReadSlot(slot, value, length);
            }
            _channel.EndRequest(slot);
            return error;
        }

        public override Error SetOption(int level, int name, byte* value, int length)
        {
            if (level == SocketLevel && (name == ReceiveTimeout || name == SendTimeout))
                return SetTimeoutOption(name == ReceiveTimeout, value, length);
            if (level < 0 || name < 0)
                return Error.NoProtocolOption;
            if (length > SocketRequest.MaximumOptionLength)
                length = SocketRequest.MaximumOptionLength;   // every option the service knows is shorter
            Error made = EnsureMade();
            if (made != Error.None)
                return made;
            int slot = _channel.BeginRequest();
            if (slot < 0)
                return Error.NetworkDown;
            _channel.WriteSlot(slot, value, length);
            SocketRequest request = RequestFor(SocketOperation.SetOption);
            request.Argument0 = (ulong)level;
            request.Argument1 = (ulong)name;
            request.DataLength = (uint)length;
            Error error = _channel.Exchange(slot, ref request, null, out SocketCompletion completion);
            if (error == Error.None)
                error = (Error)completion.Status;
            _channel.EndRequest(slot);
            return error;
        }

        public override PollEvents Poll()
        {
            if (_channel.IsBroken)
                return PollEvents.In | PollEvents.Out | PollEvents.Error | PollEvents.HangUp;
            // A connection accepted ahead waits here, not in the service's queue.
            uint bits = System.Threading.Volatile.Read(ref ReadinessBits)
                | (Ahead != null ? SocketReadiness.Readable : 0u);   // a snapshot, as the bits are
            return (PollEvents)(short)(bits & SocketReadiness.All);
        }

        public override int ChangeCount(PollEvents interest) => System.Threading.Volatile.Read(ref Changes);

        protected override void Destroy()
        {
            if (Id != 0)
            {
                _channel.Forget(this);
                SocketRequest request = RequestFor(SocketOperation.Close);
                if (_abortOnClose)
                    request.Flags = SocketRequest.FlagAbort;
                int slot = _channel.BeginRequest();
                if (slot >= 0)   // a broken channel has nothing left to close
                    _channel.Post(slot, ref request);
            }
            // A listener's close answers its parked accept: a connection that reached it meanwhile is reset, as Linux
            // resets the connections a closing listener leaves unaccepted.
            if (System.Threading.Volatile.Read(ref AcceptsAhead))
            {
                InternetSocket ahead = _channel.EndAcceptingAhead(this);
                if (ahead != null)
                {
                    ahead._abortOnClose = true;
                    ahead.Release();
                }
            }
            _channel.Release();
            base.Destroy();
        }
    }
}
