using Exo.Kernel.Memory;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Synchronization
{
    /// <summary>
    /// What a thread's end does to the futexes it holds (Linux's exit_robust_list and mm_release): each lock on the
    /// robust list set_robust_list registered that still names this thread as its owner is marked FUTEX_OWNER_DIED
    /// and one waiter woken (the next locker gets EOWNERDEAD), the one being taken or released at the time
    /// (list_op_pending) included; then the CLONE_CHILD_CLEARTID word (set_tid_address) is zeroed and one waiter
    /// woken: how pthread_join learns that a thread has ended. Runs on the ending thread, in its memory. The
    /// priority-inheritance flag of an entry (bit 0) is read and dropped: PI futexes are not offered.
    /// </summary>
    public static unsafe class RobustFutexes
    {
        private const uint Waiters = 0x80000000, OwnerDied = 0x40000000, ThreadIdMask = 0x3FFFFFFF;
        /// <summary>Entries walked at most (Linux's ROBUST_LIST_LIMIT): a list looped by a bug ends here.</summary>
        private const int EntryLimit = 2048;

        private struct ListHead { public ulong Next; public long FutexOffset; public ulong OperationPending; }

        /// <summary>The calling thread is ending: its robust list, then its clear-child-tid word.</summary>
        public static void ThreadEnding(LinuxThread thread)
        {
            if (thread.RobustListHead != 0)
                ReleaseRobustList(thread.RobustListHead, (uint)thread.ThreadId);
            ulong clear = thread.ClearChildThreadId;
            if (clear != 0)
            {
                thread.ClearChildThreadId = 0;
                int zero = 0;
                if (UserMemory.CopyToUser(clear, &zero, 4))   // a bad address is ignored, as Linux does
                    Futexes.Wake(clear, 1, Futexes.MatchAny, privateWord: false, out _);
            }
        }

        private static void ReleaseRobustList(ulong headAddress, uint threadId)
        {
            ListHead head;
            if (!UserMemory.CopyFromUser(&head, headAddress, (ulong)sizeof(ListHead)))
                return;
            ulong pending = head.OperationPending & ~1UL;
            ulong entry = head.Next & ~1UL;
            for (int count = 0; entry != headAddress && entry != 0 && count < EntryLimit; count++)
            {
                ulong next;
                if (!UserMemory.CopyFromUser(&next, entry, 8))
                    return;
                if (entry != pending)
                    MarkOwnerDied(entry + (ulong)head.FutexOffset, threadId, pendingOperation: false);
                entry = next & ~1UL;
            }
            if (pending != 0)
                MarkOwnerDied(pending + (ulong)head.FutexOffset, threadId, pendingOperation: true);
        }

        // Linux's handle_futex_death: a lock word this thread owns gets OWNER_DIED (its waiters bit kept) and a waiter
        // is woken; a pending operation on a free word may have left a waiter that nobody would wake.
        private static void MarkOwnerDied(ulong address, uint threadId, bool pendingOperation)
        {
            if ((address & 3) != 0)
                return;
            while (true)
            {
                uint value;
                if (!UserMemory.CopyFromUser(&value, address, 4))
                    return;
                if (pendingOperation && value == 0)
                {
                    Futexes.Wake(address, 1, Futexes.MatchAny, privateWord: false, out _);
                    return;
                }
                if ((value & ThreadIdMask) != threadId)
                    return;
                uint marked = (value & Waiters) | OwnerDied;
                if (Futexes.CompareExchange(address, value, marked, out uint old) != Error.None)
                    return;
                if (old != value)
                    continue;   // changed under us: look again
                if ((value & Waiters) != 0)
                    Futexes.Wake(address, 1, Futexes.MatchAny, privateWord: false, out _);
                return;
            }
        }
    }
}
