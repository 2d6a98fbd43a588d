using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The socket calls the network service forwards, with Linux's errors: every call is non-blocking (the
    /// service parks a blocking caller and retries when the socket shows up in <see cref="TakeChangedSockets"/>).
    /// A socket is an int handle: its slot and a generation, so that a closed socket's handle is refused.
    /// </summary>
    public sealed unsafe partial class TcpStack
    {
        private const int GenerationMask = 0x7FFF;

        private static int HandleOf(TcpConnection connection) => (connection.Generation & GenerationMask) << 16 | connection.Slot;

        /// <summary>The connection behind a handle; every call goes through here, so it also reads the clock.</summary>
        private Error Find(int socket, out TcpConnection connection)
        {
            connection = null;
            _now = _clock.NowMilliseconds;
            int slot = socket & 0xFFFF;
            if (socket < 0 || slot >= _table.Capacity)
                return Error.BadHandle;
            TcpConnection candidate = _table[slot];
            if (!candidate.InUse || !candidate.Owned || (candidate.Generation & GenerationMask) != socket >> 16)
                return Error.BadHandle;
            connection = candidate;
            return Error.None;
        }

        /// <summary>The pending error, cleared (the error a call reports once, as Linux's sock_error does).</summary>
        private static Error TakePendingError(TcpConnection connection)
        {
            Error error = connection.PendingError;
            connection.PendingError = Error.None;
            return error;
        }

        /// <summary>socket(AF_INET, SOCK_STREAM, 0): a new closed socket, or SystemTooManyFiles (ENFILE) when the table is full.</summary>
        public Error Open(out int socket)
        {
            socket = -1;
            TcpConnection connection = AllocateConnection();
            if (connection == null)
                return Error.SystemTooManyFiles;
            connection.Owned = true;
            socket = HandleOf(connection);
            return Error.None;
        }

        /// <summary>
        /// bind(): port 0 picks an ephemeral port (49152-65535). AddressInUse when another socket has the port on
        /// an overlapping address, unless both sockets set ReuseAddress and the other does not listen (Linux's
        /// SO_REUSEADDR: a restarted server binds over its old connections in TIME-WAIT). Invalid when bound already.
        /// </summary>
        public Error Bind(int socket, Ipv4Address address, ushort port)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (connection.Bound || connection.State != TcpState.Closed)
                return Error.Invalid;
            if (address.IsMulticast || address.IsLimitedBroadcast)
                return Error.AddressNotAvailable;
            if (port == 0)
            {
                port = ChooseEphemeralPort(connection, address);
                if (port == 0)
                    return Error.AddressInUse;
            }
            else if (PortConflict(connection, address, port, false))
                return Error.AddressInUse;
            _table.Bind(connection, address, port);
            return Error.None;
        }

        /// <summary>Whether binding 'connection' to 'address':'port' would clash with another socket ('listening': the other must not listen there either).</summary>
        private bool PortConflict(TcpConnection connection, Ipv4Address address, ushort port, bool listening)
        {
            for (int slot = _table.FirstOnPort(port); slot != TcpConnection.NoSlot; slot = _table[slot].PortNext)
            {
                TcpConnection other = _table[slot];
                if (other == connection || !other.InUse || !other.Bound || other.LocalPort != port)
                    continue;
                if (!(other.LocalAddress.IsAny || address.IsAny || other.LocalAddress == address))
                    continue;
                if (listening)
                {
                    if (other.State == TcpState.Listen)
                        return true;
                    continue;
                }
                if (connection.ReuseAddress && other.ReuseAddress && other.State != TcpState.Listen)
                    continue;
                return true;
            }
            return false;
        }

        /// <summary>An ephemeral port no socket uses on an overlapping address, or 0 when all are taken.</summary>
        private ushort ChooseEphemeralPort(TcpConnection connection, Ipv4Address address)
        {
            const int range = TcpLimits.LastEphemeralPort - TcpLimits.FirstEphemeralPort + 1;
            for (int attempt = 0; attempt < range; attempt++)
            {
                _nextEphemeral = (_nextEphemeral + 1) % range;
                ushort port = (ushort)(TcpLimits.FirstEphemeralPort + _nextEphemeral);
                bool saved = connection.ReuseAddress;
                connection.ReuseAddress = false;   // an automatic port is one nobody else has
                bool conflict = PortConflict(connection, address, port, false);
                connection.ReuseAddress = saved;
                if (!conflict)
                    return port;
            }
            return 0;
        }

        /// <summary>listen(): an unbound socket gets an ephemeral port; the backlog is clamped to [0, MaximumBacklog] (backlog + 1 may wait, as on Linux).</summary>
        public Error Listen(int socket, int backlog)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (backlog < 0)
                backlog = 0;
            if (backlog > TcpLimits.MaximumBacklog)
                backlog = TcpLimits.MaximumBacklog;
            if (connection.State == TcpState.Listen)
            {
                connection.Backlog = backlog;
                return Error.None;
            }
            if (connection.State != TcpState.Closed || connection.ActiveOpen || connection.WasConnected)
                return Error.Invalid;
            if (!connection.Bound)
            {
                ushort port = ChooseEphemeralPort(connection, Ipv4Address.Any);
                if (port == 0)
                    return Error.AddressInUse;
                _table.Bind(connection, Ipv4Address.Any, port);
            }
            else if (PortConflict(connection, connection.LocalAddress, connection.LocalPort, true))
                return Error.AddressInUse;
            connection.Backlog = backlog;
            connection.State = TcpState.Listen;
            connection.RemoteAddress = Ipv4Address.Any;
            connection.RemotePort = 0;
            _table.Insert(connection);
            return Error.None;
        }

        /// <summary>accept(): the oldest established connection, or WouldBlock; Invalid on a socket that does not listen.</summary>
        public Error Accept(int listener, out int socket, out Ipv4Address remoteAddress, out ushort remotePort)
        {
            socket = -1;
            remoteAddress = Ipv4Address.Any;
            remotePort = 0;
            Error error = Find(listener, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (connection.State != TcpState.Listen)
                return Error.Invalid;
            if (connection.AcceptHead == TcpConnection.NoSlot)
                return Error.WouldBlock;
            TcpConnection child = _table[connection.AcceptHead];
            DetachFromParent(child);
            child.Owned = true;
            remoteAddress = child.RemoteAddress;
            remotePort = child.RemotePort;
            socket = HandleOf(child);
            MarkChanged(child);
            return Error.None;
        }

        /// <summary>
        /// connect(), non-blocking: InProgress once the SYN is out; the socket becomes writable when established,
        /// or shows the error (ConnectionRefused, TimedOut, HostUnreachable) in PendingError. Called again:
        /// AlreadyInProgress while connecting, AlreadyConnected once connected, the error once after a failure.
        /// </summary>
        public Error Connect(int socket, Ipv4Address address, ushort port)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            switch (connection.State)
            {
                case TcpState.SynSent:
                case TcpState.SynReceived:
                    return connection.ActiveOpen ? Error.AlreadyInProgress : Error.AlreadyConnected;
                case TcpState.Closed:
                    if (connection.ActiveOpen && connection.PendingError != Error.None)
                        return TakePendingError(connection);
                    if (connection.WasConnected)
                        return Error.AlreadyConnected;
                    break;
                default:
                    return Error.AlreadyConnected;
            }
            if (address.IsAny || address.IsMulticast || address.IsLimitedBroadcast)
                return Error.NetworkUnreachable;
            if (port == 0)
                return Error.ConnectionRefused;
            Ipv4Address local = connection.LocalAddress;
            if (local.IsAny)
            {
                local = _ip.SourceFor(address);
                if (local.IsAny)
                    return Error.NetworkUnreachable;
            }
            ushort localPort = connection.LocalPort;
            if (!connection.Bound)
            {
                localPort = ChooseEphemeralPort(connection, local);
                if (localPort == 0)
                    return Error.AddressNotAvailable;
            }
            TcpConnection existing = _table.Find(local, localPort, address, port);
            if (existing != null)
            {
                if (existing.State != TcpState.TimeWait || existing.Owned)
                    return Error.AddressNotAvailable;
                FreeConnection(existing);   // the same four values in TIME-WAIT: our new ISN is above its numbers
            }
            connection.PendingError = Error.None;
            connection.FatalError = Error.None;
            if (!AttachBuffers(connection))
                return Error.NoBufferSpace;
            _table.Bind(connection, local, localPort);
            connection.RemoteAddress = address;
            connection.RemotePort = port;
            connection.ActiveOpen = true;
            connection.State = TcpState.SynSent;
            connection.WindowScaling = true;   // offered in our SYN; Synchronize settles it from the answer
            StartSend(connection);
            connection.Congestion.Reset(connection.SendSegmentSize, connection.InitialSendSequence);
            _table.Insert(connection);
            Statistics.ActiveOpens++;
            SendSynchronize(connection);
            ArmRetransmission(connection);
            return Error.InProgress;
        }

        /// <summary>
        /// send(): copies what fits into the send buffer and returns how much ('sent'), or WouldBlock when none fits.
        /// The pending error first if any; PeerGone (EPIPE) after this side shut down writing or the connection
        /// ended, or before any connection (as Linux's tcp_sendmsg); WouldBlock while the handshake runs.
        /// </summary>
        public Error Send(int socket, byte* data, int length, out int sent)
        {
            sent = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (length < 0 || (data == null && length > 0))
                return Error.BadAddress;
            if (connection.PendingError != Error.None)
                return TakePendingError(connection);
            if (connection.WriteShutdown || connection.FatalError != Error.None)
                return Error.PeerGone;
            switch (connection.State)
            {
                case TcpState.Closed:
                case TcpState.Listen:
                    return Error.PeerGone;   // Linux's tcp_sendmsg: EPIPE on a socket that is not connected
                case TcpState.SynSent:
                case TcpState.SynReceived:
                    return Error.WouldBlock;
                case TcpState.Established:
                case TcpState.CloseWait:
                    break;
                default:
                    return Error.PeerGone;
            }
            if (length == 0)
                return Error.None;
            sent = connection.SendBuffer.Write(data, length);
            if (sent == 0)
                return Error.WouldBlock;
            Output(connection);
            return Error.None;
        }

        /// <summary>
        /// recv(): up to 'length' bytes ('received'), 0 at the end of the stream (FIN, read shutdown, or a
        /// connection that ended after its error was reported), WouldBlock when nothing is there yet.
        /// </summary>
        public Error Receive(int socket, byte* buffer, int length, out int received) => Receive(socket, buffer, length, false, out received);

        /// <summary>recv() with MSG_PEEK: as Receive, but the bytes stay to be read again.</summary>
        public Error Peek(int socket, byte* buffer, int length, out int received) => Receive(socket, buffer, length, true, out received);

        private Error Receive(int socket, byte* buffer, int length, bool peek, out int received)
        {
            received = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (length < 0 || (buffer == null && length > 0))
                return Error.BadAddress;
            if (connection.ReceiveBuffer.Readable > 0 && length > 0)
            {
                if (peek)
                {
                    received = connection.ReceiveBuffer.Peek(buffer, length);
                    return Error.None;
                }
                received = connection.ReceiveBuffer.Read(buffer, length);
                OpenWindowAfterRead(connection);
                return Error.None;
            }
            if (connection.PendingError != Error.None)
                return TakePendingError(connection);
            if (connection.ReadShutdown || connection.FinReceived)
                return Error.None;
            switch (connection.State)
            {
                case TcpState.Closed:
                    return connection.WasConnected || connection.FatalError != Error.None ? Error.None : Error.NotConnected;
                case TcpState.Listen:
                    return Error.NotConnected;
                default:
                    return length == 0 ? Error.None : Error.WouldBlock;
            }
        }

        /// <summary>
        /// After a read: a window update goes out now when the announced window had fallen to half the buffer or
        /// less and could now at least double (Linux's tcp_cleanup_rbuf rule): a sender stopped by our window
        /// learns of the room without waiting, and ordinary reads do not each cost an ACK.
        /// </summary>
        private void OpenWindowAfterRead(TcpConnection connection)
        {
            if (!connection.CanReceiveData)
                return;
            uint current = TcpSequence.Greater(connection.ReceiveAdvertised, connection.ReceiveNext)
                ? connection.ReceiveAdvertised - connection.ReceiveNext : 0;
            uint limit = (uint)connection.ReceiveBuffer.Capacity;
            if (limit > MaximumWindow(connection))
                limit = MaximumWindow(connection);
            uint space = (uint)connection.ReceiveBuffer.Space;
            if (space > limit)
                space = limit;
            if (2 * current <= limit && space >= 2 * current && space >= current + (uint)connection.AdvertisedSegmentSize)
            {
                connection.AcknowledgeNow = true;
                Output(connection);
            }
        }

        /// <summary>Bytes ready to read (FIONREAD).</summary>
        public Error Available(int socket, out int bytes)
        {
            bytes = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (connection.State == TcpState.Listen)
                return Error.Invalid;
            bytes = connection.ReceiveBuffer.Readable;
            return Error.None;
        }

        /// <summary>shutdown(): Read makes receive return 0; Write sends a FIN after the queued data. NotConnected unless connected.</summary>
        public Error Shutdown(int socket, TcpShutdown how)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (how != TcpShutdown.Read && how != TcpShutdown.Write && how != TcpShutdown.Both)
                return Error.Invalid;
            if (!connection.Synchronized)
                return Error.NotConnected;
            if (how != TcpShutdown.Write)
                connection.ReadShutdown = true;
            if (how != TcpShutdown.Read && !connection.WriteShutdown)
            {
                connection.WriteShutdown = true;
                QueueFin(connection);
                Output(connection);
            }
            MarkChanged(connection);
            return Error.None;
        }

        /// <summary>Our side is done sending: FIN after the queued data (ESTABLISHED to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK).</summary>
        private static void QueueFin(TcpConnection connection)
        {
            if (connection.FinQueued)
                return;
            connection.FinQueued = true;
            if (connection.State == TcpState.Established)
                connection.State = TcpState.FinWait1;
            else if (connection.State == TcpState.CloseWait)
                connection.State = TcpState.LastAck;
        }

        /// <summary>
        /// close(): a listener resets the connections waiting for accept; a connection with unread data is reset (as
        /// Linux does, so the peer learns its data was lost); otherwise the FIN goes out after the queued data and
        /// the connection finishes on its own (FIN-WAIT, TIME-WAIT) without an owner. The handle is invalid after.
        /// </summary>
        public Error Close(int socket)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            switch (connection.State)
            {
                case TcpState.Closed:
                case TcpState.Listen:
                case TcpState.SynSent:
                    FreeConnection(connection);
                    return Error.None;
                case TcpState.TimeWait:
                    Orphan(connection);
                    ReleaseBuffers(connection);
                    _timeWait.Add(connection);   // a recyclable orphan now (its earlier entry named the owned socket's generation)
                    return Error.None;
            }
            if (connection.ReceiveBuffer.Readable > 0 || connection.State == TcpState.SynReceived)
            {
                Fail(connection, Error.None, true);
                FreeConnection(connection);
                return Error.None;
            }
            connection.WriteShutdown = true;
            connection.ReadShutdown = true;
            QueueFin(connection);
            Orphan(connection);
            ReleaseReceiveBuffer(connection);
            if (connection.State == TcpState.FinWait2)
                connection.FinWait2Deadline = _now + TcpLimits.OrphanFinWait2Timeout;
            Output(connection);
            return Error.None;
        }

        /// <summary>The owner lets go: the handle stops working; the connection lives on until it ends.</summary>
        private void Orphan(TcpConnection connection)
        {
            connection.Owned = false;
            connection.Generation++;
        }

        /// <summary>close() with SO_LINGER 0: a reset to the peer (when connected) and the socket is gone at once.</summary>
        public Error Abort(int socket)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (connection.Synchronized && connection.State != TcpState.TimeWait)
                SendReset(connection);
            FreeConnection(connection);
            return Error.None;
        }

        /// <summary>setsockopt() for the options TcpSocketOption names; Invalid for a value out of range.</summary>
        public Error SetOption(int socket, TcpSocketOption option, int value)
        {
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            switch (option)
            {
                case TcpSocketOption.NoDelay:
                    connection.NoDelay = value != 0;
                    Output(connection);   // Linux pushes what Nagle held back
                    return Error.None;
                case TcpSocketOption.KeepAlive:
                    connection.KeepAlive = value != 0;
                    ArmKeepAlive(connection);
                    return Error.None;
                case TcpSocketOption.KeepAliveIdleSeconds:
                    if (value < 1 || value > TcpLimits.MaximumKeepAliveSeconds)
                        return Error.Invalid;
                    connection.KeepAliveIdleSeconds = value;
                    ArmKeepAlive(connection);
                    return Error.None;
                case TcpSocketOption.KeepAliveIntervalSeconds:
                    if (value < 1 || value > TcpLimits.MaximumKeepAliveSeconds)
                        return Error.Invalid;
                    connection.KeepAliveIntervalSeconds = value;
                    return Error.None;
                case TcpSocketOption.KeepAliveCount:
                    if (value < 1 || value > TcpLimits.MaximumKeepAliveCount)
                        return Error.Invalid;
                    connection.KeepAliveCount = value;
                    return Error.None;
                case TcpSocketOption.SendBufferSize:
                case TcpSocketOption.ReceiveBufferSize:
                    // Linux clamps rather than refuses; the size applies to buffers not taken yet (before connect or listen).
                    if (value < TcpLimits.MinimumBufferSize)
                        value = TcpLimits.MinimumBufferSize;
                    if (value > TcpLimits.MaximumBufferSize)
                        value = TcpLimits.MaximumBufferSize;
                    if (option == TcpSocketOption.SendBufferSize)
                        connection.SendBufferSize = value;
                    else
                        connection.ReceiveBufferSize = value;
                    return Error.None;
                case TcpSocketOption.ReuseAddress:
                    connection.ReuseAddress = value != 0;
                    return Error.None;
                default:
                    return Error.NoProtocolOption;
            }
        }

        /// <summary>getsockopt(); reading PendingError clears it (SO_ERROR).</summary>
        public Error GetOption(int socket, TcpSocketOption option, out int value)
        {
            value = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            switch (option)
            {
                case TcpSocketOption.NoDelay: value = connection.NoDelay ? 1 : 0; break;
                case TcpSocketOption.KeepAlive: value = connection.KeepAlive ? 1 : 0; break;
                case TcpSocketOption.KeepAliveIdleSeconds: value = connection.KeepAliveIdleSeconds; break;
                case TcpSocketOption.KeepAliveIntervalSeconds: value = connection.KeepAliveIntervalSeconds; break;
                case TcpSocketOption.KeepAliveCount: value = connection.KeepAliveCount; break;
                case TcpSocketOption.SendBufferSize:
                    value = connection.SendBuffer.IsAttached ? connection.SendBuffer.Capacity : connection.SendBufferSize;
                    break;
                case TcpSocketOption.ReceiveBufferSize:
                    value = connection.ReceiveBuffer.IsAttached ? connection.ReceiveBuffer.Capacity : connection.ReceiveBufferSize;
                    break;
                case TcpSocketOption.ReuseAddress: value = connection.ReuseAddress ? 1 : 0; break;
                case TcpSocketOption.PendingError:
                    Error pending = TakePendingError(connection);
                    if (pending == Error.None && connection.SoftError != Error.None && !connection.Synchronized)
                    {
                        pending = connection.SoftError;
                        connection.SoftError = Error.None;
                    }
                    value = (int)pending;
                    break;
                case TcpSocketOption.MaximumSegmentSize:
                    value = connection.Synchronized ? connection.SendSegmentSize : TcpLimits.DefaultSendMaximumSegmentSize;
                    break;
                default:
                    return Error.NoProtocolOption;
            }
            return Error.None;
        }

        /// <summary>poll()'s view of a socket (0 for a stale handle: the service checks handles itself).</summary>
        public TcpReadiness Poll(int socket)
        {
            if (Find(socket, out TcpConnection connection) != Error.None)
                return TcpReadiness.None;
            TcpReadiness readiness = TcpReadiness.None;
            if (connection.PendingError != Error.None)
                readiness |= TcpReadiness.Error | TcpReadiness.Readable | TcpReadiness.Writable;
            if (connection.State == TcpState.Listen)
            {
                if (connection.AcceptHead != TcpConnection.NoSlot)
                    readiness |= TcpReadiness.Readable;
                return readiness;
            }
            if (connection.ReceiveBuffer.Readable > 0 || connection.FinReceived || connection.ReadShutdown)
                readiness |= TcpReadiness.Readable;
            if (connection.FinReceived)
                readiness |= TcpReadiness.ReadHangUp;
            bool ended = connection.State == TcpState.Closed && (connection.WasConnected || connection.FatalError != Error.None);
            if (ended || (connection.WriteShutdown && (connection.FinReceived || connection.ReadShutdown)))
                readiness |= TcpReadiness.HangUp;
            if (ended)
                readiness |= TcpReadiness.Readable | TcpReadiness.Writable;
            if (connection.CanSendData && !connection.WriteShutdown)
            {
                // Linux's sk_stream_is_writeable: free space at least half of what is queued.
                int free = connection.SendBuffer.Free;
                if (free > 0 && free >= connection.SendBuffer.Count / 2)
                    readiness |= TcpReadiness.Writable;
            }
            else if (connection.WriteShutdown && connection.Synchronized)
                readiness |= TcpReadiness.Writable;   // a write would not block: it fails with EPIPE
            return readiness;
        }

        /// <summary>getsockname().</summary>
        public Error LocalEndpoint(int socket, out Ipv4Address address, out ushort port)
        {
            address = Ipv4Address.Any;
            port = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            address = connection.LocalAddress;
            port = connection.LocalPort;
            return Error.None;
        }

        /// <summary>getpeername(): NotConnected unless connected.</summary>
        public Error RemoteEndpoint(int socket, out Ipv4Address address, out ushort port)
        {
            address = Ipv4Address.Any;
            port = 0;
            Error error = Find(socket, out TcpConnection connection);
            if (error != Error.None)
                return error;
            if (!(connection.Synchronized && connection.State != TcpState.SynReceived) || connection.State == TcpState.Closed)
                return Error.NotConnected;
            address = connection.RemoteAddress;
            port = connection.RemotePort;
            return Error.None;
        }

        /// <summary>The state of a socket (for tests and /proc/net/tcp-like listings); Closed for a stale handle.</summary>
        public TcpState StateOf(int socket) => Find(socket, out TcpConnection connection) == Error.None ? connection.State : TcpState.Closed;

        /// <summary>The connection behind a handle (tests look at its sequence variables and estimators), or null.</summary>
        public TcpConnection ConnectionOf(int socket) => Find(socket, out TcpConnection connection) == Error.None ? connection : null;
    }
}
