using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// flock(2)'s whole-file advisory locks. A lock belongs to an open file description (dup and fork share it) and sits
    /// on its vnode: any number of shared holders, or one exclusive. Converting gives the old lock up first (Linux's does
    /// too: not atomically). A lock goes with LOCK_UN or with its description's last reference. Waiters sleep as pollers
    /// do (every release announces a Readiness change) and a signal interrupts them (restarted under SA_RESTART). One
    /// lock for all of them: flock is rare. A ringfs file gets a new vnode at each lookup (no vnode cache yet), so its
    /// locks exclude only the descriptions of one open.
    /// </summary>
    public static class WholeFileLocks
    {
        // flock's operations (Linux's uapi fcntl.h).
        public const int Shared = 1, Exclusive = 2, NonBlocking = 4, Unlock = 8;
        private static SpinLock s_lock;

        /// <summary>Before the first flock.</summary>
        public static void Initialize() => s_lock.Rank = LockRank.WholeFileLocks;

        /// <summary>flock's 'operation' on the description: EINVAL for an unknown one, EWOULDBLOCK with LOCK_NB when held.</summary>
        public static Error Apply(OpenFile file, int operation)
        {
            int kind = operation & ~NonBlocking;
            if (kind == Unlock)
            {
                Release(file);
                return Error.None;
            }
            if (kind != Shared && kind != Exclusive)
                return Error.Invalid;
            Vnode node = file.Node;
            if (node == null)
                return Error.Invalid;
            while (true)
            {
                int generation = Readiness.Generation;
                bool released = false, taken = false;
                using (InterruptMask.Enter())
                using (s_lock.Hold())
                {
                    if (file.WholeFileLock == kind)
                        return Error.None;
                    if (file.WholeFileLock != 0)
                        released = ReleaseLocked(file);
                    if (node.WholeFileExclusive == null && (kind == Shared || node.WholeFileShared == 0))
                    {
                        if (kind == Shared)
                            node.WholeFileShared++;
                        else
                            node.WholeFileExclusive = file;
                        file.WholeFileLock = kind;
                        taken = true;
                    }
                }
                if (released)
                    Readiness.Changed();
                if (taken)
                    return Error.None;
                if ((operation & NonBlocking) != 0)
                    return Error.WouldBlock;
                var wait = new ReadinessWait(-1);
                if (wait.Sleep(generation) == Error.Interrupted)
                    return Error.RestartSystemCall;
            }
        }

        /// <summary>The description's lock goes (LOCK_UN, its last reference); waiters look again.</summary>
        public static void Release(OpenFile file)
        {
            bool released;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                released = ReleaseLocked(file);
            if (released)
                Readiness.Changed();
        }

        private static bool ReleaseLocked(OpenFile file)
        {
            if (file.WholeFileLock == 0)
                return false;
            if (file.WholeFileLock == Shared)
                file.Node.WholeFileShared--;
            else
                file.Node.WholeFileExclusive = null;
            file.WholeFileLock = 0;
            return true;
        }
    }
}
