using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Synchronization
{
    /// <summary>
    /// Linux futexes: threads wait on a 32-bit word of user memory and are woken by address. A word is known by
    /// its physical address (so a word in shared memory is the same futex in every process that maps it; a
    /// private word in a copy-on-write page is copied first, so that parent and child never share a futex by
    /// accident). Waiters hang in one of <see cref="BucketCount"/> lists by hash, each thread on its own wait
    /// queue (LinuxThread.FutexWait); the value is compared under the bucket's lock, so a wake between the
    /// compare and the sleep cannot be lost.
    /// Lock order: a bucket's lock, then a waiter's queue lock.
    /// </summary>
    public static unsafe class Futexes
    {
        private const int BucketCount = 64;
        private static readonly SpinLockBox[] s_locks = CreateLocks();
        private static readonly LinuxThread[] s_heads = new LinuxThread[BucketCount];
        private static ulong s_waits, s_wakes;

        public static ulong Waits => s_waits;
        public static ulong Wakes => s_wakes;

        private sealed class SpinLockBox { public SpinLock Lock; }

        private static SpinLockBox[] CreateLocks()
        {
            SpinLockBox[] locks = new SpinLockBox[BucketCount];
            for (int i = 0; i < BucketCount; i++)
            {
                locks[i] = new SpinLockBox();
                locks[i].Lock.Rank = LockRank.PosixFutex;
            }
            return locks;
        }

        private static int BucketOf(ulong key) => (int)((key >> 2) * 0x9E3779B97F4A7C15UL >> 58) & (BucketCount - 1);

        /// <summary>
        /// The futex word's key (its physical address), the page made present and private first when it is
        /// copy-on-write. EFAULT for an address the caller cannot read, EINVAL if not 4-byte aligned.
        /// </summary>
        public static Error KeyOf(ulong address, out ulong key)
        {
            key = 0;
            if ((address & 3) != 0)
                return Error.Invalid;
            if (!UserMemory.IsUserRange(address, 4))
                return Error.BadAddress;
            AddressSpace space = Exo.Kernel.Scheduler.Scheduler.Current.Process.AddressSpace;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                if (space.TryTranslate(address, out ulong physical, out ulong flags)
                    && ((flags & KernelPageTables.CopyOnWrite) == 0))
                {
                    key = physical;
                    return Error.None;
                }
                // Not there yet, or shared with a fork: touch it as a write would (a read-only page stays as it is).
                if (space.FaultIn(address, 2 | (space.TryTranslate(address, out _, out _) ? 1UL : 0)) != AddressSpace.FaultOutcome.Mapped)
                {
                    if (space.TryTranslate(address, out physical, out _))
                    {
                        key = physical;
                        return Error.None;
                    }
                    return Error.BadAddress;
                }
            }
            return Error.BadAddress;
        }

        /// <summary>
        /// FUTEX_WAIT(_BITSET): sleeps if the word still holds 'expected', until a wake matching 'bitset', a signal
        /// (RestartSystemCall) or 'deadline' (TSC; 0: none; TimedOut).
        /// </summary>
        public static Error Wait(ulong address, uint expected, uint bitset, ulong deadline)
        {
            Error error = KeyOf(address, out ulong key);
            if (error != Error.None)
                return error;
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            LinuxThread self = LinuxThread.Current;
            int bucket = BucketOf(key);
            using (InterruptMask.Enter())
            {
                if (deadline != 0)
                    Exo.Kernel.Scheduler.Scheduler.ArmTimeout(deadline);
                s_locks[bucket].Lock.Enter();
                if (*(uint*)PhysicalMemory.ToVirtual(key) != expected)
                {
                    s_locks[bucket].Lock.Exit();
                    if (deadline != 0)
                        Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                    return Error.WouldBlock;   // EAGAIN: the word changed first
                }
                self.FutexKey = key;
                self.FutexBitset = bitset;
                self.FutexWoken = false;
                self.FutexNext = s_heads[bucket];
                s_heads[bucket] = self;
                s_waits++;
                self.FutexWait.Lock.Enter();
                s_locks[bucket].Lock.Exit();
                if (self.FutexWoken)
                    self.FutexWait.Lock.Exit();
                else
                    Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(self.FutexWait);
                bool woken;
                using (s_locks[bucket].Lock.Hold())
                {
                    woken = self.FutexWoken;
                    if (!woken)
                        Unlink(bucket, self);   // a signal or the deadline: still listed
                }
                bool timedOut = deadline != 0 && Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                if (woken)
                    return Error.None;
                if (current.WaitInterrupted)
                    return deadline != 0 ? Error.Interrupted : Error.RestartSystemCall;
                return timedOut ? Error.TimedOut : Error.None;   // else a spurious wake-up, which futex allows
            }
        }

        /// <summary>FUTEX_WAKE(_BITSET): wakes up to 'count' waiters on the word whose bitset meets 'bitset'; how many.</summary>
        public static Error Wake(ulong address, int count, uint bitset, out int woken)
        {
            woken = 0;
            Error error = KeyOf(address, out ulong key);
            if (error != Error.None)
                return error;
            int bucket = BucketOf(key);
            const int BatchCapacity = 16;
            LinuxThread[] batch = null;
            while (woken < count)
            {
                int taken = 0;
                LinuxThread single = null;
                using (InterruptMask.Enter())
                using (s_locks[bucket].Lock.Hold())
                {
                    for (LinuxThread waiter = s_heads[bucket], next; waiter != null && woken + taken < count; waiter = next)
                    {
                        next = waiter.FutexNext;
                        if (waiter.FutexKey != key || (waiter.FutexBitset & bitset) == 0)
                            continue;
                        Unlink(bucket, waiter);
                        waiter.FutexWoken = true;
                        waiter.Owner.Process.AddReference();   // the waiter's process may end once woken
                        if (taken == 0)
                        {
                            single = waiter;
                        }
                        else
                        {
                            batch ??= new LinuxThread[BatchCapacity];
                            batch[taken - 1] = waiter;
                        }
                        taken++;
                        if (taken == BatchCapacity)
                            break;
                    }
                }
                if (taken == 0)
                    break;
                for (int i = 0; i < taken; i++)
                {
                    LinuxThread waiter = i == 0 ? single : batch[i - 1];
                    waiter.FutexWait.WakeAll();
                    waiter.Owner.Process.Release();
                    if (i > 0)
                        batch[i - 1] = null;
                }
                woken += taken;
                s_wakes += (ulong)taken;
            }
            if (batch != null)
                Exo.Runtime.ObjectAllocator.Free(batch);
            return Error.None;
        }

        // Bucket lock held.
        private static void Unlink(int bucket, LinuxThread waiter)
        {
            if (s_heads[bucket] == waiter)
            {
                s_heads[bucket] = waiter.FutexNext;
            }
            else
            {
                for (LinuxThread t = s_heads[bucket]; t != null; t = t.FutexNext)
                {
                    if (t.FutexNext == waiter)
                    {
                        t.FutexNext = waiter.FutexNext;
                        break;
                    }
                }
            }
            waiter.FutexNext = null;
        }
    }
}
