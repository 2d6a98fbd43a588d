using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Synchronization
{
    /// <summary>
    /// Linux futexes: threads wait on a 32-bit word of user memory and are woken by address. A word is known by its
    /// key (word, space), as Linux keys it: a private operation's (FUTEX_PRIVATE_FLAG) by its address space and
    /// virtual address, with no page-table walk (Linux: mm and address); a shared operation's on a MAP_SHARED page
    /// by its physical address and space 0, the same futex in every process that maps it (Linux: the inode or page);
    /// a shared operation's on private memory by its address space, tagged, and address (Linux: mm and address with
    /// FUT_OFF_MMSHARED). So a private and a shared operation never name the same futex, as on Linux. Waiters hang in one of
    /// <see cref="BucketCount"/> lists by hash, each thread on its own wait queue (LinuxThread.FutexWait); a waiter
    /// joins the list before it compares the value (both under the bucket's lock), so a waker that changed the word
    /// first and then finds the list empty without the lock cannot have missed it (Linux's waiters count). A requeue
    /// moves waiters to another word's bucket (LinuxThread.FutexBucket says which bucket a waiter is in now; it
    /// changes under both buckets' locks).
    /// Lock order: a bucket's lock (two: the lower-numbered first, the other taken without waiting), then a waiter's
    /// queue lock. Every bucket lock is held with interrupts masked. A waker holds the grace flag from before it takes
    /// waiters off a list until it has woken them: a woken waiter may return, end and have its thread released
    /// meanwhile, and the release waits for the flag before it frees the waiter's state (ProcessLifecycle).
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]   // the wake batch on the stack needs no zeroing
    public static unsafe partial class Futexes
    {
        private const int BucketCount = 64;
        /// <summary>Waiters woken per hold of a bucket's lock (their addresses wait on the stack until the lock is dropped).</summary>
        private const int BatchCapacity = 32;
        public const uint MatchAny = 0xFFFFFFFF;
        /// <summary>In a key's space (a page table's root: bit 0 free), a shared operation's on private memory.</summary>
        private const ulong SharedOperationTag = 1;
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

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static int BucketOf(ulong key, ulong space)
            => (int)(((key >> 2) ^ (space >> 12)) * 0x9E3779B97F4A7C15UL >> 58) & (BucketCount - 1);

        /// <summary>
        /// The futex word's key ('key', 'space': see the class) for the calling thread 'current' and, when 'walk', its
        /// physical address 'physical'. A private word ('privateWord': FUTEX_PRIVATE_FLAG) needs no walk: its key is
        /// the address itself. EFAULT for an address the caller cannot read (or, 'write', cannot write), EINVAL if not
        /// 4-byte aligned.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]   // the private calls' whole key
        private static Error KeyOf(Thread current, ulong address, bool privateWord, bool walk, out ulong key, out ulong space,
            out ulong physical, bool write = false)
        {
            key = address;
            space = current.PageTableRoot;
            physical = 0;
            if ((address & 3) != 0)
                return Error.Invalid;
            if (!UserMemory.IsUserRange(address, 4))
                return Error.BadAddress;
            return walk ? Walk(current, address, privateWord, write, ref key, ref space, out physical) : Error.None;
        }

        // KeyOf's walk: the page made present first, and private when copy-on-write (a read-only page stays as it is).
        private static Error Walk(Thread current, ulong address, bool privateWord, bool write, ref ulong key, ref ulong space, out ulong physical)
        {
            AddressSpace addressSpace = current.Process.AddressSpace;
            for (int attempt = 0; attempt < 2; attempt++)
            {
                if (addressSpace.TryTranslate(address, out physical, out ulong flags)
                    && ((flags & KernelPageTables.CopyOnWrite) == 0))
                {
                    KeepPrivate(privateWord, flags, ref key, ref space, physical);
                    return !write || (flags & KernelPageTables.Writable) != 0 ? Error.None : Error.BadAddress;
                }
                // Not there yet, or shared with a fork: touch it as a write would (a read-only page stays as it is).
                if (addressSpace.FaultIn(address, 2 | (addressSpace.TryTranslate(address, out _, out _) ? 1UL : 0)) != AddressSpace.FaultOutcome.Mapped)
                {
                    if (!write && addressSpace.TryTranslate(address, out physical, out flags))
                    {
                        KeepPrivate(privateWord, flags, ref key, ref space, physical);
                        return Error.None;
                    }
                    return Error.BadAddress;
                }
            }
            physical = 0;
            return Error.BadAddress;
        }

        // A shared operation's key: a word of a MAP_SHARED page by its physical address in every space, another by its
        // space, tagged, and address.
        private static void KeepPrivate(bool privateWord, ulong flags, ref ulong key, ref ulong space, ulong physical)
        {
            if (privateWord)
                return;
            if ((flags & KernelPageTables.SharedMapping) == 0)
            {
                space |= SharedOperationTag;
                return;
            }
            key = physical;
            space = 0;
        }

        private static uint* WordAt(ulong physical) => (uint*)PhysicalMemory.ToVirtual(physical);

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
        /// (RestartSystemCall) or 'deadline' (TSC; 0: none; TimedOut). 'privateWord': FUTEX_PRIVATE_FLAG.
        /// </summary>
        public static Error Wait(ulong address, uint expected, uint bitset, ulong deadline, bool privateWord)
        {
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            Error error = KeyOf(current, address, privateWord, walk: !privateWord, out ulong key, out ulong space, out ulong physical);
            if (error != Error.None)
                return error;
            LinuxThread self = LinuxThread.Of(current.User.Thread);
            int bucket = BucketOf(key, space);
            using (InterruptMask.Enter())
            {
                if (deadline != 0)
                    Exo.Kernel.Scheduler.Scheduler.ArmTimeout(deadline);
                while (true)
                {
                    s_locks[bucket].Lock.Enter();
                    self.FutexKey = key;
                    self.FutexSpace = space;
                    self.FutexBitset = bitset;
                    self.FutexWoken = false;
                    self.FutexBucket = bucket;
                    self.FutexNext = s_heads[bucket];
                    s_heads[bucket] = self;
                    // Listed before the word is read (a full barrier between): see Wake's look without the lock.
                    System.Threading.Interlocked.MemoryBarrier();
                    uint value = 0;
                    bool read = privateWord ? UserMemory.TryReadWordWithoutFault(address, out value) : ReadWord(physical, out value);
                    if (read && value == expected)
                        break;
                    Unlink(bucket, self);
                    s_locks[bucket].Lock.Exit();
                    // A private word's page not mapped yet (a first touch): mapped in with no lock held, then again.
                    if (read || !UserMemory.CopyFromUser(&value, address, 4))
                    {
                        if (deadline != 0)
                            Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                        return read ? Error.WouldBlock : Error.BadAddress;   // EAGAIN: the word changed first
                    }
                }
                s_waits++;
                self.FutexWait.Lock.Enter();
                s_locks[bucket].Lock.Exit();
                if (self.FutexWoken)
                    self.FutexWait.Lock.Exit();
                else
                    Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(self.FutexWait);
                // Woken by a wake: it took us off the list (under the lock, before it made us ready). Else (a signal,
                // the deadline) we may still be listed, or a wake may be taking us now: decide under the lock.
                bool woken = System.Threading.Volatile.Read(ref self.FutexWoken);
                if (!woken)
                {
                    bucket = LockBucketOf(self);
                    woken = self.FutexWoken;
                    if (!woken)
                        Unlink(bucket, self);
                    s_locks[bucket].Lock.Exit();
                }
                bool timedOut = deadline != 0 && Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                if (woken)
                    return Error.None;
                if (current.WaitInterrupted)
                    return deadline != 0 ? Error.Interrupted : Error.RestartSystemCall;
                return timedOut ? Error.TimedOut : Error.None;   // else a spurious wake-up, which futex allows
            }
        }

        // A shared word through the kernel's view of its frame (found by the walk; the frame is not freed while mapped).
        private static bool ReadWord(ulong physical, out uint value)
        {
            value = System.Threading.Volatile.Read(ref *WordAt(physical));
            return true;
        }

        /// <summary>
        /// FUTEX_WAKE(_BITSET): wakes up to 'count' waiters on the word whose bitset meets 'bitset'; how many. With
        /// 'runWoken', one waiter woken that would preempt the caller here anyway runs at once (Scheduler.WakeRunning);
        /// not for a thread that is ending (its stop is a switch already: one now would only add another).
        /// </summary>
        public static Error Wake(ulong address, int count, uint bitset, bool privateWord, out int woken, bool runWoken = false)
        {
            woken = 0;
            Error error = KeyOf(Exo.Kernel.Scheduler.Scheduler.Current, address, privateWord, walk: !privateWord, out ulong key,
                out ulong space, out _);
            if (error != Error.None)
                return error;
            int bucket = BucketOf(key, space);
            // The caller changed the word before this call and a waiter lists itself before it reads the word: with a
            // full barrier between the change and this look, an empty list holds no waiter that missed the change.
            System.Threading.Interlocked.MemoryBarrier();
            if (s_heads[bucket] == null)
                return Error.None;
            ulong* batch = stackalloc ulong[BatchCapacity];
            while (woken < count)
            {
                int taken;
                using (InterruptMask.Enter())
                {
                    ref int grace = ref EnterGrace();
                    s_locks[bucket].Lock.Enter();
                    taken = TakeWaiters(bucket, key, space, bitset, count - woken, batch, 0);
                    s_locks[bucket].Lock.Exit();
                    if (taken == 1 && runWoken)
                    {
                        WakeOneRunning(batch[0], ref grace);   // clears the flag (it may switch away)
                    }
                    else
                    {
                        WakeTaken(batch, taken);
                        System.Threading.Volatile.Write(ref grace, 0);
                    }
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
        public static Error Requeue(ulong address, ulong target, int wakeCount, int requeueCount, bool compare, uint expected,
            bool privateWord, out int total)
        {
            total = 0;
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            Error error = KeyOf(current, address, privateWord, walk: true, out ulong key, out ulong space, out ulong physical);
            ulong destination = 0, destinationSpace = 0;
            if (error == Error.None)
                error = KeyOf(current, target, privateWord, walk: !privateWord, out destination, out destinationSpace, out _);
            if (error != Error.None)
                return error;
            int from = BucketOf(key, space), to = BucketOf(destination, destinationSpace);
            ulong* batch = stackalloc ulong[BatchCapacity];
            int taken, moved = 0;
            using (InterruptMask.Enter())
            {
                ref int grace = ref EnterGrace();
                LockPair(from, to);
                if (compare && *WordAt(physical) != expected)
                {
                    UnlockPair(from, to);
                    System.Threading.Volatile.Write(ref grace, 0);
                    return Error.WouldBlock;
                }
                taken = TakeWaiters(from, key, space, MatchAny, wakeCount, batch, 0);
                for (LinuxThread waiter = s_heads[from], next; waiter != null && moved < requeueCount; waiter = next)
                {
                    next = waiter.FutexNext;
                    if (waiter.FutexKey != key || waiter.FutexSpace != space)
                        continue;
                    Unlink(from, waiter);
                    waiter.FutexKey = destination;
                    waiter.FutexSpace = destinationSpace;
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
        public static Error WakeOperation(ulong address, ulong target, int count, int targetCount, uint encoded, bool privateWord, out int woken)
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
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            Error error = KeyOf(current, address, privateWord, walk: !privateWord, out ulong key, out ulong space, out _);
            ulong targetKey = 0, targetSpace = 0, targetPhysical = 0;
            if (error == Error.None)
                error = KeyOf(current, target, privateWord, walk: true, out targetKey, out targetSpace, out targetPhysical, write: true);
            if (error != Error.None)
                return error;
            int first = BucketOf(key, space), second = BucketOf(targetKey, targetSpace);
            ulong* batch = stackalloc ulong[BatchCapacity];
            int taken;
            using (InterruptMask.Enter())
            {
                ref int grace = ref EnterGrace();
                LockPair(first, second);
                int old = Apply(WordAt(targetPhysical), operation, argument);
                if (comparison > CompareGreaterOrEqual)
                {
                    UnlockPair(first, second);
                    System.Threading.Volatile.Write(ref grace, 0);
                    return Error.NoSuchCall;   // after the operation, as Linux's futex_atomic_op_inuser
                }
                taken = TakeWaiters(first, key, space, MatchAny, count, batch, 0);
                if (Compare(old, comparison, comparand))
                    taken += TakeWaiters(second, targetKey, targetSpace, MatchAny, targetCount, batch, taken);
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
            Error error = KeyOf(Exo.Kernel.Scheduler.Scheduler.Current, address, privateWord: false, walk: true, out _, out _,
                out ulong physical, write: true);
            if (error != Error.None)
                return error;
            old = (uint)System.Threading.Interlocked.CompareExchange(ref *(int*)WordAt(physical), (int)value, (int)expected);
            return Error.None;
        }

        // Bucket lock held: unlinks up to 'count' waiters on the word ('key', 'space') whose bitset meets 'bitset' (at most
        // the batch's room from 'start'), marks them woken, and records them (with a reference on each one's process) for
        // WakeTaken.
        private static int TakeWaiters(int bucket, ulong key, ulong space, uint bitset, int count, ulong* batch, int start)
        {
            int taken = 0;
            for (LinuxThread waiter = s_heads[bucket], next; waiter != null && taken < count && start + taken < BatchCapacity; waiter = next)
            {
                next = waiter.FutexNext;
                if (waiter.FutexKey != key || waiter.FutexSpace != space || (waiter.FutexBitset & bitset) == 0)
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

        // Interrupts masked, the grace flag set, one waiter taken: woken as WakeTaken would, but it may run at once.
        // The flag is this processor's, so it is cleared before a switch; the waiter's state may be freed from then on
        // (it may run, end and be released), so its process is read first (the reference taken keeps it).
        private static void WakeOneRunning(ulong address, ref int grace)
        {
            LinuxThread waiter = System.Runtime.CompilerServices.Unsafe.AsRef<LinuxThread>(&address);
            Exo.Kernel.Processes.Process process = waiter.Owner.Process;
            Thread thread = Exo.Kernel.Scheduler.Scheduler.TakeFirstWaiter(waiter.FutexWait);
            s_wakes++;
            System.Threading.Volatile.Write(ref grace, 0);
            if (thread != null)
                Exo.Kernel.Scheduler.Scheduler.WakeRunning(thread);   // claimed: nobody else can wake it
            process.Release();
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
