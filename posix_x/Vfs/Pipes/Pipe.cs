using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Pipes
{
    /// <summary>
    /// A pipe's buffer and ends (pipe2, and a FIFO's shared pipe): a ring of <see cref="Capacity"/> bytes, the count
    /// of open read and write ends, and one wait queue whose lock guards it all. Reads block while it is empty and
    /// a writer remains (end of file once none does); writes block while it is full, and a write of at most
    /// <see cref="AtomicSize"/> bytes goes in whole or waits (POSIX's PIPE_BUF). Writing with no reader left
    /// raises SIGPIPE and fails with EPIPE. User memory is never touched with the lock held: bytes pass through
    /// a kernel staging buffer.
    /// </summary>
    public sealed unsafe class Pipe
    {
        public const int Capacity = 65536;      // Linux's default (16 pages)
        public const int AtomicSize = 4096;     // PIPE_BUF
        private const int StagingSize = 4096;

        private byte* _ring;
        private int _head, _count;               // where the oldest byte is; how many are buffered
        public int Readers, Writers;
        private readonly WaitQueue _changed = new WaitQueue();

        private static ulong s_bytesMoved;
        public static ulong BytesMoved => s_bytesMoved;

        private Pipe() { }

        public static Pipe Create()
        {
            byte* ring = (byte*)KernelHeap.AllocateUninitialized(Capacity);
            if (ring == null)
                return null;
            return new Pipe { _ring = ring };
        }

        public Error Read(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (count == 0)
                return Error.None;
            byte* staging = (byte*)KernelHeap.AllocateUninitialized(StagingSize);
            if (staging == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            Thread current = Scheduler.Current;
            using (InterruptMask.Enter())
            {
                while (done < count)
                {
                    _changed.Lock.Enter();
                    if (_count == 0)
                    {
                        if (done > 0 || Writers == 0)
                        {
                            _changed.Lock.Exit();
                            break;   // some bytes, or the end of the stream
                        }
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
                    int chunk = _count < StagingSize ? _count : StagingSize;
                    if ((ulong)chunk > count - done)
                        chunk = (int)(count - done);
                    for (int i = 0; i < chunk; i++)
                        staging[i] = _ring[(_head + i) % Capacity];
                    _head = (_head + chunk) % Capacity;
                    _count -= chunk;
                    _changed.Lock.Exit();
                    _changed.WakeAll();   // room for writers
                    Readiness.Changed();
                    if (!buffer.CopyIn(done, staging, (ulong)chunk))
                    {
                        // The bytes were taken from the pipe; as on Linux, a fault loses them.
                        if (done == 0)
                            error = Error.BadAddress;
                        break;
                    }
                    done += (ulong)chunk;
                    s_bytesMoved += (ulong)chunk;
                }
            }
            KernelHeap.Free(staging);
            return error;
        }

        public Error Write(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (count == 0)
                return Error.None;
            byte* staging = (byte*)KernelHeap.AllocateUninitialized(StagingSize);
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
                        int room = Capacity - _count;
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
                        int tail = (_head + _count) % Capacity;
                        for (int i = 0; i < part; i++)
                            _ring[(tail + i) % Capacity] = staging[written + i];
                        _count += part;
                        written += part;
                        _changed.Lock.Exit();
                        _changed.WakeAll();   // bytes for readers
                        Readiness.Changed();
                    }
                    done += (ulong)written;
                    s_bytesMoved += (ulong)written;
                    if (error != Error.None)
                        break;
                }
            }
            KernelHeap.Free(staging);
            if (done > 0 && error != Error.BadAddress)
                error = Error.None;   // a partial write counts (interrupted, non-blocking or the reader gone after some bytes)
            return error;
        }

        public PollEvents Poll(bool readEnd)
        {
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (readEnd)
                    return (_count > 0 ? PollEvents.In : PollEvents.None) | (Writers == 0 ? PollEvents.HangUp : PollEvents.None);
                return Readers == 0 ? PollEvents.Error : Capacity - _count >= AtomicSize ? PollEvents.Out : PollEvents.None;
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

        /// <summary>An end's last descriptor closed: the other side wakes (end of file, or EPIPE). True when both ends are gone.</summary>
        public bool Closed(bool readEnd)
        {
            bool gone;
            using (InterruptMask.Enter())
            using (_changed.Lock.Hold())
            {
                if (readEnd) Readers--; else Writers--;
                gone = Readers == 0 && Writers == 0;
            }
            _changed.WakeAll();
            Readiness.Changed();
            return gone;
        }

        public void Free()
        {
            KernelHeap.Free(_ring);
            Exo.Runtime.ObjectAllocator.Free(_changed);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
