using Exo.Kernel.Memory;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Synchronization
{
    /// <summary>
    /// Priority-inheritance futexes' protocol (FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI), as glibc's
    /// PTHREAD_PRIO_INHERIT mutexes use it: the word holds its owner's thread id, FUTEX_WAITERS when a locker sleeps in
    /// the kernel and FUTEX_OWNER_DIED after a robust owner's end. User space takes a free word and gives back one with
    /// no waiters by itself; the kernel takes a contended lock for its caller, sleeping until an unlock hands it over
    /// (the word then names the new owner, and FUTEX_WAITERS stays while others wait), and gives an unlock's lock to
    /// its first waiter. Every change of the word is made under its bucket's lock, so a lock and an unlock never cross.
    /// Not yet: the inheritance itself (the owner does not run at its best waiter's priority), and an owner that ends
    /// without a robust list leaves its waiters asleep (Linux hands the lock on with FUTEX_OWNER_DIED).
    /// </summary>
    public static unsafe partial class Futexes
    {
        public const uint WaitersBit = 0x80000000, OwnerDiedBit = 0x40000000, ThreadIdMask = 0x3FFFFFFF;

        /// <summary>
        /// FUTEX_LOCK_PI (and LOCK_PI2; with 'tryOnly', TRYLOCK_PI): the lock at 'address' for the calling thread.
        /// EDEADLK if it holds it already, EAGAIN for a try on a held lock, ESRCH when the id in the word is no thread,
        /// ETIMEDOUT at 'deadline' (TSC; 0: none); a signal restarts the call, as Linux's does.
        /// </summary>
        public static Error LockPriorityInheriting(ulong address, ulong deadline, bool privateWord, bool tryOnly)
        {
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            uint self = (uint)LinuxThread.Of(current.User.Thread).ThreadId;
            bool waited = false;
            while (true)
            {
                Error error = KeyOf(current, address, privateWord, walk: true, out ulong key, out ulong space, out ulong physical, write: true);
                if (error != Error.None)
                    return error;
                uint expected, owner;
                using (InterruptMask.Enter())
                {
                    int bucket = BucketOf(key, space);
                    s_locks[bucket].Lock.Enter();
                    uint* word = WordAt(physical);
                    uint value = System.Threading.Volatile.Read(ref *word);
                    owner = value & ThreadIdMask;
                    // Free (or its robust owner ended): taken, keeping FUTEX_WAITERS for the unlock to look for others.
                    uint next = owner == 0 ? self | (value & (WaitersBit | OwnerDiedBit))
                        : owner == self || tryOnly ? value : value | WaitersBit;
                    bool swapped = next == value || System.Threading.Interlocked.CompareExchange(ref *(int*)word, (int)next, (int)value) == (int)value;
                    s_locks[bucket].Lock.Exit();
                    if (!swapped)
                        continue;   // changed by user space meanwhile: look again
                    if (owner == 0)
                        return Error.None;
                    if (owner == self)
                        return waited ? Error.None : Error.Deadlock;   // handed over by an unlock, or held already
                    if (tryOnly)
                        return Error.WouldBlock;
                    expected = next;
                }
                if ((expected & OwnerDiedBit) == 0 && !ThreadExists((int)owner))
                    return Error.NoSuchProcess;
                error = Wait(address, expected, MatchAny, deadline, privateWord);
                waited = true;
                if (error == Error.None || error == Error.WouldBlock)
                    continue;   // woken (perhaps the owner now) or the word changed: look again
                if (error == Error.BadAddress)
                    return error;
                // A deadline or a signal: an unlock may have handed the lock over just before.
                uint now;
                if (UserMemory.CopyFromUser(&now, address, 4) && (now & ThreadIdMask) == self)
                    return Error.None;
                return error == Error.TimedOut ? error : Error.RestartNoInterrupt;   // Linux: ERESTARTNOINTR
            }
        }

        /// <summary>
        /// FUTEX_UNLOCK_PI: the caller's lock at 'address' goes to its first waiter (the word: that thread's id, and
        /// FUTEX_WAITERS if others wait), who is woken owning it, or is free (0). EPERM if the caller does not hold it.
        /// </summary>
        public static Error UnlockPriorityInheriting(ulong address, bool privateWord)
        {
            Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            uint self = (uint)LinuxThread.Of(current.User.Thread).ThreadId;
            ulong* batch = stackalloc ulong[1];
            while (true)
            {
                Error error = KeyOf(current, address, privateWord, walk: true, out ulong key, out ulong space, out ulong physical, write: true);
                if (error != Error.None)
                    return error;
                using (InterruptMask.Enter())
                {
                    ref int grace = ref EnterGrace();
                    int bucket = BucketOf(key, space);
                    s_locks[bucket].Lock.Enter();
                    uint* word = WordAt(physical);
                    uint value = System.Threading.Volatile.Read(ref *word);
                    if ((value & ThreadIdMask) != self)
                    {
                        s_locks[bucket].Lock.Exit();
                        System.Threading.Volatile.Write(ref grace, 0);
                        return Error.NotPermitted;
                    }
                    LinuxThread first = FirstWaiter(bucket, key, space, out bool others);
                    // Handed over with FUTEX_WAITERS while others wait (their next unlock must come here), as Linux.
                    uint next = first == null ? 0 : (uint)first.ThreadId | (others ? WaitersBit : 0);
                    if (System.Threading.Interlocked.CompareExchange(ref *(int*)word, (int)next, (int)value) != (int)value)
                    {
                        s_locks[bucket].Lock.Exit();
                        System.Threading.Volatile.Write(ref grace, 0);
                        continue;   // a locker set FUTEX_WAITERS meanwhile: again
                    }
                    int taken = first == null ? 0 : TakeWaiters(bucket, key, space, MatchAny, 1, batch, 0);   // that same first one
                    s_locks[bucket].Lock.Exit();
                    WakeTaken(batch, taken);
                    System.Threading.Volatile.Write(ref grace, 0);
                    return Error.None;
                }
            }
        }

        // Bucket lock held: the first waiter on the word (the one TakeWaiters takes first), and whether another waits too.
        private static LinuxThread FirstWaiter(int bucket, ulong key, ulong space, out bool others)
        {
            others = false;
            LinuxThread first = null;
            for (LinuxThread waiter = s_heads[bucket]; waiter != null; waiter = waiter.FutexNext)
            {
                if (waiter.FutexKey != key || waiter.FutexSpace != space)
                    continue;
                if (first != null)
                {
                    others = true;
                    break;
                }
                first = waiter;
            }
            return first;
        }

        private static bool ThreadExists(int id)
        {
            LinuxThread thread = Translation.PriorityCalls.FindThread(id, out LinuxProcess process, out Exo.Kernel.Processes.UserThread user);
            if (thread == null)
                return false;
            Translation.PriorityCalls.ReleaseThread(process, user);
            return true;
        }
    }
}
