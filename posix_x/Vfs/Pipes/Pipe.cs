using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Pipes
{
    /// <summary>
    /// A pipe's buffer and ends (pipe2, and a FIFO's shared pipe): a ring of <see cref="DefaultCapacity"/> bytes (F_SETPIPE_SZ resizes it), the count
    /// of open read and write ends, and one wait queue whose lock guards it all. Reads block while it is empty and
    /// a writer remains (end of file once none does); writes block while it is full, and a write of at most
    /// <see cref="AtomicSize"/> bytes goes in whole or waits (POSIX's PIPE_BUF). Writing with no reader left
    /// raises SIGPIPE and fails with EPIPE. User memory is never touched with the lock held: bytes pass through
    /// a kernel staging buffer.
    /// </summary>
    public sealed unsafe class Pipe
    {
        public const int DefaultCapacity = 65536;           // Linux's default (16 pages)
        public const int MaximumUnprivilegedCapacity = 1 << 20;   // /proc/sys/fs/pipe-max-size's default
        public const int MaximumCapacity = 16 << 20;        // this kernel's limit, even for root
        public const int AtomicSize = 4096;     // PIPE_BUF
        private const int StagingSize = 4096;
        // Transfers this small stage through the kernel stack instead of a heap page: most pipe traffic (a shell's
        // pipelines, ping-pong) moves a few bytes, and a page from the heap and back cost more than the transfer.
        private const int SmallStagingSize = 256;

        private byte* _ring;
        private int _capacity;                   // the ring's size: DefaultCapacity until F_SETPIPE_SZ changes it
        private int _head, _count;               // where the oldest byte is; how many are buffered
        public int Readers, Writers;
        // What epoll's edge-triggered mode counts (OpenFile.ChangeCount): bytes (or the last writer gone) for the read
        // end, room (or the last reader gone) for the write end; a read does not count for the read end, as on Linux.
        private int _dataChanges, _roomChanges;
        private int _closing;                    // closes between their count and the end of their wake-up (Closed)

        /// <summary>Changes a watcher of one end counts.</summary>
        public int ChangesFor(bool readEnd) => System.Threading.Volatile.Read(ref readEnd ? ref _dataChanges : ref _roomChanges);
        private readonly WaitQueue _changed = new WaitQueue();

        /// <summary>
        /// The key a poller of one end sleeps with: the counter that end's changes are announced with (bytes or the last
        /// writer gone for the read end; room or the last reader gone for the write end).
        /// </summary>
        public ulong ReadinessKeyFor(bool readEnd) => Readiness.KeyOf(ref readEnd ? ref _dataChanges : ref _roomChanges);

        private static ulong s_bytesMoved;
        public static ulong BytesMoved => s_bytesMoved;

        private Pipe() { }

        public static Pipe Create()
        {
            byte* ring = (byte*)KernelHeap.AllocateUninitialized(DefaultCapacity);
            if (ring == null)
                return null;
            return new Pipe { _ring = ring, _capacity = DefaultCapacity };
        }

        /// <summary>F_GETPIPE_SZ: the ring's size.</summary>
        public int Size
        {
            get
            {
                using (InterruptMask.Enter())
                using (_changed.Lock.Hold())
                    return _capacity;
            }
        }

        /// <summary>
        /// F_SETPIPE_SZ: the ring becomes 'requested' bytes rounded up to a power-of-two number of pages (at least one);
        /// EPERM past pipe-max-size for a caller that is not root, ENOMEM past this kernel's limit, EBUSY when more
        /// bytes are buffered than would fit. The bytes buffered keep their order.
        /// </summary>
        public Error Resize(ulong requested, bool privileged, out int size)
        {
            size = 0;
            if (requested > MaximumCapacity)
                return privileged ? Error.OutOfMemory : Error.NotPermitted;
            int rounded = 4096;
            while ((ulong)rounded < requested)
                rounded <<= 1;
            if (rounded > MaximumUnprivilegedCapacity && !privileged)
                return Error.NotPermitted;
            byte* ring = (byte*)KernelHeap.AllocateUninitialized((ulong)rounded);
            if (ring == null)
                return Error.OutOfMemory;
            byte* old;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (_count > rounded)
                {
                    old = ring;   // freed below: the pipe keeps its ring
                }
                else
                {
                    CopyFromRing(ring, _head, _count);
                    old = _ring;
                    _ring = ring;
                    _head = 0;
                    _capacity = rounded;
                    size = rounded;
                }
            }
            KernelHeap.Free(old);
            if (size == 0)
                return Error.Busy;
            _changed.WakeAll();   // writers may have room now
            Readiness.Changed(ref _roomChanges);
            return Error.None;
        }

        [System.Runtime.CompilerServices.SkipLocalsInit]   // the small staging buffer is written before it is read
        public Error Read(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (count == 0)
                return Error.None;
            byte* small = stackalloc byte[SmallStagingSize];
            byte* staging = Staging(count, small);
            if (staging == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            while (done < count)
            {
                // (a small transfer's count - done keeps it within 'small')
                int chunk = Take(staging, count - done < StagingSize ? (int)(count - done) : StagingSize, done == 0, nonBlocking, out error);
                if (chunk <= 0)
                    break;   // some bytes already, the end of the stream, or the error
                if (!buffer.CopyIn(done, staging, (ulong)chunk))
                {
                    // The bytes were taken from the pipe; as on Linux, a fault loses them.
                    if (done == 0)
                        error = Error.BadAddress;
                    break;
                }
                done += (ulong)chunk;
            }
            if (staging != small)
                KernelHeap.Free(staging);
            return done > 0 && error != Error.BadAddress ? Error.None : error;
        }

        /// <summary>
        /// Up to 'count' buffered bytes to 'destination' (kernel memory): what a read takes, and the pipe fast path's
        /// read (posix_x/Optimization/PipeFastPath). While the pipe is empty it waits for a writer's bytes when
        /// 'mayWait' (a read's first chunk) and a writer remains; 0 at the end of the stream or, when it may not wait,
        /// at once; otherwise 0 with 'error' EAGAIN (non-blocking) or the restart code (a signal came first).
        /// </summary>
        internal int Take(byte* destination, int count, bool mayWait, bool nonBlocking, out Error error)
        {
            error = Error.None;
            int chunk;
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                while (_count == 0)
                {
                    if (!mayWait || Writers == 0)
                    {
                        _changed.Lock.Exit();
                        return 0;
                    }
                    if (nonBlocking)
                    {
                        _changed.Lock.Exit();
                        error = Error.WouldBlock;
                        return 0;
                    }
                    Scheduler.BlockOnLockedInterruptibly(_changed);
                    if (Scheduler.Current.WaitInterrupted)
                    {
                        error = Error.RestartSystemCall;
                        return 0;
                    }
                    _changed.Lock.Enter();
                }
                chunk = _count < count ? _count : count;
                CopyFromRing(destination, _head, chunk);
                _head = (_head + chunk) & (_capacity - 1);   // a power of two (Create, Resize)
                _count -= chunk;
                if (!_changed.IsEmpty)   // (a writer queues under the lock after seeing the count: none is missed)
                    _changed.WakeAllLocked();   // room for writers (under the lock already: one hold, not two)
                _changed.Lock.Exit();
            }
            Readiness.Changed(ref _roomChanges);
            s_bytesMoved += (ulong)chunk;
            return chunk;
        }

        [System.Runtime.CompilerServices.SkipLocalsInit]   // the small staging buffer is written before it is read
        public Error Write(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (count == 0)
                return Error.None;
            byte* small = stackalloc byte[SmallStagingSize];
            byte* staging = Staging(count, small);
            if (staging == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            Thread current = Scheduler.Current;
            bool atomic = count <= AtomicSize;
            using (InterruptMask.Enter())
            {
                while (done < count)
                {
                    int chunk = count - done < StagingSize ? (int)(count - done) : StagingSize;
                    if (!buffer.CopyOut(done, staging, (ulong)chunk))
                    {
                        if (done == 0)
                            error = Error.BadAddress;
                        break;
                    }
                    int written = 0;
                    while (written < chunk)
                    {
                        _changed.Lock.Enter();
                        if (Readers == 0)
                        {
                            _changed.Lock.Exit();
                            error = Error.PeerGone;   // EPIPE; the caller raises SIGPIPE
                            break;
                        }
                        int room = _capacity - _count;
                        if (room == 0 || (atomic && room < chunk))
                        {
                            if (nonBlocking)
                            {
                                _changed.Lock.Exit();
                                error = Error.WouldBlock;
                                break;
                            }
                            Scheduler.BlockOnLockedInterruptibly(_changed);
                            if (current.WaitInterrupted)
                            {
                                error = Error.RestartSystemCall;
                                break;
                            }
                            continue;
                        }
                        int part = chunk - written < room ? chunk - written : room;
                        CopyToRing((_head + _count) & (_capacity - 1), staging + written, part);
                        _count += part;
                        written += part;
                        if (!_changed.IsEmpty)
                            _changed.WakeAllLocked();   // bytes for readers
                        _changed.Lock.Exit();
                        Readiness.Changed(ref _dataChanges);
                    }
                    done += (ulong)written;
                    s_bytesMoved += (ulong)written;
                    if (error != Error.None)
                        break;
                }
            }
            if (staging != small)
                KernelHeap.Free(staging);
            if (done > 0 && error != Error.BadAddress)
                error = Error.None;   // a partial write counts (interrupted, non-blocking or the reader gone after some bytes)
            return error;
        }

        /// <summary>
        /// The fast path's write: all 'count' bytes (at most <see cref="AtomicSize"/>) from 'source' (kernel memory), if a
        /// reader remains and they fit now; false otherwise (the general path then waits, or raises EPIPE and SIGPIPE).
        /// </summary>
        internal bool PutNow(byte* source, int count)
        {
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                if (Readers == 0 || _capacity - _count < count)
                {
                    _changed.Lock.Exit();
                    return false;
                }
                CopyToRing((_head + _count) & (_capacity - 1), source, count);
                _count += count;
                if (!_changed.IsEmpty)
                    _changed.WakeAllLocked();   // bytes for readers
                _changed.Lock.Exit();
            }
            Readiness.Changed(ref _dataChanges);
            s_bytesMoved += (ulong)count;
            return true;
        }

        // Where a transfer of 'count' bytes stages them: 'small' (the caller's stack) when it fits, else a heap page
        // (null when none is left); the caller frees a heap page.
        private static byte* Staging(ulong count, byte* small)
            => count <= SmallStagingSize ? small : (byte*)KernelHeap.AllocateUninitialized(StagingSize);

        // Lock held: 'count' bytes of the ring from 'start' (wrapping at its end) to 'destination', and back.
        // Inlined: most transfers are a few bytes, for which the call cost as much as the copy.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void CopyFromRing(byte* destination, int start, int count)
        {
            int first = _capacity - start < count ? _capacity - start : count;
            BlockMemory.Copy(destination, _ring + start, (ulong)first);
            if (count > first)
                BlockMemory.Copy(destination + first, _ring, (ulong)(count - first));
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void CopyToRing(int start, byte* source, int count)
        {
            int first = _capacity - start < count ? _capacity - start : count;
            BlockMemory.Copy(_ring + start, source, (ulong)first);
            if (count > first)
                BlockMemory.Copy(_ring, source + first, (ulong)(count - first));
        }

        public PollEvents Poll(bool readEnd)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (readEnd)
                    return (_count > 0 ? PollEvents.In : PollEvents.None) | (Writers == 0 ? PollEvents.HangUp : PollEvents.None);
                // No reader: POLLERR, and POLLOUT too, as Linux (a write would not block: it fails at once).
                return Readers == 0 ? PollEvents.Error | PollEvents.Out : _capacity - _count >= AtomicSize ? PollEvents.Out : PollEvents.None;
            }
        }

        /// <summary>FIONREAD: bytes buffered.</summary>
        public int Buffered
        {
            get
            {
                using (InterruptMask.Enter())
                using (_changed.Lock.Hold())
                    return _count;
            }
        }

        /// <summary>An end opened (a FIFO's open, a dup is not one: descriptors share the end).</summary>
        public void Opened(bool readEnd)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (readEnd) Readers++; else Writers++;
            }
        }

        /// <summary>
        /// An end's last descriptor closed: the other side wakes (end of file, or EPIPE). True when both ends are gone and
        /// no other close is still waking through this pipe: the caller then frees it. (Deciding before the wake-up let
        /// the two ends' closes on two processors free the pipe under the other's wake-up: a panic on its freed lock.)
        /// </summary>
        public bool Closed(bool readEnd)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (readEnd) Readers--; else Writers--;
                _closing++;
            }
            _changed.WakeAll();
            Readiness.Changed(ref readEnd ? ref _roomChanges : ref _dataChanges);
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
                return --_closing == 0 && Readers == 0 && Writers == 0;
        }

        public void Free()
        {
            KernelHeap.Free(_ring);
            Exo.Runtime.ObjectAllocator.Free(_changed);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
