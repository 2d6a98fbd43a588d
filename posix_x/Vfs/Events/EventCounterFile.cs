using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Events
{
    /// <summary>
    /// An eventfd: a 64-bit counter. A read takes the whole count (EFD_SEMAPHORE: one) and waits while it is 0; a
    /// write adds and waits while the sum would pass <see cref="Maximum"/>; both move exactly 8 bytes (EINVAL for
    /// less). Readable while the count is above 0, writable while 1 more fits. One wait queue whose lock guards the
    /// count; user memory is touched with no lock held.
    /// </summary>
    public sealed unsafe class EventCounterFile : AnonymousFile
    {
        /// <summary>The largest count (0xfffffffffffffffe: a write of ULLONG_MAX is EINVAL).</summary>
        public const ulong Maximum = 0xFFFF_FFFF_FFFF_FFFE;
        public const int SemaphoreFlag = 1;   // EFD_SEMAPHORE

        private readonly WaitQueue _changed = new WaitQueue();
        private readonly bool _semaphore;
        private ulong _count;
        private int _dataChanges, _roomChanges;   // writes that added, reads that took (epoll's edge-triggered mode)

        public EventCounterFile(ulong initial, int flags)
            : base(OpenFlags.ReadWrite | (flags & OpenFlags.NonBlocking))
        {
            _count = initial;
            _semaphore = (flags & SemaphoreFlag) != 0;
        }

        public override string KindName => "eventfd";

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < 8)
                return Error.Invalid;
            Error error = Transfer(reading: true, 0, out ulong value);
            if (error != Error.None)
                return error;
            if (!buffer.CopyIn(0, (byte*)&value, 8))
                return Error.BadAddress;
            done = 8;
            return Error.None;
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < 8)
                return Error.Invalid;
            ulong value;
            if (!buffer.CopyOut(0, (byte*)&value, 8))
                return Error.BadAddress;
            if (value == ulong.MaxValue)
                return Error.Invalid;
            Error error = Transfer(reading: false, value, out _);
            if (error == Error.None)
                done = 8;
            return error;
        }

        // A read takes what it may ('taken'), waiting while the count is 0; a write adds 'added', waiting while it would
        // not fit. EAGAIN instead of waiting when non-blocking; the restart code when a signal comes.
        private Error Transfer(bool reading, ulong added, out ulong taken)
        {
            taken = 0;
            using (InterruptMask.Enter())
            {
                _changed.Lock.Enter();
                while (reading ? _count == 0 : Maximum - _count < added)
                {
                    if (NonBlocking)
                    {
                        _changed.Lock.Exit();
                        return Error.WouldBlock;
                    }
                    Scheduler.BlockOnLockedInterruptibly(_changed);
                    if (Scheduler.Current.WaitInterrupted)
                        return Error.RestartSystemCall;
                    _changed.Lock.Enter();
                }
                if (reading)
                {
                    taken = _semaphore ? 1 : _count;
                    _count -= taken;
                }
                else
                {
                    _count += added;
                }
                _changed.Lock.Exit();
            }
            if (reading)
                Announce(ref _roomChanges);
            else if (added != 0)
                Announce(ref _dataChanges);
            return Error.None;
        }

        // The other side may go on: waiters on this counter, and every poller.
        private void Announce(ref int changes)
        {
            using (InterruptMask.Enter())
                if (!_changed.IsEmpty)
                    _changed.WakeAll();
            Readiness.Changed(ref changes);
        }


        public override PollEvents Poll()
        {
            ulong count = System.Threading.Volatile.Read(ref _count);
            return (count > 0 ? PollEvents.In : PollEvents.None) | (count < Maximum ? PollEvents.Out : PollEvents.None);
        }

        public override int ChangeCount(PollEvents interest)
            => ((interest & PollEvents.In) != 0 ? System.Threading.Volatile.Read(ref _dataChanges) : 0)
                + ((interest & PollEvents.Out) != 0 ? System.Threading.Volatile.Read(ref _roomChanges) : 0);

        protected override void Destroy()
        {
            Exo.Runtime.ObjectAllocator.Free(_changed);
            base.Destroy();
        }
    }
}
