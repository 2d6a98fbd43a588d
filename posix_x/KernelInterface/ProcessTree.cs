using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.PosixX.Signals;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// Linux's process relations over Exo-OS processes: parents and children (a forked child holds a kernel
    /// reference on itself through its parent until it is waited for: a zombie), process groups and sessions,
    /// orphans adopted by pid 1 (reaped at once: a native init does not call wait4), vfork's wait for the child,
    /// SIGCHLD and the events wait4 and waitid sleep for. One lock guards every relation (Linux's tasklist_lock),
    /// taken before any process's own lock.
    /// </summary>
    public static unsafe class ProcessTree
    {
        private static SpinLock s_lock;
        public const int InitProcessId = 1;

        // wait4 options.
        public const int NoHang = 1, Untraced = 2, Exited = 4, ContinuedOption = 8, NoWait = 0x01000000;
        // si_code values for SIGCHLD.
        public const int ChildExited = 1, ChildKilled = 2, ChildDumped = 3, ChildStopped = 5, ChildContinued = 6;

        public static void Initialize() => s_lock.Rank = LockRank.ProcessTree;

        /// <summary>fork: 'child' under 'parent', in its process group and session; the parent's link holds a reference.</summary>
        public static void LinkChild(LinuxProcess parent, LinuxProcess child)
        {
            child.Process.AddReference();   // the zombie's: dropped when the parent waits for it (or it is orphaned)
            child.HoldsTreeReference = true;
            using (s_lock.Hold())
            {
                child.Parent = parent;
                child.ProcessGroup = parent.ProcessGroup;
                child.Session = parent.Session;
                child.NextSibling = parent.FirstChild;
                parent.FirstChild = child;
            }
        }

        /// <summary>
        /// A process ended with Linux wait status 'status': its children are adopted by pid 1 (zombies among them
        /// released), a vfork parent is let go, and its own parent is told (a zombie it may wait for, SIGCHLD), or,
        /// if its parent ignores SIGCHLD or has none of the Linux kind, it is released at once.
        /// </summary>
        public static void Ended(LinuxProcess process, int status)
        {
            if (process.Session == process.ProcessId)
                Tty.PseudoTerminal.SessionEnded(process.Session);   // its session loses its controlling terminal
            LinuxProcess orphanZombies = null;
            LinuxProcess parent;
            bool releaseNow;
            using (s_lock.Hold())
            {
                for (LinuxProcess child = process.FirstChild, next; child != null; child = next)
                {
                    next = child.NextSibling;
                    // PR_SET_PDEATHSIG: sent here, under the tree's lock (ranked before the process locks sending takes).
                    if (child.ParentDeathSignal != 0 && child.State != LifeState.Zombie)
                        SignalDelivery.SendToProcess(child, child.ParentDeathSignal, new SignalInformation
                        {
                            Code = 0 /* SI_USER */, SenderProcessId = process.ProcessId, SenderUserId = process.Credentials.UserId,
                        });
                    child.Parent = null;
                    child.Process.ParentId = InitProcessId;
                    child.NextSibling = null;
                    if (child.State == LifeState.Zombie)
                    {
                        child.State = LifeState.Reaped;
                        child.NextSibling = orphanZombies;   // the release list's link from here on
                        orphanZombies = child;
                    }
                }
                process.FirstChild = null;
                process.WaitStatus = status;
                parent = process.Parent;
                // A zombie only for a Linux parent that may wait; otherwise gone at once (pid 1 here is native init).
                releaseNow = parent == null || parent.IgnoresChildren;
                if (releaseNow)
                {
                    if (parent != null)
                        Unlink(parent, process);
                    process.Parent = null;
                    process.State = LifeState.Reaped;
                }
                else
                {
                    process.State = LifeState.Zombie;
                    parent.ChildGeneration++;
                }
                // The exit signal under the tree's lock, as Linux's exit_notify sends it under tasklist_lock: a wait4
                // that finds the zombie (on another processor, woken or just arriving) also finds SIGCHLD pending, so
                // its handler runs before wait4's caller goes on (a difference found at 2 processors).
                if (parent != null)
                {
                    parent.Process.AddReference();   // for the wake-up below: once the lock is dropped it may reap and end
                    int code = (status & 0x7F) == 0 ? ChildExited : (status & 0x80) != 0 ? ChildDumped : ChildKilled;
                    SignalDelivery.SendToProcess(parent, process.ExitSignal, new SignalInformation
                    {
                        Code = code, SenderProcessId = process.ProcessId, SenderUserId = process.Credentials.UserId,
                        Status = code == ChildExited ? (status >> 8) & 0xFF : status & 0x7F,
                    });
                }
            }
            ReleaseVforkParent(process);
            for (LinuxProcess zombie = orphanZombies, next; zombie != null; zombie = next)
            {
                next = zombie.NextSibling;
                zombie.NextSibling = null;
                zombie.Process.Release();   // its tree reference: nobody will wait for it now
            }
            if (parent != null)
            {
                parent.ChildEvents.WakeAll();
                parent.Process.Release();
            }
            if (releaseNow && process.HoldsTreeReference)
                process.Process.Release();   // forked, but nobody will wait for it: its tree reference goes now
        }

        /// <summary>Job control: a child stopped (by 'signal') or continued; its parent may be told.</summary>
        public static void StopChanged(LinuxProcess process, bool stopped, int signal)
        {
            LinuxProcess parent;
            using (s_lock.Hold())
            {
                process.State = stopped ? LifeState.Stopped : LifeState.Running;
                process.StopReported = false;
                process.ContinueReported = false;
                if (stopped)
                    process.WaitStatus = (signal << 8) | 0x7F;
                parent = process.Parent;
                if (parent != null)
                {
                    parent.ChildGeneration++;
                    parent.Process.AddReference();   // for the wake-up below, as in Ended
                }
                if (!stopped)
                    process.ContinueReported = true;   // "continued, not yet reported"
                if (parent != null && (!stopped || !parent.NoChildStop))   // under the lock, as for an exit (Ended)
                    SignalDelivery.SendToProcess(parent, Signal.Child, new SignalInformation
                    {
                        Code = stopped ? ChildStopped : ChildContinued, SenderProcessId = process.ProcessId,
                        SenderUserId = process.Credentials.UserId, Status = stopped ? signal : Signal.Continue,
                    });
            }
            if (parent != null)
            {
                parent.ChildEvents.WakeAll();
                parent.Process.Release();
            }
        }

        /// <summary>
        /// wait4/waitid: a child matching 'selector' (wait4's pid: -1 any, &gt; 0 that one, 0 the caller's group,
        /// &lt; -1 group -selector) that has ended (reaped unless NoWait), or stopped or continued as 'options' ask.
        /// Sleeps until one does (interruptible: RestartSystemCall for a signal) unless NoHang (then pid 0).
        /// ECHILD when no child matches at all.
        /// </summary>
        public static Error Wait(LinuxProcess waiter, int selector, int options, out int pid, out int status, out int code)
        {
            pid = 0;
            status = 0;
            code = 0;
            while (true)
            {
                LinuxProcess reaped = null;
                bool any = false;
                int generation;
                using (s_lock.Hold())
                {
                    generation = waiter.ChildGeneration;
                    for (LinuxProcess child = waiter.FirstChild; child != null; child = child.NextSibling)
                    {
                        if (!Matches(waiter, child, selector))
                            continue;
                        any = true;
                        if (child.State == LifeState.Zombie && (options & Exited) != 0)
                        {
                            pid = child.ProcessId;
                            status = child.WaitStatus;
                            code = (status & 0x7F) == 0 ? ChildExited : (status & 0x80) != 0 ? ChildDumped : ChildKilled;
                            if ((options & NoWait) == 0)
                            {
                                Unlink(waiter, child);
                                child.State = LifeState.Reaped;
                                reaped = child;
                            }
                            break;
                        }
                        if (child.State == LifeState.Stopped && !child.StopReported && (options & Untraced) != 0)
                        {
                            pid = child.ProcessId;
                            status = child.WaitStatus;
                            code = ChildStopped;
                            if ((options & NoWait) == 0)
                                child.StopReported = true;
                            break;
                        }
                        if (child.ContinueReported && (options & ContinuedOption) != 0)
                        {
                            pid = child.ProcessId;
                            status = 0xFFFF;
                            code = ChildContinued;
                            if ((options & NoWait) == 0)
                                child.ContinueReported = false;
                            break;
                        }
                    }
                }
                if (reaped != null)
                    reaped.Process.Release();   // the zombie's reference: the kernel frees it now
                if (pid != 0)
                    return Error.None;
                if (!any)
                    return Error.NoChild;
                if ((options & NoHang) != 0)
                    return Error.None;
                using (InterruptMask.Enter())
                {
                    waiter.ChildEvents.Lock.Enter();
                    if (System.Threading.Volatile.Read(ref waiter.ChildGeneration) != generation)
                    {
                        waiter.ChildEvents.Lock.Exit();
                        continue;
                    }
                    if (!Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(waiter.ChildEvents))
                        return Error.RestartSystemCall;
                }
            }
        }

        private static bool Matches(LinuxProcess waiter, LinuxProcess child, int selector)
            => selector == -1 || (selector > 0 ? child.ProcessId == selector : selector == 0 ? child.ProcessGroup == waiter.ProcessGroup
                : child.ProcessGroup == -selector);

        // Lock held.
        private static void Unlink(LinuxProcess parent, LinuxProcess child)
        {
            if (parent.FirstChild == child)
            {
                parent.FirstChild = child.NextSibling;
            }
            else
            {
                for (LinuxProcess sibling = parent.FirstChild; sibling != null; sibling = sibling.NextSibling)
                {
                    if (sibling.NextSibling == child)
                    {
                        sibling.NextSibling = child.NextSibling;
                        break;
                    }
                }
            }
            child.NextSibling = null;
        }

        // ---------------------------------------------------------------- vfork

        /// <summary>vfork's parent waits until its child execs or ends (interruptible only by a kill: as Linux, it waits for the child).</summary>
        public static void WaitForVforkChild(LinuxProcess parent, LinuxProcess child)
        {
            using (InterruptMask.Enter())
            {
                while (true)
                {
                    parent.VforkDone.Lock.Enter();
                    if (System.Threading.Volatile.Read(ref child.VforkReleased))
                    {
                        parent.VforkDone.Lock.Exit();
                        return;
                    }
                    if (!Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(parent.VforkDone) && Exo.Kernel.Scheduler.Scheduler.Current.KillPending)
                        return;
                }
            }
        }

        /// <summary>The child of a vfork exec'd or ended: its parent goes on.</summary>
        public static void ReleaseVforkParent(LinuxProcess child)
        {
            LinuxProcess parent = child.VforkParent;
            if (parent == null)
                return;
            child.VforkParent = null;
            using (InterruptMask.Enter())
            using (parent.VforkDone.Lock.Hold())
                child.VforkReleased = true;
            parent.VforkDone.WakeAll();
            parent.Process.Release();   // taken by OnFork: the child no longer borrows the parent's memory
        }

        // ---------------------------------------------------------------- groups and sessions

        /// <summary>The Linux process with this pid, with a kernel reference on its Process (release it); null if none.</summary>
        public static LinuxProcess Find(int pid)
        {
            Process process = ProcessRegistry.Find(pid);
            if (process == null)
                return null;
            if (process.PersonalityState is LinuxProcess linux && linux.State != LifeState.Reaped)
                return linux;
            process.Release();
            return null;
        }

        public static Error SetProcessGroup(LinuxProcess caller, int pid, int group)
        {
            if (group < 0)
                return Error.Invalid;
            LinuxProcess target = pid == 0 || pid == caller.ProcessId ? caller : Find(pid);
            if (target == null)
                return Error.NoSuchProcess;
            Error error = Error.None;
            using (s_lock.Hold())
            {
                if (target != caller && target.Parent != caller)
                    error = Error.NoSuchProcess;
                else if (target.Session != caller.Session)
                    error = Error.NotPermitted;
                else if (target.ProcessId == target.Session)
                    error = Error.NotPermitted;   // a session leader keeps its group
                else
                {
                    int newGroup = group == 0 ? target.ProcessId : group;
                    if (newGroup != target.ProcessId && !GroupExistsInSession(newGroup, caller.Session, caller))
                        error = Error.NotPermitted;
                    else
                        target.ProcessGroup = newGroup;
                }
            }
            if (target != caller)
                target.Process.Release();
            return error;
        }

        // Lock held: is there a live Linux process in 'group' within 'session'?
        private static bool GroupExistsInSession(int group, int session, LinuxProcess caller)
        {
            bool found = false;
            for (int slot = 0; slot < ProcessRegistry.Capacity && !found; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                found = process.PersonalityState is LinuxProcess candidate && candidate.ProcessGroup == group
                    && candidate.Session == session && candidate.State != LifeState.Reaped;
                process.Release();
            }
            return found;
        }

        public static Error SetSession(LinuxProcess caller, out int session)
        {
            session = 0;
            using (s_lock.Hold())
            {
                if (caller.ProcessGroup == caller.ProcessId || GroupExistsInSession(caller.ProcessId, caller.Session, caller))
                    return Error.NotPermitted;   // already a process group leader
                caller.Session = caller.ProcessGroup = caller.ProcessId;
                session = caller.Session;
            }
            return Error.None;
        }

        /// <summary>Calls 'visit' for each live Linux process whose group is 'group' (kill of a group), under no lock the visitor needs.</summary>
        public static int ForEachInGroup(int group, delegate*<LinuxProcess, int, void> visit, int argument)
        {
            int count = 0;
            for (int slot = 0; slot < ProcessRegistry.Capacity; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess candidate && candidate.State != LifeState.Reaped && candidate.State != LifeState.Zombie
                    && (group == 0 || candidate.ProcessGroup == group))
                {
                    visit(candidate, argument);
                    count++;
                }
                process.Release();
            }
            return count;
        }

        /// <summary>
        /// POSIX's orphaned process group: no member has a parent in another group of the same session (nobody left
        /// who could continue it with job control). A stop signal from the terminal is not sent to one (EIO instead).
        /// </summary>
        public static bool IsOrphanedGroup(int group, int session)
        {
            bool orphaned = true;
            using (s_lock.Hold())
            {
                for (int slot = 0; slot < ProcessRegistry.Capacity && orphaned; slot++)
                {
                    Process process = ProcessRegistry.ReferenceAt(slot);
                    if (process == null)
                        continue;
                    if (process.PersonalityState is LinuxProcess member && member.ProcessGroup == group
                        && member.State != LifeState.Reaped && member.State != LifeState.Zombie)
                    {
                        LinuxProcess parent = member.Parent;
                        if (parent != null && parent.ProcessGroup != group && parent.Session == session)
                            orphaned = false;
                    }
                    process.Release();
                }
            }
            return orphaned;
        }
    }
}
