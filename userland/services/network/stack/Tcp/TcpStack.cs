using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// TCP (RFC 9293) for the user-mode network stack: the protocol handler IP delivers segments to, the connection
    /// table, and the socket calls the network service forwards (TcpStack.Sockets.cs). All memory is the workspace
    /// given to <see cref="Create"/> plus the slot objects created there: nothing is allocated per segment or per
    /// connection afterwards. Timers run when the service calls <see cref="Tick"/> at <see cref="NextDeadline"/>.
    /// Single-threaded: the service serializes every call.
    /// </summary>
    public sealed unsafe partial class TcpStack : IIpProtocolHandler, INetworkTimer
    {
        /// <summary>Room for the largest segment built here (header with options, then payload).</summary>
        private const int TransmitBufferBytes = TcpLimits.MaximumHeaderLength + TcpLimits.MaximumSegmentPayload;

        private readonly IIpTransmitter _ip;
        private readonly IMonotonicClock _clock;
        private readonly TcpInitialSequence _initialSequence;
        private readonly TcpSynCookies _synCookies;
        private readonly TcpConnectionTable _table;
        private readonly TcpBufferPool _pool;
        private readonly TcpTimeWaitQueue _timeWait;
        private readonly byte* _transmit;
        private long _now;
        private int _halfOpenTotal;
        private readonly TcpTimerSummary _timers = new TcpTimerSummary();
        private int _nextEphemeral;
        private int _changedHead = TcpConnection.NoSlot, _changedTail = TcpConnection.NoSlot;
        private ulong _eventCount;

        public readonly TcpStatistics Statistics = new TcpStatistics();

        public byte Protocol => IpProtocol.Tcp;
        public TcpConnectionTable Table => _table;
        public TcpBufferPool BufferPool => _pool;
        public int HalfOpenConnections => _halfOpenTotal;
        /// <summary>Counts every change of any socket's readiness: the service can compare it to know whether to look at the changed list.</summary>
        public ulong EventCount => _eventCount;

        /// <summary>
        /// The workspace a stack of 'connections' slots with 'bufferBytes' of buffer memory needs (for example
        /// 1024 connections and 64 MiB of buffers: 512 default connections' worth of both buffers).
        /// </summary>
        public static ulong WorkspaceBytes(int connections, ulong bufferBytes) =>
            TransmitBufferBytes + TcpConnectionTable.WorkspaceBytes(connections) + 8
            + TcpBufferPool.WorkspaceBytes((int)(bufferBytes / TcpLimits.BufferBlockSize));

        private TcpStack(IIpTransmitter ip, IMonotonicClock clock, TcpInitialSequence initialSequence, int connections, byte* workspace, ulong length)
        {
            _ip = ip;
            _clock = clock;
            _initialSequence = initialSequence;
            _synCookies = new TcpSynCookies(initialSequence);
            _transmit = workspace;
            byte* tableMemory = workspace + TransmitBufferBytes;
            _table = new TcpConnectionTable(connections, tableMemory, initialSequence, _timers);
            _timeWait = new TcpTimeWaitQueue(connections);
            byte* poolMemory = tableMemory + TcpConnectionTable.WorkspaceBytes(connections);
            poolMemory += (8 - (long)poolMemory % 8) % 8;
            _pool = new TcpBufferPool(poolMemory, TcpBufferPool.BlocksFor(length - (ulong)(poolMemory - workspace)));
            _now = clock.NowMilliseconds;
            _nextEphemeral = (int)(initialSequence.Hash(Ipv4Address.Any, 0, Ipv4Address.Any, 0) % (TcpLimits.LastEphemeralPort - TcpLimits.FirstEphemeralPort + 1));
        }

        /// <summary>
        /// Creates a stack of 'connections' slots (1 to MaximumConnections) over 'workspace' ('length' bytes, see
        /// WorkspaceBytes; what is left after the table becomes buffer memory). 'secret0' and 'secret1' key the ISNs
        /// and the connection hash: give random values (the service asks the kernel for them).
        /// </summary>
        public static Error Create(IIpTransmitter ip, IMonotonicClock clock, ulong secret0, ulong secret1, int connections,
            byte* workspace, ulong length, out TcpStack stack)
        {
            stack = null;
            if (ip == null || clock == null || workspace == null || connections < 1 || connections > TcpLimits.MaximumConnections)
                return Error.Invalid;
            ulong fixedBytes = TransmitBufferBytes + TcpConnectionTable.WorkspaceBytes(connections) + 8;
            if (length < fixedBytes + TcpBufferPool.WorkspaceBytes(2 * TcpLimits.MinimumBufferSize / TcpLimits.BufferBlockSize))
                return Error.OutOfMemory;
            stack = new TcpStack(ip, clock, new TcpInitialSequence(secret0, secret1), connections, workspace, length);
            return Error.None;
        }

        // ---- Slots ----

        /// <summary>
        /// A free slot; when the table is full, the orphan in TIME-WAIT closest to its end is recycled (RFC 6191's
        /// reasoning: it only guards against old duplicates), found through the TIME-WAIT queue or, when the queue
        /// knows none, by a scan.
        /// </summary>
        private TcpConnection AllocateConnection()
        {
            TcpConnection connection = _table.Allocate();
            if (connection != null)
                return connection;
            TcpConnection oldest = _timeWait.TakeOldest(_table);
            for (int slot = 0; oldest == null && slot < _table.Extent; slot++)
            {
                TcpConnection candidate = _table[slot];
                if (candidate.InUse && candidate.State == TcpState.TimeWait && !candidate.Owned
                    && (oldest == null || candidate.TimeWaitDeadline < oldest.TimeWaitDeadline))
                    oldest = candidate;
            }
            if (oldest == null)
            {
                Statistics.TableFull++;
                return null;
            }
            Statistics.TimeWaitRecycled++;
            FreeConnection(oldest);
            return _table.Allocate();
        }

        /// <summary>Gives a connection's slot, buffers and place in its listener's lists back.</summary>
        private void FreeConnection(TcpConnection connection)
        {
            if (!connection.InUse)
                return;
            _table.Remove(connection);
            DetachFromParent(connection);
            if (connection.State == TcpState.Listen)
                DropChildren(connection);
            ReleaseBuffers(connection);
            _table.Release(connection);
        }

        private bool AttachBuffers(TcpConnection connection)
        {
            if (connection.SendBuffer.IsAttached)
                return true;
            int sendSize = TcpBufferPool.RoundUp(connection.SendBufferSize);
            int receiveSize = TcpBufferPool.RoundUp(connection.ReceiveBufferSize);
            byte* send = _pool.Allocate(sendSize);
            if (send == null)
            {
                Statistics.BufferFailures++;
                return false;
            }
            byte* receive = _pool.Allocate(receiveSize);
            if (receive == null)
            {
                _pool.Free(send, sendSize);
                Statistics.BufferFailures++;
                return false;
            }
            connection.SendBuffer.Attach(send, sendSize);
            connection.ReceiveBuffer.Attach(receive, receiveSize);
            return true;
        }

        private void ReleaseBuffers(TcpConnection connection)
        {
            if (connection.SendBuffer.IsAttached)
                _pool.Free(connection.SendBuffer.Memory, connection.SendBuffer.Capacity);
            connection.SendBuffer.Detach();
            ReleaseReceiveBuffer(connection);
        }

        private void ReleaseReceiveBuffer(TcpConnection connection)
        {
            if (connection.ReceiveBuffer.IsAttached)
                _pool.Free(connection.ReceiveBuffer.Memory, connection.ReceiveBuffer.Capacity);
            connection.ReceiveBuffer.Detach();
        }

        // ---- Listener's children ----

        private void AddHalfOpen(TcpConnection listener, TcpConnection child)
        {
            child.Parent = listener.Slot;
            Append(_table, ref listener.HalfOpenHead, ref listener.HalfOpenTail, child);
            listener.HalfOpenCount++;
            _halfOpenTotal++;
        }

        /// <summary>Adds a child at the end of one of a listener's lists (linked through ChildNext).</summary>
        private static void Append(TcpConnectionTable table, ref int head, ref int tail, TcpConnection child)
        {
            child.ChildNext = TcpConnection.NoSlot;
            if (tail == TcpConnection.NoSlot)
                head = child.Slot;
            else
                table[tail].ChildNext = child.Slot;
            tail = child.Slot;
        }

        private static bool Unlink(TcpConnectionTable table, ref int head, ref int tail, TcpConnection child)
        {
            int previous = TcpConnection.NoSlot;
            for (int slot = head; slot != TcpConnection.NoSlot; slot = table[slot].ChildNext)
            {
                if (slot == child.Slot)
                {
                    if (previous == TcpConnection.NoSlot)
                        head = child.ChildNext;
                    else
                        table[previous].ChildNext = child.ChildNext;
                    if (tail == child.Slot)
                        tail = previous;
                    child.ChildNext = TcpConnection.NoSlot;
                    return true;
                }
                previous = slot;
            }
            return false;
        }

        /// <summary>Takes a child out of its listener's half-open list or accept queue.</summary>
        private void DetachFromParent(TcpConnection child)
        {
            if (child.Parent == TcpConnection.NoSlot)
                return;
            TcpConnection listener = _table[child.Parent];
            if (child.InAcceptQueue)
            {
                if (Unlink(_table, ref listener.AcceptHead, ref listener.AcceptTail, child))
                    listener.AcceptCount--;
                child.InAcceptQueue = false;
            }
            else if (Unlink(_table, ref listener.HalfOpenHead, ref listener.HalfOpenTail, child))
            {
                listener.HalfOpenCount--;
                _halfOpenTotal--;
            }
            child.Parent = TcpConnection.NoSlot;
        }

        /// <summary>A half-open child completed its handshake: from the half-open list to the accept queue.</summary>
        private void MoveToAcceptQueue(TcpConnection listener, TcpConnection child)
        {
            DetachFromParent(child);
            child.Parent = listener.Slot;
            child.InAcceptQueue = true;
            Append(_table, ref listener.AcceptHead, ref listener.AcceptTail, child);
            listener.AcceptCount++;
            MarkChanged(listener);
        }

        /// <summary>A listener closes: half-open children go silently, those awaiting accept are reset (as Linux does).</summary>
        private void DropChildren(TcpConnection listener)
        {
            while (listener.HalfOpenHead != TcpConnection.NoSlot)
                FreeConnection(_table[listener.HalfOpenHead]);
            while (listener.AcceptHead != TcpConnection.NoSlot)
            {
                TcpConnection child = _table[listener.AcceptHead];
                SendReset(child);
                FreeConnection(child);
            }
        }

        /// <summary>Whether a listener's accept queue is full: Linux lets backlog + 1 wait (sk_acceptq_is_full).</summary>
        private static bool AcceptQueueFull(TcpConnection listener) => listener.AcceptCount > listener.Backlog;

        // ---- Ending a connection ----

        /// <summary>
        /// The connection ends with 'error' (ECONNREFUSED, ECONNRESET, ETIMEDOUT...): a reset goes out first when asked,
        /// the owner sees the error once (SO_ERROR or the next call) and EPIPE after; a connection nobody owns is freed.
        /// </summary>
        private void Fail(TcpConnection connection, Error error, bool sendReset)
        {
            if (sendReset && connection.Synchronized)
                SendReset(connection);
            if (connection.Owned)
            {
                connection.PendingError = error;
                connection.FatalError = error;
                EnterClosed(connection);
                ReleaseBuffers(connection);
                MarkChanged(connection);
            }
            else
            {
                FreeConnection(connection);
            }
        }

        /// <summary>CLOSED with the slot kept for its owner: unhashed, every timer stopped.</summary>
        private void EnterClosed(TcpConnection connection)
        {
            connection.State = TcpState.Closed;
            _table.Remove(connection);
            StopTimers(connection);
        }

        private static void StopTimers(TcpConnection connection)
        {
            connection.RetransmitDeadline = TcpConnection.NoDeadline;
            connection.DelayedAcknowledgmentDeadline = TcpConnection.NoDeadline;
            connection.PersistDeadline = TcpConnection.NoDeadline;
            connection.KeepAliveDeadline = TcpConnection.NoDeadline;
            connection.TimeWaitDeadline = TcpConnection.NoDeadline;
            connection.FinWait2Deadline = TcpConnection.NoDeadline;
        }

        /// <summary>The graceful end: CLOSED, and the slot freed unless the owner still holds it.</summary>
        private void CloseGracefully(TcpConnection connection)
        {
            if (connection.Owned)
            {
                EnterClosed(connection);
                MarkChanged(connection);
            }
            else
            {
                FreeConnection(connection);
            }
        }

        private void EnterTimeWait(TcpConnection connection)
        {
            StopTimers(connection);
            connection.State = TcpState.TimeWait;
            RestartTimeWait(connection);
            if (!connection.Owned)
                ReleaseBuffers(connection);   // an orphan needs no buffer to answer a retransmitted FIN
            MarkChanged(connection);
        }

        /// <summary>2 MSL from now (on entering TIME-WAIT, and again when the peer's FIN comes again), in the TIME-WAIT queue.</summary>
        private void RestartTimeWait(TcpConnection connection)
        {
            connection.TimeWaitDeadline = _now + TcpLimits.TimeWaitDuration;
            _timeWait.Add(connection);
        }

        // ---- Change notification ----

        /// <summary>Records that a socket's readiness may have changed: its owner's, or (for a child) its listener's.</summary>
        private void MarkChanged(TcpConnection connection)
        {
            _eventCount++;
            if (!connection.Owned)
            {
                if (connection.InAcceptQueue && connection.Parent != TcpConnection.NoSlot)
                    connection = _table[connection.Parent];
                else
                    return;
            }
            if (connection.Changed)
                return;
            connection.Changed = true;
            connection.ChangedNext = TcpConnection.NoSlot;
            if (_changedTail == TcpConnection.NoSlot)
                _changedHead = connection.Slot;
            else
                _table[_changedTail].ChangedNext = connection.Slot;
            _changedTail = connection.Slot;
        }

        /// <summary>
        /// Writes up to 'capacity' handles of sockets whose readiness may have changed since the last call (each
        /// once) and returns how many; the service polls them and wakes their waiters. Call again while it fills. A
        /// slot freed or reused since it was listed may be reported under its new handle: a spurious wake, never a lost one.
        /// </summary>
        public int TakeChangedSockets(int* sockets, int capacity)
        {
            int count = 0;
            while (count < capacity && _changedHead != TcpConnection.NoSlot)
            {
                TcpConnection connection = _table[_changedHead];
                _changedHead = connection.ChangedNext;
                if (_changedHead == TcpConnection.NoSlot)
                    _changedTail = TcpConnection.NoSlot;
                connection.ChangedNext = TcpConnection.NoSlot;
                connection.Changed = false;
                if (connection.InUse && connection.Owned)
                    sockets[count++] = HandleOf(connection);
            }
            return count;
        }
    }
}
