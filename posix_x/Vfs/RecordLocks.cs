using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// fcntl's record locks: byte ranges of a vnode locked for reading (shared) or writing (exclusive) by an owner.
    /// A POSIX lock's owner is the process's descriptor table (Linux's files_struct): its locks go when the process
    /// closes ANY descriptor of the file, or ends, and a fork child does not have them. An OFD lock's owner is the
    /// open file description: dup and fork share it, and it goes with the description's last close. The two kinds
    /// conflict with each other as two owners do. One owner's ranges never overlap: a new lock merges with the
    /// owner's touching ranges of its type and cuts those of the other type (a split takes one more record).
    /// Records come from a pool made at boot (<see cref="MaximumRecords"/>; ENOLCK past it): nothing is allocated
    /// while locking. A blocked F_SETLKW sleeps as flock's waiters do (every release announces a Readiness change)
    /// and a signal interrupts it; a POSIX waiter is listed (<see cref="MaximumWaiters"/>) so that a lock whose
    /// holder waits, directly or through others, for the caller is refused with EDEADLK (Linux's check, at most
    /// <see cref="MaximumDeadlockDepth"/> owners deep). One lock for all (WholeFileLocks' rank: never both).
    /// </summary>
    public static class RecordLocks
    {
        // struct flock's l_type (Linux's uapi fcntl.h).
        public const int Read = 0, Write = 1, Unlock = 2;
        /// <summary>Linux's OFFSET_MAX: a range's end "to the end of the file, however far it grows".</summary>
        public const long EndOfFile = long.MaxValue;
        /// <summary>Lock records for the whole system (an explicit bound; Linux has none but memory).</summary>
        public const int MaximumRecords = 1024;
        /// <summary>POSIX lockers blocked at once, each listed for deadlock detection (ENOLCK past it).</summary>
        public const int MaximumWaiters = 64;
        /// <summary>Linux's MAX_DEADLK_ITERATIONS: how many owners deep the wait chain is followed.</summary>
        public const int MaximumDeadlockDepth = 10;

        /// <summary>One locked range (a vnode's list, Vnode.RecordLockList, or the pool's free list).</summary>
        public sealed class Record
        {
            internal Record Next;
            internal object Owner;
            internal long Start, End;   // inclusive; End == EndOfFile: to the end of the file
            internal int ProcessId;     // F_GETLK's l_pid: the locker's process, -1 for an OFD lock
            internal int Type;          // Read or Write
        }

        private struct Waiter
        {
            public object Owner;   // null: a free slot
            public Vnode Node;
            public long Start, End;
            public int Type;
        }

        private static SpinLock s_lock;
        private static Record s_free;
        private static int s_freeCount;
        private static Waiter[] s_waiters;

        /// <summary>Before the first fcntl lock: the pool and the waiters' list.</summary>
        public static void Initialize()
        {
            s_lock.Rank = LockRank.WholeFileLocks;
            for (int i = 0; i < MaximumRecords; i++)
            {
                Record record = new Record();
                if (record == null)
                    break;
                record.Next = s_free;
                s_free = record;
                s_freeCount++;
            }
            s_waiters = new Waiter[MaximumWaiters];
        }

        /// <summary>
        /// F_GETLK: the first lock of another owner that conflicts with 'type' on [start, end]: its type, range and
        /// process (true), or false when the request would be granted.
        /// </summary>
        public static bool Test(Vnode node, object owner, ref int type, ref long start, ref long end, out int processId)
        {
            processId = 0;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                Record blocker = FirstConflict(node, owner, type, start, end);
                if (blocker == null)
                    return false;
                type = blocker.Type;
                start = blocker.Start;
                end = blocker.End;
                processId = blocker.ProcessId;
                return true;
            }
        }

        /// <summary>
        /// F_SETLK/F_SETLKW: 'owner' locks [start, end] as 'type' (Unlock: gives it up). Without 'wait' a conflict is
        /// EAGAIN; with it the caller sleeps until the range is free, a signal (restarted under SA_RESTART), or, for a
        /// POSIX lock ('processId' above 0), EDEADLK when the holder waits for the caller. ENOLCK past the pool.
        /// </summary>
        public static Error Set(Vnode node, object owner, int processId, int type, long start, long end, bool wait)
        {
            bool posix = processId > 0;
            int waiter = -1;
            while (true)
            {
                int generation = Readiness.Generation;
                bool changed = false, done = true;
                Error error = Error.None;
                using (InterruptMask.Enter())
                using (s_lock.Hold())
                {
                    Record blocker = type == Unlock ? null : FirstConflict(node, owner, type, start, end);
                    if (blocker == null)
                        error = Apply(node, owner, processId, type, start, end, out changed);
                    else if (!wait)
                        error = Error.WouldBlock;
                    else if (posix && Deadlocks(owner, blocker))
                        error = Error.Deadlock;
                    else if (posix && waiter < 0 && (waiter = ListWaiter(owner, node, type, start, end)) < 0)
                        error = Error.NoLocks;
                    else
                        done = false;
                    if (done && waiter >= 0)
                        s_waiters[waiter] = default;
                }
                if (changed)
                    Readiness.Changed();
                if (done)
                    return error;
                var sleep = new ReadinessWait(-1);
                if (sleep.Sleep(generation) == Error.Interrupted)
                {
                    if (waiter >= 0)
                    {
                        using (InterruptMask.Enter())
                        using (s_lock.Hold())
                            s_waiters[waiter] = default;
                    }
                    return Error.RestartSystemCall;
                }
            }
        }

        /// <summary>
        /// Every lock 'owner' holds on 'node' goes (a POSIX owner closed a descriptor of the file; an OFD owner's last
        /// reference went). Cheap when the file has no record lock at all.
        /// </summary>
        public static void ReleaseOwner(Vnode node, object owner)
        {
            if (node == null || node.RecordLockList == null)
                return;
            bool released = false;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                ref Record link = ref node.RecordLockList;
                while (link != null)
                {
                    Record record = link;
                    if (record.Owner != owner)
                    {
                        link = ref record.Next;
                        continue;
                    }
                    link = record.Next;
                    Free(record);
                    released = true;
                }
            }
            if (released)
                Readiness.Changed();
        }

        // The first record of another owner overlapping [start, end] where one of the two writes.
        private static Record FirstConflict(Vnode node, object owner, int type, long start, long end)
        {
            for (Record record = node.RecordLockList; record != null; record = record.Next)
                if (record.Owner != owner && record.Start <= end && record.End >= start && (type == Write || record.Type == Write))
                    return record;
            return null;
        }

        // Linux's posix_locks_deadlock: following "the holder of the lock in the way waits for ..." from 'blocker'
        // comes back to 'caller'.
        private static bool Deadlocks(object caller, Record blocker)
        {
            object owner = blocker.Owner;
            for (int depth = 0; depth < MaximumDeadlockDepth; depth++)
            {
                if (owner == caller)
                    return true;
                int waiter = FindWaiter(owner);
                if (waiter < 0)
                    return false;
                ref Waiter waiting = ref s_waiters[waiter];
                Record next = FirstConflict(waiting.Node, owner, waiting.Type, waiting.Start, waiting.End);
                if (next == null)
                    return false;
                owner = next.Owner;
            }
            return false;
        }

        private static int FindWaiter(object owner)
        {
            for (int i = 0; i < MaximumWaiters; i++)
                if (s_waiters[i].Owner == owner)
                    return i;
            return -1;
        }

        private static int ListWaiter(object owner, Vnode node, int type, long start, long end)
        {
            for (int i = 0; i < MaximumWaiters; i++)
            {
                if (s_waiters[i].Owner != null)
                    continue;
                s_waiters[i] = new Waiter { Owner = owner, Node = node, Start = start, End = end, Type = type };
                return i;
            }
            return -1;
        }

        // Lock held, no conflict: the owner's ranges on the node become 'type' on [start, end] (merged with its touching
        // ranges of that type, cut out of the others). 'changed': a range was given up or changed (waiters look again).
        private static Error Apply(Vnode node, object owner, int processId, int type, long start, long end, out bool changed)
        {
            changed = false;
            // Records needed: the new one and a cut one's second half; records given back first: those merged into
            // the new one or wholly covered by it (at least these; a merge that widens the range may free more).
            int needed = type == Unlock ? 0 : 1, freed = 0;
            for (Record record = node.RecordLockList; record != null; record = record.Next)
            {
                if (record.Owner != owner)
                    continue;
                if (record.Type != type && record.Start < start && record.End > end)
                    needed++;   // cut in two
                else if (record.Type == type ? record.End >= start - 1 && record.Start - 1 <= end : record.Start >= start && record.End <= end)
                    freed++;
            }
            if (needed > s_freeCount + freed)
                return Error.NoLocks;
            Record split = null, moved = null;   // one of each at most: the owner's ranges do not overlap
            ref Record link = ref node.RecordLockList;
            while (link != null)
            {
                Record record = link;
                // Touching ranges: compared without overflow (start - 1 and record.Start - 1 are at least -1).
                bool overlaps = record.End >= start && record.Start <= end;
                bool touches = record.End >= start - 1 && record.Start - 1 <= end;
                if (record.Owner != owner || !(record.Type == type ? touches : overlaps))
                {
                    link = ref record.Next;
                    continue;
                }
                changed = true;
                if (record.Type == type)
                {
                    if (record.Start < start)
                        start = record.Start;
                    if (record.End > end)
                        end = record.End;
                }
                else if (record.Start < start && record.End > end)
                {
                    split = Take(owner, record.ProcessId, record.Type, end + 1, record.End);
                    record.End = start - 1;
                    link = ref record.Next;
                    continue;
                }
                else if (record.Start < start)
                {
                    record.End = start - 1;
                    link = ref record.Next;
                    continue;
                }
                else if (record.End > end)
                {
                    record.Start = end + 1;   // moves: put back in order below
                    link = record.Next;
                    moved = record;
                    continue;
                }
                link = record.Next;
                Free(record);
            }
            if (split != null)
                Insert(node, split);
            if (moved != null)
                Insert(node, moved);
            if (type != Unlock)
                Insert(node, Take(owner, processId, type, start, end));
            return Error.None;
        }

        // The list is kept in order of start: F_GETLK reports the lowest conflicting range, as Linux's (whose list is
        // in order of start within each owner) does when one owner is in the way.
        private static void Insert(Vnode node, Record added)
        {
            ref Record link = ref node.RecordLockList;
            while (link != null && link.Start <= added.Start)
                link = ref link.Next;
            added.Next = link;
            link = added;
        }

        private static Record Take(object owner, int processId, int type, long start, long end)
        {
            Record record = s_free;
            s_free = record.Next;
            s_freeCount--;
            record.Next = null;
            record.Owner = owner;
            record.ProcessId = processId;
            record.Type = type;
            record.Start = start;
            record.End = end;
            return record;
        }

        private static void Free(Record record)
        {
            record.Owner = null;
            record.Next = s_free;
            s_free = record;
            s_freeCount++;
        }
    }
}
