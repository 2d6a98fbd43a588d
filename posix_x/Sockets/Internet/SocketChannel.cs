using System.Runtime.CompilerServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;
using Exo.PosixX.Vfs;
using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets.Internet
{
    /// <summary>
    /// The kernel's end of the network service's socket channel (Exo.Protocols.Sockets, docs/network.md): one for every
    /// Linux process's internet sockets, found by the name "network" among the services' offers. A caller takes a tag
    /// (its data slot), fills the slot, sends the request and sleeps until its completion is matched to its tag. The
    /// service's doorbell does the matching (<see cref="OnServiceDoorbell"/>): when the service rings it after
    /// publishing, the kernel drains the completion and event rings right there, in the service's system call, and
    /// wakes the callers, sleepers and pollers concerned, so an answer reaches its caller with one switch, not two
    /// through a thread of its own. The dispatcher thread ("posix-net") only looks every
    /// <see cref="ServerCheckMilliseconds"/> whether the service ended or left a request unanswered, and drains
    /// whatever a doorbell left. The service is not trusted: rings are attached only with the shapes this kernel expects,
    /// every record is copied out of shared memory and decoded before use, a wake-up drains a bounded number of records,
    /// and a malformed record, a request left unanswered for <see cref="ReplyTimeoutMilliseconds"/> or the service's
    /// end breaks the channel for good: its callers get ENETDOWN, its sockets report an error, and the next socket
    /// call finds the restarted service's new offer.
    /// Lock order: the channel's wait queue lock (rank WaitQueue) guards the tags, the socket table and every socket's
    /// readiness; the current channel's lock (SocketChannels) ranks above the offers' table it looks in.
    /// </summary>
    public sealed unsafe class SocketChannel
    {
        /// <summary>Internet sockets the kernel has open on one channel at once (a table of ids, a power of two).</summary>
        public const int MaximumSockets = 1024;
        /// <summary>How long the service may take over one request (it never waits for the network: it answers WouldBlock).</summary>
        public const ulong ReplyTimeoutMilliseconds = 5000;
        /// <summary>How often the dispatcher looks whether the service has ended or a request is overdue.</summary>
        private const ulong ServerCheckMilliseconds = 50;
        /// <summary>Records the dispatcher takes per wake-up before it looks at the service's state again.</summary>
        private const int MaximumRecordsPerWake = 512;
        // A tag is free, sent with its caller waiting, answered, posted (sent with nobody waiting: freed by its answer),
        // or an accept ahead (a listener's next connection, parked at the service until one comes: freed by its answer).
        private const byte TagFree = 0, TagSent = 1, TagDone = 2, TagPosted = 3, TagAhead = 4;
        /// <summary>Accepts ahead parked at once at most: each holds a tag for as long as no connection comes.</summary>
        public const int MaximumAcceptsAhead = 8;

        private static SocketChannel s_current;
        private static TicketLock s_currentLock;
        private static Semaphore s_channelAppeared;
        private static bool s_dispatcherStarted;

        private ServiceOffers.Offer _offer;
        private int _references;
        private bool _broken;
        // Its lock guards everything below; callers waiting for a tag or a completion and sockets' sleepers wait on it.
        private readonly WaitQueue _changed = new WaitQueue();
        private SocketClientRings _rings;
        private uint _freeTags = uint.MaxValue;
        private uint _tagGeneration;
        private readonly byte[] _tagStates = new byte[SocketChannelLayout.MaximumInFlight];
        private readonly uint[] _tagValues = new uint[SocketChannelLayout.MaximumInFlight];
        private readonly ulong[] _tagDeadlines = new ulong[SocketChannelLayout.MaximumInFlight];
        private readonly SocketCompletion[] _tagCompletions = new SocketCompletion[SocketChannelLayout.MaximumInFlight];
        // A socket a Create or Accept makes: registered under the completion's id by the dispatcher, before any event
        // for that id can be taken.
        private readonly InternetSocket[] _tagRegistrations = new InternetSocket[SocketChannelLayout.MaximumInFlight];
        // The tag's request is a Connect that makes its socket: its id comes with an error too.
        private readonly bool[] _tagMakesEvenOnError = new bool[SocketChannelLayout.MaximumInFlight];
        // An accept ahead's listener (its registration is the socket made for the connection).
        private readonly InternetSocket[] _tagListeners = new InternetSocket[SocketChannelLayout.MaximumInFlight];
        private int _acceptsAhead;   // parked now
        // Sockets made for accepts ahead that gave no connection (or one the table could not file): released after the
        // lock, a chain through InternetSocket.NextDiscarded.
        private InternetSocket _discarded;
        private readonly uint[] _socketIds = new uint[MaximumSockets];
        private readonly InternetSocket[] _sockets = new InternetSocket[MaximumSockets];
        private int _socketCount;
        // The drain's owner (1 while a thread drains) and the drains asked for: a doorbell that finds another thread
        // draining leaves its request for that thread, which looks again before it lets go (no lock, no spinning).
        private int _draining, _drainsAsked;

        private SocketChannel(ServiceOffers.Offer offer) { _offer = offer; _references = 1; }

        public bool IsBroken => System.Threading.Volatile.Read(ref _broken);

        /// <summary>
        /// The channel to the network service (a reference for the caller: <see cref="Release"/>), or
        /// EAFNOSUPPORT when no network service runs (Exo-OS without it has no internet family), ENETDOWN when the
        /// service offered a channel this kernel cannot use, ENOMEM.
        /// </summary>
        public static Error Acquire(out SocketChannel channel)
        {
            channel = Current();
            if (channel != null)
                return Error.None;
            byte* name = stackalloc byte[7];
            name[0] = (byte)'n'; name[1] = (byte)'e'; name[2] = (byte)'t'; name[3] = (byte)'w'; name[4] = (byte)'o'; name[5] = (byte)'r'; name[6] = (byte)'k';
            if (!ServiceOffers.TryFind(ServiceOffers.Kind.Sockets, name, 7, out ServiceOffers.Offer offer))
                return Error.AddressFamilyNotSupported;
            SocketChannel made = new SocketChannel(offer);
            if (!made.Attach())
            {
                KernelConsole.WriteLine("posix_x: the network service's socket channel has rings of another shape; not used");
                made.Release();
                return Error.NetworkDown;
            }
            offer.ClientNotification.Observer = &OnServiceDoorbell;   // set once; harmless for a channel replaced later
            StartDispatcher();
            using (InterruptMask.Enter())
            {
                s_currentLock.Rank = LockRank.SocketChannels;
                using (s_currentLock.Hold())
                {
                    if (s_current != null && !s_current.IsBroken)
                    {
                        channel = s_current;   // another caller attached first
                        System.Threading.Interlocked.Increment(ref channel._references);
                    }
                    else
                    {
                        SocketChannel old = s_current;
                        s_current = made;   // the table's reference
                        System.Threading.Interlocked.Increment(ref made._references);
                        channel = made;
                        made = old;   // the table's reference to the broken one goes below
                    }
                }
            }
            made?.Release();
            s_channelAppeared.Release();
            return Error.None;
        }

        private static SocketChannel Current()
        {
            using (InterruptMask.Enter())
            {
                s_currentLock.Rank = LockRank.SocketChannels;
                using (s_currentLock.Hold())
                {
                    SocketChannel channel = s_current;
                    if (channel == null || channel.IsBroken)
                        return null;
                    System.Threading.Interlocked.Increment(ref channel._references);
                    return channel;
                }
            }
        }

        /// <summary>Another reference (a socket made from one that holds the channel).</summary>
        public void AddReference() => System.Threading.Interlocked.Increment(ref _references);

        public void Release()
        {
            if (System.Threading.Interlocked.Decrement(ref _references) != 0)
                return;
            _offer.Release();
            Exo.Runtime.ObjectAllocator.Free(_changed);
            Exo.Runtime.ObjectAllocator.Free(_tagStates);
            Exo.Runtime.ObjectAllocator.Free(_tagValues);
            Exo.Runtime.ObjectAllocator.Free(_tagDeadlines);
            Exo.Runtime.ObjectAllocator.Free(_tagCompletions);
            Exo.Runtime.ObjectAllocator.Free(_tagRegistrations);
            Exo.Runtime.ObjectAllocator.Free(_tagMakesEvenOnError);
            Exo.Runtime.ObjectAllocator.Free(_tagListeners);
            Exo.Runtime.ObjectAllocator.Free(_socketIds);
            Exo.Runtime.ObjectAllocator.Free(_sockets);
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        // Each ring lies in one page of the memory object (SocketChannelLayout), reached through the direct map; the
        // shapes are checked here once and kept in the kernel's own ring state, so a later change by the service
        // cannot make the kernel read outside those pages.
        private bool Attach()
            => _offer.Memory.Size >= SocketChannelLayout.Size
               && _rings.Attach(PageOf(SocketChannelLayout.RequestRingOffset), PageOf(SocketChannelLayout.CompletionRingOffset),
                   PageOf(SocketChannelLayout.EventRingOffset));

        private byte* PageOf(int offset) => (byte*)PhysicalMemory.ToVirtual(_offer.Memory.FrameAt(offset >> 12)) + (offset & 0xFFF);

        // ---- Callers: a tag, its data slot, one exchange ----

        /// <summary>Takes a free tag (sleeping while all are in use); -1 when the channel broke meanwhile.</summary>
        public int BeginRequest()
        {
            while (true)
            {
                bool slept;
                using (InterruptMask.Enter())
                {
                    _changed.Lock.Enter();
                    if (_broken)
                    {
                        _changed.Lock.Exit();
                        return -1;
                    }
                    if (_freeTags != 0)
                    {
                        int slot = TakeTagLocked();
                        _changed.Lock.Exit();
                        return slot;
                    }
                    slept = Scheduler.BlockOnLockedInterruptibly(_changed);   // releases the lock
                }
                if (!slept)
                    Scheduler.Sleep(1);   // being killed or signalled: the others' tags come back soon
            }
        }

        // Lock held, a tag free: takes the lowest.
        private int TakeTagLocked()
        {
            int slot = System.Numerics.BitOperations.TrailingZeroCount(_freeTags);
            _freeTags &= ~(1u << slot);
            _tagStates[slot] = TagFree;
            return slot;
        }

        // A free tag without waiting for one, or -1 (none free, or the channel broke).
        private int TryBeginRequest()
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
                return _broken || _freeTags == 0 ? -1 : TakeTagLocked();
        }

        /// <summary>Gives a tag back (every BeginRequest that returned one ends here).</summary>
        public void EndRequest(int slot)
        {
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                _tagStates[slot] = TagFree;
                _tagRegistrations[slot] = null;
                _freeTags |= 1u << slot;
                _changed.WakeAllLocked();
                _changed.Lock.Exit();
            }
        }

        /// <summary>Copies 'count' bytes from offset 'at' of 'transfer''s buffers into the tag's data slot; false on a fault.</summary>
        public bool FillSlot(int slot, ref SocketTransfer transfer, ulong at, int count) => CopySlot(slot, ref transfer, at, count, toSlot: true);

        /// <summary>Copies 'count' bytes of the tag's data slot into 'transfer''s buffers from offset 'at'; false on a fault.</summary>
        public bool EmptySlot(int slot, ref SocketTransfer transfer, ulong at, int count) => CopySlot(slot, ref transfer, at, count, toSlot: false);

        // The slot's pages are not contiguous in the kernel: a page at a time through the direct map.
        private bool CopySlot(int slot, ref SocketTransfer transfer, ulong at, int count, bool toSlot)
        {
            int offset = SocketChannelLayout.DataOffsetOf((uint)slot);
            for (int done = 0; done < count;)
            {
                int chunk = ChunkAt(offset + done, count - done);
                byte* page = PageOf(offset + done);
                if (toSlot ? !transfer.Gather(at + (ulong)done, page, (ulong)chunk) : !transfer.Scatter(at + (ulong)done, page, (ulong)chunk))
                    return false;
                done += chunk;
            }
            return true;
        }

        /// <summary>Copies kernel memory into the tag's data slot (at most MaximumOptionLength bytes: options).</summary>
        public void WriteSlot(int slot, byte* from, int count)
        {
            int offset = SocketChannelLayout.DataOffsetOf((uint)slot);
            BlockMemory.Copy(PageOf(offset), from, (ulong)count);   // the slot's first page holds it
        }

        /// <summary>Copies the start of the tag's data slot into kernel memory (options, at most one page).</summary>
        public void ReadSlot(int slot, byte* to, int count)
        {
            int offset = SocketChannelLayout.DataOffsetOf((uint)slot);
            BlockMemory.Copy(to, PageOf(offset), (ulong)count);
        }

        private static int ChunkAt(int offset, int left) => 4096 - (offset & 0xFFF) < left ? 4096 - (offset & 0xFFF) : left;

        /// <summary>
        /// Sends 'request' under the tag 'slot' (its Tag is set here) and sleeps until its completion: Error.None with
        /// 'completion' (its Status is the operation's result), or NetworkDown once the channel is broken. When the
        /// completion succeeds and 'register' is given, the completion's drainer files it under the new socket's id
        /// (Value) first.
        /// </summary>
        public Error Exchange(int slot, ref SocketRequest request, InternetSocket register, out SocketCompletion completion)
        {
            completion = default;
            Error error = Send(slot, ref request, register, TagSent);
            if (error != Error.None)
                return error;
            while (true)
            {
                bool slept;
                using (InterruptMask.Enter())
                {
                    _changed.Lock.Enter();
                    if (_tagStates[slot] == TagDone || _broken)
                    {
                        bool done = _tagStates[slot] == TagDone;
                        if (done)
                            completion = _tagCompletions[slot];
                        _changed.Lock.Exit();
                        return done ? Error.None : Error.NetworkDown;
                    }
                    slept = Scheduler.BlockOnLockedInterruptibly(_changed);   // releases the lock
                }
                // The request is the service's now and its tag cannot be reused before the answer: a signal or a kill
                // does not end this wait (the answer comes quickly, or the channel breaks).
                if (!slept)
                    Scheduler.Sleep(1);
            }
        }

        /// <summary>
        /// Sends 'request' and does not wait for its answer: a socket's last close, whose outcome Linux's close does
        /// not report. The tag is the caller's until this returns, then the answer's (which frees it), so the caller
        /// goes on at once and the service takes the close with the caller's next request.
        /// </summary>
        public void Post(int slot, ref SocketRequest request)
        {
            if (Send(slot, ref request, null, TagPosted) != Error.None)
                EndRequest(slot);
        }

        // Files the tag as 'state' and writes the request into the ring, ringing the service if it sleeps. A full ring is
        // waited out, unless '!mayWait' (a drain's own requests: the service thread itself may be the drainer), which
        // answers WouldBlock with nothing filed or sent.
        [System.Runtime.CompilerServices.SkipLocalsInit]   // Encode writes the whole record before it is read
        private Error Send(int slot, ref SocketRequest request, InternetSocket register, byte state, InternetSocket listener = null,
            bool mayWait = true)
        {
            byte* record = stackalloc byte[SocketRequest.Length];
            bool sent, ring = false;
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                if (_broken)
                {
                    _changed.Lock.Exit();
                    return Error.NetworkDown;
                }
                uint tag = (++_tagGeneration << 5) | (uint)slot;
                request.Tag = tag;
                // Not checked here: the service checks every request and refuses a malformed one with Invalid, which
                // its caller then gets (a kernel bug's only outcome either way).
                request.EncodeUnchecked(record);
                // Written under the same lock as the tag is filed (one lock taken per request, not two): the drain
                // cannot take the answer before the tag says what it is.
                sent = _rings.Requests.TryWrite(record);
                if (!sent && !mayWait)
                {
                    _changed.Lock.Exit();
                    return Error.WouldBlock;
                }
                _tagValues[slot] = tag;
                _tagStates[slot] = state;
                _tagRegistrations[slot] = register;
                _tagListeners[slot] = listener;
                _tagMakesEvenOnError[slot] = request.MakesItsSocket;
                _tagDeadlines[slot] = Cpu.ReadTimeStampCounter() + ReplyTimeoutMilliseconds * (SystemClock.TscFrequency / 1000);
                if (sent)
                    ring = _rings.Requests.Publish();
                _changed.Lock.Exit();
            }
            if (ring)
                _offer.ServerNotification.Signal(SocketChannelLayout.RequestBit);
            if (sent)
                return Error.None;
            // The ring holds a request per tag, but the service may answer before it frees the request's slot: a full
            // ring is waited out (briefly; the deadline above breaks the channel if the service stops).
            while (true)
            {
                Scheduler.Sleep(1);
                bool written, wake = false;
                using (InterruptMask.Enter())
                {
                    _changed.Lock.Enter();
                    written = _broken || _rings.Requests.TryWrite(record);
                    if (written && !_broken)
                        wake = _rings.Requests.Publish();
                    _changed.Lock.Exit();
                }
                if (wake)
                    _offer.ServerNotification.Signal(SocketChannelLayout.RequestBit);
                if (written)
                    return Error.None;
            }
        }

        // ---- Sockets' readiness ----

        /// <summary>
        /// A socket's changes counter, to give <see cref="WaitForChange"/> later. Written under the channel's lock, read
        /// without it: an aligned int is read whole, the read is ordered before the caller's later reads (its Id), and
        /// a change counted after it makes WaitForChange, which compares under the lock, return at once.
        /// </summary>
        public int ChangesOf(InternetSocket socket) => System.Threading.Volatile.Read(ref socket.Changes);

        /// <summary>
        /// Sleeps until 'socket' has changed since the caller saw 'seen' changes, the channel breaks, a signal comes
        /// (RestartSystemCall) or an armed deadline passes (WouldBlock).
        /// </summary>
        public Error WaitForChange(InternetSocket socket, int seen)
        {
            Thread current = Scheduler.Current;
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                if (socket.Changes == seen && !_broken)
                    Scheduler.BlockOnLockedInterruptibly(_changed);   // releases the lock either way; the caller looks again
                else
                    _changed.Lock.Exit();
            }
            if (current.WaitInterrupted)
                return Error.RestartSystemCall;
            if (System.Threading.Volatile.Read(ref current.TimedOut) != 0)
                return Error.WouldBlock;
            return IsBroken ? Error.NetworkDown : Error.None;
        }

        /// <summary>Counts a change of 'socket' that is not the service's (it was made) and wakes its sleepers.</summary>
        public void NoteChange(InternetSocket socket)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                socket.Changes++;
                _changed.WakeAllLocked();
            }
        }

        /// <summary>Takes 'socket' out of the table (before its Close is sent, so its id may be reused at once).</summary>
        public void Forget(InternetSocket socket)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                int index = Find(socket.Id);
                if (index >= 0 && _sockets[index] == socket)
                    RemoveAt(index);
            }
        }

        // Lock held: the table's index of 'id', or -1. Linear probing from the id's hash; removal shifts back.
        private int Find(uint id)
        {
            for (int probe = 0, i = Hash(id); probe < MaximumSockets; probe++, i = (i + 1) & (MaximumSockets - 1))
            {
                if (_sockets[i] == null)
                    return -1;
                if (_socketIds[i] == id)
                    return i;
            }
            return -1;
        }

        private static int Hash(uint id) => (int)((id * 2654435761u) >> 22) & (MaximumSockets - 1);

        // Lock held: false when the table is full or the id is filed already (a service that reuses a live id).
        private bool Insert(uint id, InternetSocket socket)
        {
            if (_socketCount >= MaximumSockets - 1 || Find(id) >= 0)
                return false;
            int i = Hash(id);
            while (_sockets[i] != null)
                i = (i + 1) & (MaximumSockets - 1);
            _sockets[i] = socket;
            _socketIds[i] = id;
            _socketCount++;
            return true;
        }

        private void RemoveAt(int index)
        {
            _sockets[index] = null;
            _socketCount--;
            // Entries after it in its run move back where a lookup would look first.
            int i = (index + 1) & (MaximumSockets - 1);
            while (_sockets[i] != null)
            {
                InternetSocket moved = _sockets[i];
                uint id = _socketIds[i];
                _sockets[i] = null;
                int j = Hash(id);
                while (_sockets[j] != null)
                    j = (j + 1) & (MaximumSockets - 1);
                _sockets[j] = moved;
                _socketIds[j] = id;
                i = (i + 1) & (MaximumSockets - 1);
            }
        }

        // ---- The dispatcher ----

        private static void StartDispatcher()
        {
            Semaphore made = new Semaphore(0);
            bool start = false;
            using (InterruptMask.Enter())
            {
                s_currentLock.Rank = LockRank.SocketChannels;
                using (s_currentLock.Hold())
                {
                    if (!s_dispatcherStarted)
                    {
                        s_channelAppeared = made;
                        s_dispatcherStarted = start = true;
                    }
                }
            }
            if (start)
                Scheduler.Create("posix-net", &Dispatch, 0);
            else
                Exo.Runtime.ObjectAllocator.Free(made);
        }

        // One kernel thread for the life of the kernel: it serves the current channel until it breaks, then the next.
        private static void Dispatch(ulong unused)
        {
            while (true)
            {
                SocketChannel channel = Current();
                if (channel == null)
                {
                    s_channelAppeared.Wait();
                    continue;
                }
                channel.Serve();
                channel.Release();
            }
        }

        private void Serve()
        {
            while (!IsBroken)
            {
                DrainAndArm(int.MaxValue);   // what a doorbell left (none rang yet, or its budget ran out)
                Scheduler.Sleep(ServerCheckMilliseconds);
                if (_offer.Server.State == ProcessState.Exited)
                    Break("ended");
                else if (Overdue())
                    Break("did not answer a request in time");
            }
        }

        // The service rang its doorbell (in its NotificationSignal, with no lock held): the records it published are
        // taken now, by the thread that rang. A doorbell of a channel given up meanwhile drains the current one, which
        // does no harm.
        private static void OnServiceDoorbell()
        {
            SocketChannel channel = Current();
            if (channel == null)
                return;
            channel.DrainAndArm(DoorbellBudgets);
            channel.Release();
        }

        /// <summary>Rounds of MaximumRecordsPerWake records a doorbell takes at most: a flood is left to the dispatcher.</summary>
        private const int DoorbellBudgets = 4;

        // Drains both rings, then announces the kernel asleep on them so that the service's next publish rings the
        // doorbell (or, if records came meanwhile, drains again): at most 'rounds' budgets. One thread drains at a
        // time (the rings have one consumer); another that comes meanwhile leaves its request to the drainer.
        private void DrainAndArm(int rounds)
        {
            System.Threading.Interlocked.Increment(ref _drainsAsked);
            byte* record = stackalloc byte[SocketCompletion.Length];
            while (System.Threading.Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
            {
                int asked = System.Threading.Volatile.Read(ref _drainsAsked);
                while (!IsBroken && rounds-- > 0)
                {
                    _rings.Completions.FinishSleep();
                    _rings.Events.FinishSleep();
                    if (!Drain(record))
                        continue;   // the budget ran out: more records wait
                    if (_rings.Completions.PrepareToSleep() && _rings.Events.PrepareToSleep())
                        break;   // both empty and armed: the next publish rings
                }
                System.Threading.Volatile.Write(ref _draining, 0);
                if (rounds <= 0 || System.Threading.Volatile.Read(ref _drainsAsked) == asked)
                    return;   // nobody asked meanwhile (or the budget is spent: the dispatcher goes on within its period)
            }
        }

        // Takes completions, then events (a socket a completion registers is filed before its first event is taken),
        // all under one hold of the lock (the records are copied and decoded in a few dozen instructions each, and the
        // budget bounds the hold); false when it stopped at the budget.
        private bool Drain(byte* record)
        {
            int budget = MaximumRecordsPerWake;
            bool completed = false, changed = false;
            string malformed = null;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                while (budget > 0 && _rings.Completions.TryRead(record))
                {
                    budget--;
                    SocketMessageProblem problem = SocketCompletion.Decode(record, out SocketCompletion completion);
                    if (problem != SocketMessageProblem.None || !Complete(ref completion, ref changed))
                    {
                        malformed = "sent a malformed or unasked-for completion";
                        break;
                    }
                    completed = true;
                }
                if (malformed == null)
                {
                    _rings.Completions.Release();
                    while (budget > 0 && _rings.Events.TryRead(record))
                    {
                        budget--;
                        if (SocketEvent.Decode(record, out SocketEvent change) != SocketMessageProblem.None)
                        {
                            malformed = "sent a malformed readiness event";
                            break;
                        }
                        int index = Find(change.Socket);
                        if (index >= 0)   // a socket closed meanwhile is no longer filed: its late events go nowhere
                        {
                            InternetSocket socket = _sockets[index];
                            socket.ReadinessBits = change.Readiness;
                            socket.PendingError = change.PendingError;
                            socket.Changes++;
                            changed = true;
                        }
                    }
                    if (malformed == null)
                        _rings.Events.Release();
                }
                if (completed || changed)
                    _changed.WakeAllLocked();
            }
            ReleaseDiscarded();
            if (malformed != null)
            {
                Break(malformed);
                return true;
            }
            if (changed)
                Readiness.Changed();
            return budget > 0;
        }

        // Lock held: the completion's tag must name a request in flight; a socket a request made (Create, Accept, a
        // Connect without a socket) is filed. 'changed': a socket changed (an accept ahead settled).
        private bool Complete(ref SocketCompletion completion, ref bool changed)
        {
            int slot = (int)(completion.Tag & (SocketChannelLayout.MaximumInFlight - 1));
            byte state = _tagStates[slot];
            if ((state != TagSent && state != TagPosted && state != TagAhead) || _tagValues[slot] != completion.Tag)
                return false;
            if (state != TagSent)
            {
                _tagStates[slot] = TagFree;   // nobody waits: the tag is free again (the drain wakes its waiters)
                _freeTags |= 1u << slot;
                if (state == TagAhead)
                {
                    SettleAhead(slot, ref completion);
                    changed = true;
                }
                return true;
            }
            InternetSocket register = _tagRegistrations[slot];
            // A Connect that made its socket gives the id with its error too (the socket stays after a failed
            // connect); a Create or an Accept gives one only when it succeeds.
            if (register != null && (completion.Status == 0 || (_tagMakesEvenOnError[slot] && completion.Value != 0)))
            {
                uint id = (uint)completion.Value;
                if (id == 0 || completion.Value > uint.MaxValue)
                    return false;
                if (Insert(id, register))
                    register.Id = id;
                else
                    completion.Status = (ushort)Error.NoBufferSpace;   // Value kept: the caller closes the service's socket
            }
            _tagCompletions[slot] = completion;
            _tagStates[slot] = TagDone;
            return true;
        }

        // ---- Accepts ahead ----
        // A listening stream keeps an Accept parked at the service (FlagWait: answered when a connection is ready, or
        // with an error when the listener closes), under a tag nobody waits on (TagAhead). Its answer's socket is
        // filed and left in the listener's Ahead; the owner's accept takes it there without a request, and parks the
        // next. A loopback connect's handshake and the parked accept's answer come in the same turn of the service,
        // so the accept after a connect costs no switch. At most MaximumAcceptsAhead are parked (each holds a tag);
        // a listener that closes sends its close first, which answers its parked accept, then resets the connection
        // left ahead, as Linux resets the connections a closing listener leaves unaccepted.

        /// <summary>
        /// Parks 'listener''s next accept at the service, unless one is parked or a connection waits in Ahead already,
        /// or enough are parked (its owner's accept then asks itself). Waits for a free tag. Only its owner's listen
        /// and accept call it, holding a reference, so it never runs beside the listener's close.
        /// </summary>
        public void AcceptAhead(InternetSocket listener)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (_broken || listener.AheadPending || listener.Ahead != null || _acceptsAhead >= MaximumAcceptsAhead)
                    return;
                listener.AheadPending = true;
                _acceptsAhead++;
            }
            int slot = BeginRequest();
            if (slot >= 0)
            {
                InternetSocket made = InternetSocket.MadeAhead(listener);
                var request = new SocketRequest { Operation = SocketOperation.Accept, Socket = listener.Id, Flags = SocketRequest.FlagWait };
                if (Send(slot, ref request, made, TagAhead, listener) == Error.None)
                    return;
                EndRequest(slot);
                made.Release();   // never filed (no id): nothing to close
            }
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                listener.AheadPending = false;   // the channel broke: nobody waits for this one
                _acceptsAhead--;
                listener.Changes++;
                _changed.WakeAllLocked();
            }
        }

        // Lock held, the tag freed: an accept ahead's answer. Its socket is filed and left to the listener, or discarded
        // (no connection after all, or no room in the table: then the service's socket is closed).
        private void SettleAhead(int slot, ref SocketCompletion completion)
        {
            InternetSocket listener = _tagListeners[slot], made = _tagRegistrations[slot];
            _tagListeners[slot] = null;
            _tagRegistrations[slot] = null;
            uint id = (uint)completion.Value;
            bool given = completion.Status == 0 && id != 0 && completion.Value <= uint.MaxValue;
            if (given && Insert(id, made))
            {
                made.Id = id;
                listener.Ahead = made;
            }
            else
            {
                made.Id = given ? id : 0;   // unfiled: ReleaseDiscarded closes it
                made.NextDiscarded = _discarded;
                _discarded = made;
            }
            listener.AheadPending = false;
            listener.Changes++;
            _acceptsAhead--;
        }

        // Releases the sockets accepts ahead made in vain (no lock held; never waits for a tag: a drain must not).
        private void ReleaseDiscarded()
        {
            if (_discarded == null)
                return;   // the usual case, without the lock (one put there meanwhile waits for the next drain)
            InternetSocket chain;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                chain = _discarded;
                _discarded = null;
            }
            while (chain != null)
            {
                InternetSocket made = chain;
                chain = made.NextDiscarded;
                made.NextDiscarded = null;
                if (made.Id != 0)
                {
                    var request = new SocketRequest { Operation = SocketOperation.Close, Socket = made.Id };
                    int slot = TryBeginRequest();
                    // None free or the ring full: the service's socket stays until the service ends (a full table's rare case).
                    if (slot >= 0 && Send(slot, ref request, null, TagPosted, mayWait: false) != Error.None)
                        EndRequest(slot);
                    made.Id = 0;   // so that its release does not close it again
                }
                made.Release();
            }
        }

        /// <summary>
        /// 'listener' is closing (its Close sent, which answers its parked accept; nobody holds it to start another):
        /// the parked one is waited out (its answer comes at once, or the channel breaks), and the connection
        /// left ahead, if any, is returned for the caller to reset.
        /// </summary>
        public InternetSocket EndAcceptingAhead(InternetSocket listener)
        {
            while (true)
            {
                bool slept;
                using (InterruptMask.Enter())
                {
                    _changed.Lock.Enter();
                    if (!listener.AheadPending || _broken)
                    {
                        InternetSocket ahead = listener.Ahead;
                        listener.Ahead = null;
                        _changed.Lock.Exit();
                        return ahead;
                    }
                    slept = Scheduler.BlockOnLockedInterruptibly(_changed);   // releases the lock
                }
                if (!slept)
                    Scheduler.Sleep(1);   // being killed: the answer still comes soon
            }
        }

        /// <summary>
        /// The connection accepted ahead for 'listener', taken (the caller's now), or null; 'parked' says whether an
        /// accept ahead is still parked (a connection may come to it).
        /// </summary>
        public InternetSocket TakeAhead(InternetSocket listener, out bool parked)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                InternetSocket ahead = listener.Ahead;
                listener.Ahead = null;
                parked = listener.AheadPending;
                return ahead;
            }
        }

        private bool Overdue()
        {
            ulong now = Cpu.ReadTimeStampCounter();
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                for (int slot = 0; slot < SocketChannelLayout.MaximumInFlight; slot++)
                    if ((_tagStates[slot] == TagSent || _tagStates[slot] == TagPosted) && now > _tagDeadlines[slot])
                        return true;   // an accept ahead waits for a connection: no deadline
            }
            return false;
        }

        // The channel is given up: every caller and sleeper wakes to ENETDOWN, every socket reports a reset.
        private void Break(string why)
        {
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                bool first = !_broken;
                _broken = true;
                if (first)
                {
                    for (int i = 0; i < MaximumSockets; i++)
                    {
                        InternetSocket socket = _sockets[i];
                        if (socket == null)
                            continue;
                        socket.ReadinessBits = SocketReadiness.Readable | SocketReadiness.Writable | SocketReadiness.Error | SocketReadiness.HangUp;
                        socket.PendingError = (ushort)Error.ConnectionReset;
                        socket.Changes++;
                    }
                    // Accepts ahead in flight get no answer now: their sockets go (their listeners stop waiting for them).
                    for (int slot = 0; slot < SocketChannelLayout.MaximumInFlight; slot++)
                    {
                        if (_tagStates[slot] != TagAhead)
                            continue;
                        InternetSocket made = _tagRegistrations[slot];
                        _tagRegistrations[slot] = null;
                        _tagListeners[slot] = null;
                        _tagStates[slot] = TagFree;
                        made.NextDiscarded = _discarded;
                        _discarded = made;
                    }
                }
                _changed.Lock.Exit();
                _changed.WakeAll();
                if (!first)
                    return;
            }
            ReleaseDiscarded();
            KernelConsole.Write("posix_x: the network service ");
            KernelConsole.Write(why);
            KernelConsole.WriteLine("; its sockets fail and new ones wait for its restart");
            Readiness.Changed();
        }
    }
}
