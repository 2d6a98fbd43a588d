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
    /// compare and the sleep cannot be lost. A requeue moves waiters to another word's bucket (LinuxThread.FutexBucket
    /// says which bucket a waiter is in now; it changes under both buckets' locks).
    /// Lock order: a bucket's lock (two: the lower-numbered first, the other taken without waiting), then a waiter's
    /// queue lock. Every bucket lock is held with interrupts masked. A waker holds the grace flag from before it takes
    /// waiters off a list until it has woken them: a woken waiter may return, end and have its thread released
    /// meanwhile, and the release waits for the flag before it frees the waiter's state (ProcessLifecycle).
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]   // the wake batch on the stack needs no zeroing
    public static unsafe class Futexes
    {
        private const int BucketCount = 64;
        /// <summary>Waiters woken per hold of a bucket's lock (their addresses wait on the stack until the lock is dropped).</summary>
        private const int BatchCapacity = 32;
        public const uint MatchAny = 0xFFFFFFFF;
        private static readonly LockBox[] s_locks = CreateLocks();
        private static readonly LinuxThread[] s_heads = new LinuxThread[BucketCount];
        private static ulong s_waits, s_wakes, s_requeues;

        public static ulong Waits => s_waits;
        public static ulong Wakes => s_wakes;
        public static ulong Requeues => s_requeues;

        private sealed class LockBox { public TicketLock Lock; }

        private static LockBox[] CreateLocks()
        {
            LockBox[] locks = new LockBox[BucketCount];
            for (int i = 0; i < BucketCount; i++)
            {
                locks[i] = new LockBox();
                locks[i].Lock.Rank = LockRank.PosixFutex;
            }
            return locks;
        }

        private static int BucketOf(ulong key) => (int)((key >> 2) * 0x9E3779B97F4A7C15UL >> 58) & (BucketCount - 1);

        /// <summary>
        /// The futex word's key (its physical address), the page made present and private first when it is
        /// copy-on-write. EFAULT for an address the caller cannot read (or, 'write', cannot write), EINVAL if not
        /// 4-byte aligned.
        /// </summary>
        public static Error KeyOf(ulong address, out ulong key, bool write = false)
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
                    return !write || (flags & KernelPageTables.Writable) != 0 ? Error.None : Error.BadAddress;
                }
                // Not there yet, or shared with a fork: touch it as a write would (a read-only page stays as it is).
                if (space.FaultIn(address, 2 | (space.TryTranslate(address, out _, out _) ? 1UL : 0)) != AddressSpace.FaultOutcome.Mapped)
                {
                    if (!write && space.TryTranslate(address, out physical, out _))
                    {
                        key = physical;
                        return Error.None;
                    }
                    return Error.BadAddress;
                }
            }
            return Error.BadAddress;
        }

        private static uint* WordAt(ulong key) => (uint*)PhysicalMemory.ToVirtual(key);

        // Both buckets' locks (interrupts masked): the lower-numbered one first, the other only when free (never
        // waiting with the first held for a lock of the same rank, so two requeues cannot deadlock).
        private static void LockPair(int first, int second)
        {
            if (first > second)
            {
                int swap = first;
                first = second;
                second = swap;
            }
            s_locks[first].Lock.Enter();
            if (first == second)
                return;
            while (!s_locks[second].Lock.TryEnter())
                Cpu.Pause();
        }

        private static void UnlockPair(int first, int second)
        {
            s_locks[first].Lock.Exit();
            if (first != second)
                s_locks[second].Lock.Exit();
        }

        // The lock of the bucket 'waiter' hangs in now (a requeue may move it while we wait for the lock).
        private static int LockBucketOf(LinuxThread waiter)
        {
            while (true)
            {
                int bucket = System.Threading.Volatile.Read(ref waiter.FutexBucket);
                s_locks[bucket].Lock.Enter();
                if (waiter.FutexBucket == bucket)
                    return bucket;
                s_locks[bucket].Lock.Exit();
            }
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
                if (*WordAt(key) != expected)
                {
                    s_locks[bucket].Lock.Exit();
                    if (deadline != 0)
                        Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                    return Error.WouldBlock;   // EAGAIN: the word changed first
                }
                self.FutexKey = key;
                self.FutexBitset = bitset;
                self.FutexWoken = false;
                self.FutexBucket = bucket;
                self.FutexNext = s_heads[bucket];
                s_heads[bucket] = self;
                s_waits++;
                self.FutexWait.Lock.Enter();
                s_locks[bucket].Lock.Exit();
                if (self.FutexWoken)
                    self.FutexWait.Lock.Exit();
                else
                    Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(self.FutexWait);
                bucket = LockBucketOf(self);
                bool woken = self.FutexWoken;
                if (!woken)
                    Unlink(bucket, self);   // a signal or the deadline: still listed
                s_locks[bucket].Lock.Exit();
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
            ulong* batch = stackalloc ulong[BatchCapacity];
            while (woken < count)
            {
                int taken;
                using (InterruptMask.Enter())
                {
                    ref int grace = ref EnterGrace();
                    s_locks[bucket].Lock.Enter();
                    taken = TakeWaiters(bucket, key, bitset, count - woken, batch, 0);
                    s_locks[bucket].Lock.Exit();
                    WakeTaken(batch, taken);
                    System.Threading.Volatile.Write(ref grace, 0);
                }
                woken += taken;
                if (taken < BatchCapacity)
                    break;
            }
            return Error.None;
        }

        /// <summary>
        /// FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wakes up to 'wakeCount' waiters on the word at 'address' and moves up
        /// to 'requeueCount' more to wait on 'target' instead, in one step under both buckets' locks; with 'compare',
        /// only if the word still holds 'expected' (else EAGAIN). 'total': woken plus moved. At most BatchCapacity are
        /// woken (glibc wakes one).
        /// </summary>
        public static Error Requeue(ulong address, ulong target, int wakeCount, int requeueCount, bool compare, uint expected, out int total)
        {
            total = 0;
            Error error = KeyOf(address, out ulong key);
            ulong destination = 0;
            if (error == Error.None)
                error = KeyOf(target, out destination);
            if (error != Error.None)
                return error;
            int from = BucketOf(key), to = BucketOf(destination);
            ulong* batch = stackalloc ulong[BatchCapacity];
            int taken, moved = 0;
            using (InterruptMask.Enter())
            {
                ref int grace = ref EnterGrace();
                LockPair(from, to);
                if (compare && *WordAt(key) != expected)
                {
                    UnlockPair(from, to);
                    System.Threading.Volatile.Write(ref grace, 0);
                    return Error.WouldBlock;
                }
                taken = TakeWaiters(from, key, MatchAny, wakeCount, batch, 0);
                for (LinuxThread waiter = s_heads[from], next; waiter != null && moved < requeueCount; waiter = next)
                {
                    next = waiter.FutexNext;
                    if (waiter.FutexKey != key)
                        continue;
                    Unlink(from, waiter);
                    waiter.FutexKey = destination;
                    System.Threading.Volatile.Write(ref waiter.FutexBucket, to);
                    waiter.FutexNext = s_heads[to];
                    s_heads[to] = waiter;
                    moved++;
                }
                s_requeues += (ulong)moved;
                UnlockPair(from, to);
                WakeTaken(batch, taken);
                System.Threading.Volatile.Write(ref grace, 0);
            }
            total = taken + moved;
            return Error.None;
        }

        // FUTEX_OP's operations and comparisons (uapi futex.h).
        private const int OperationSet = 0, OperationAdd = 1, OperationOr = 2, OperationAndNot = 3, OperationExclusiveOr = 4;
        private const int OperationArgumentShift = 8;
        private const int CompareEqual = 0, CompareNotEqual = 1, CompareLess = 2, CompareLessOrEqual = 3, CompareGreater = 4,
            CompareGreaterOrEqual = 5;

        /// <summary>
        /// FUTEX_WAKE_OP: atomically applies the operation 'encoded' names to the word at 'target' (old value kept),
        /// wakes up to 'count' waiters on 'address', and if the old value meets the comparison 'encoded' names, up to
        /// 'targetCount' on 'target'. 'woken': how many in all. ENOSYS for an unknown operation (the word untouched) or
        /// comparison (the operation done), as Linux.
        /// </summary>
        public static Error WakeOperation(ulong address, ulong target, int count, int targetCount, uint encoded, out int woken)
        {
            woken = 0;
            int operation = (int)((encoded >> 28) & 7);
            int comparison = (int)((encoded >> 24) & 15);
            int argument = (int)(encoded << 8) >> 20;             // bits 12-23, sign-extended
            int comparand = (int)(encoded << 20) >> 20;           // bits 0-11, sign-extended
            if (((encoded >> 28) & OperationArgumentShift) != 0)
                argument = 1 << (argument & 31);                  // FUTEX_OP_OPARG_SHIFT (Linux masks a bad shift too)
            if (operation > OperationExclusiveOr)
                return Error.NoSuchCall;
            Error error = KeyOf(address, out ulong key);
            ulong targetKey = 0;
            if (error == Error.None)
                error = KeyOf(target, out targetKey, write: true);
            if (error != Error.None)
                return error;
            int first = BucketOf(key), second = BucketOf(targetKey);
            ulong* batch = stackalloc ulong[BatchCapacity];
            int taken;
            using (InterruptMask.Enter())
            {
                ref int grace = ref EnterGrace();
                LockPair(first, second);
                int old = Apply(WordAt(targetKey), operation, argument);
                if (comparison > CompareGreaterOrEqual)
                {
                    UnlockPair(first, second);
                    System.Threading.Volatile.Write(ref grace, 0);
                    return Error.NoSuchCall;   // after the operation, as Linux's futex_atomic_op_inuser
                }
                taken = TakeWaiters(first, key, MatchAny, count, batch, 0);
                if (Compare(old, comparison, comparand))
                    taken += TakeWaiters(second, targetKey, MatchAny, targetCount, batch, taken);
                UnlockPair(first, second);
                WakeTaken(batch, taken);
                System.Threading.Volatile.Write(ref grace, 0);
            }
            woken = taken;
            return Error.None;
        }

        private static int Apply(uint* word, int operation, int argument)
        {
            int* value = (int*)word;
            while (true)
            {
                int old = System.Threading.Volatile.Read(ref *value);
                int updated = operation switch
                {
                    OperationSet => argument,
                    OperationAdd => old + argument,
                    OperationOr => old | argument,
                    OperationAndNot => old & ~argument,
                    _ => old ^ argument,
                };
                if (System.Threading.Interlocked.CompareExchange(ref *value, updated, old) == old)
                    return old;
            }
        }

        private static bool Compare(int old, int comparison, int comparand) => comparison switch
        {
            CompareEqual => old == comparand,
            CompareNotEqual => old != comparand,
            CompareLess => old < comparand,
            CompareLessOrEqual => old <= comparand,
            CompareGreater => old > comparand,
            _ => old >= comparand,
        };

        /// <summary>
        /// Compares the word at 'address' with 'expected' and, if equal, replaces it with 'value', atomically ('old':
        /// what it held). EFAULT if the caller may not write it. For the robust list's owner-died marks.
        /// </summary>
        public static Error CompareExchange(ulong address, uint expected, uint value, out uint old)
        {
            old = 0;
            Error error = KeyOf(address, out ulong key, write: true);
            if (error != Error.None)
                return error;
            old = (uint)System.Threading.Interlocked.CompareExchange(ref *(int*)WordAt(key), (int)value, (int)expected);
            return Error.None;
        }

        // Bucket lock held: unlinks up to 'count' waiters on 'key' whose bitset meets 'bitset' (at most the batch's room
        // from 'start'), marks them woken, and records them (with a reference on each one's process) for WakeTaken.
        private static int TakeWaiters(int bucket, ulong key, uint bitset, int count, ulong* batch, int start)
        {
            int taken = 0;
            for (LinuxThread waiter = s_heads[bucket], next; waiter != null && taken < count && start + taken < BatchCapacity; waiter = next)
            {
                next = waiter.FutexNext;
                if (waiter.FutexKey != key || (waiter.FutexBitset & bitset) == 0)
                    continue;
                Unlink(bucket, waiter);
                waiter.FutexWoken = true;
                waiter.Owner.Process.AddReference();   // the waiter's process may end once woken
                batch[start + taken] = Exo.Kernel.Scheduler.Scheduler.AddressOf(waiter);   // objects never move
                taken++;
            }
            return taken;
        }

        // Interrupts masked: this processor's grace flag, set before any waiter is looked at (clear it after WakeTaken).
        private static ref int EnterGrace()
        {
            ref int grace = ref Exo.Kernel.Scheduler.Scheduler.FastPathFlag;
            System.Threading.Interlocked.Exchange(ref grace, 1);
            return ref grace;
        }

        // No bucket lock held, the grace flag set: wakes what TakeWaiters took.
        private static void WakeTaken(ulong* batch, int taken)
        {
            for (int i = 0; i < taken; i++)
            {
                ulong address = batch[i];
                LinuxThread waiter = System.Runtime.CompilerServices.Unsafe.AsRef<LinuxThread>(&address);
                waiter.FutexWait.WakeAll();
                waiter.Owner.Process.Release();
            }
            s_wakes += (ulong)taken;
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
