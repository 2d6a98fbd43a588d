using Exo.Kernel.Arch.X64;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// getpriority and setpriority: the nice values (KernelInterface.ThreadScheduling) of a thread (PRIO_PROCESS: Linux's
    /// "process" is the thread the id names, 0 the caller), of every thread of a process group (PRIO_PGRP, 0 the
    /// caller's) or of a user's processes (PRIO_USER, by real user id, 0 the caller's). The raw getpriority answers
    /// 20 - nice (1 to 40; glibc turns it back), the highest over what matched; setpriority clamps to -20..19. Linux's
    /// permissions: EPERM to change a thread of another user, EACCES to lower a nice value beyond RLIMIT_NICE without
    /// privilege (root may), ESRCH when nothing matched. ioprio_get and ioprio_set: the I/O priority (class and level) of a
    /// thread, a process group's or a user's threads, the same way (IOPRIO_WHO_PROCESS, _PGRP, _USER); the real-time class
    /// for root only (EPERM). Recorded and reported: POSIX-X's file systems serve requests in order. Also the lookups the
    /// policy and capability calls share.
    /// </summary>
    public static unsafe class PriorityCalls
    {
        private const int ProcessTarget = 0, GroupTarget = 1, UserTarget = 2;   // PRIO_PROCESS, PRIO_PGRP, PRIO_USER
        private const int NiceOffset = 20;   // the raw getpriority's 20 - nice; RLIMIT_NICE's 20 - nice too

        internal static void Register()
        {
            LinuxSystemCalls.Register(Getpriority, &DoGet, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setpriority, &DoSet, CallPath.Hybrid);
            LinuxSystemCalls.Register(IoprioGet, &DoGetIo, CallPath.Hybrid);
            LinuxSystemCalls.Register(IoprioSet, &DoSetIo, CallPath.Hybrid);
        }

        private static ulong DoGet(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0, who = (int)frame->Argument1;
            if (which < ProcessTarget || which > UserTarget)
                return SystemCallResult.From(Error.Invalid);
            int highest = 0;
            if (which == ProcessTarget)
            {
                LinuxThread state = FindThread(who, out LinuxProcess process, out UserThread thread);
                if (state != null)
                    highest = NiceOffset - state.Scheduling.Nice;
                ReleaseThread(process, thread);
            }
            else
            {
                highest = ForEachThread(which, who, &Highest, 0, 0);
            }
            return highest == 0 ? SystemCallResult.From(Error.NoSuchProcess) : (ulong)highest;
        }

        private static int Highest(LinuxProcess process, LinuxThread thread, int unused, int highest)
            => NiceOffset - thread.Scheduling.Nice > highest ? NiceOffset - thread.Scheduling.Nice : highest;

        private static ulong DoSet(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0, who = (int)frame->Argument1, nice = (int)frame->Argument2;
            if (which < ProcessTarget || which > UserTarget)
                return SystemCallResult.From(Error.Invalid);
            if (nice < ThreadScheduling.HighestNice)
                nice = ThreadScheduling.HighestNice;
            if (nice > ThreadScheduling.LowestNice)
                nice = ThreadScheduling.LowestNice;
            int error;
            if (which == ProcessTarget)
            {
                LinuxThread state = FindThread(who, out LinuxProcess process, out UserThread thread);
                error = state == null ? (int)Error.NoSuchProcess : SetOne(process, state, nice, (int)Error.NoSuchProcess);
                ReleaseThread(process, thread);
            }
            else
            {
                error = ForEachThread(which, who, &SetOne, nice, (int)Error.NoSuchProcess);
            }
            return SystemCallResult.From((Error)error);
        }

        // Linux's set_one_prio: the error so far becomes None with the first thread changed; a refusal replaces it.
        private static int SetOne(LinuxProcess process, LinuxThread thread, int nice, int error)
        {
            if (!MayChange(process))
                return (int)Error.NotPermitted;
            if (nice < thread.Scheduling.Nice && !MayLowerNice(process, nice))
                return (int)Error.AccessDenied;
            thread.Scheduling.Nice = nice;
            return error == (int)Error.NoSuchProcess ? (int)Error.None : error;
        }

        // ioprio's targets and values (Linux's uapi ioprio.h).
        private const int IoProcess = 1, IoGroup = 2, IoUser = 3;   // IOPRIO_WHO_*
        private const int IoClassShift = 13, IoClassMask = 7, IoLevelMask = 7;
        private const int IoClassNone = 0, IoClassRealTime = 1, IoClassBestEffort = 2, IoClassIdle = 3;
        private const int IoBestEffortNormal = IoClassBestEffort << IoClassShift | 4;   // what "none" counts as among several
        private const int NoneYet = int.MinValue;

        private static ulong DoGetIo(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0, who = (int)frame->Argument1;
            if (which == IoProcess)
            {
                LinuxThread state = FindThread(who, out LinuxProcess process, out UserThread thread);
                int priority = state == null ? 0 : state.Scheduling.IoPriority;
                ReleaseThread(process, thread);
                return state == null ? SystemCallResult.From(Error.NoSuchProcess) : (ulong)priority;
            }
            if (which != IoGroup && which != IoUser)
                return SystemCallResult.From(Error.Invalid);
            int best = ForEachThread(which == IoGroup ? GroupTarget : UserTarget, who, &BestIo, 0, NoneYet);
            return best == NoneYet ? SystemCallResult.From(Error.NoSuchProcess) : (ulong)best;
        }

        // Linux's ioprio_best over several threads: the first as it is, then the lower value, "none" as best-effort 4.
        private static int BestIo(LinuxProcess process, LinuxThread thread, int unused, int best)
        {
            int priority = thread.Scheduling.IoPriority;
            if (best == NoneYet)
                return priority;
            int a = Class(best) == IoClassNone ? IoBestEffortNormal : best, b = Class(priority) == IoClassNone ? IoBestEffortNormal : priority;
            return a < b ? a : b;
        }

        private static int Class(int priority) => (priority >> IoClassShift) & IoClassMask;

        private static ulong DoSetIo(RegisterFrame* frame)
        {
            int which = (int)frame->Argument0, who = (int)frame->Argument1, priority = (int)frame->Argument2;
            // Linux's ioprio_check_cap, before the target.
            int level = priority & IoLevelMask;
            switch (Class(priority))
            {
                case IoClassRealTime:
                    if (!LinuxProcess.Current.Credentials.IsPrivileged)
                        return SystemCallResult.From(Error.NotPermitted);
                    break;
                case IoClassBestEffort:
                case IoClassIdle:
                    break;
                case IoClassNone:
                    if (level != 0)
                        return SystemCallResult.From(Error.Invalid);
                    break;
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
            int error;
            if (which == IoProcess)
            {
                LinuxThread state = FindThread(who, out LinuxProcess process, out UserThread thread);
                error = state == null ? (int)Error.NoSuchProcess : SetOneIo(process, state, priority, (int)Error.NoSuchProcess);
                ReleaseThread(process, thread);
            }
            else if (which == IoGroup || which == IoUser)
            {
                error = ForEachThread(which == IoGroup ? GroupTarget : UserTarget, who, &SetOneIo, priority, (int)Error.NoSuchProcess);
            }
            else
            {
                error = (int)Error.Invalid;
            }
            return SystemCallResult.From((Error)error);
        }

        // Linux's set_task_ioprio: the target's real user is the caller's real or effective one, or the caller is
        // privileged; the first refusal stops the change of the others.
        private static int SetOneIo(LinuxProcess process, LinuxThread thread, int priority, int error)
        {
            if (error != (int)Error.None && error != (int)Error.NoSuchProcess)
                return error;
            Credentials caller = LinuxProcess.Current.Credentials;
            if (!caller.IsPrivileged && process.Credentials.UserId != caller.EffectiveUserId && process.Credentials.UserId != caller.UserId)
                return (int)Error.NotPermitted;
            thread.Scheduling.IoPriority = priority;
            return (int)Error.None;
        }

        /// <summary>Linux's check_same_owner: the caller is privileged, or its effective user is the target's real or effective one.</summary>
        internal static bool MayChange(LinuxProcess target)
        {
            LinuxProcess caller = LinuxProcess.Current;
            uint user = caller.Credentials.EffectiveUserId;
            return caller.Credentials.IsPrivileged || user == target.Credentials.UserId || user == target.Credentials.EffectiveUserId;
        }

        /// <summary>Linux's can_nice: 'nice' within the target's RLIMIT_NICE (20 - nice), or a privileged caller (CAP_SYS_NICE).</summary>
        internal static bool MayLowerNice(LinuxProcess target, int nice)
            => LinuxProcess.Current.Credentials.IsPrivileged || (ulong)(NiceOffset - nice) <= target.Limits.Current[ResourceLimits.Nice];

        /// <summary>
        /// The thread 'id' names (0: the caller) and its process, for the priority and policy calls; null for ESRCH. Give
        /// the references back with ReleaseThread.
        /// </summary>
        internal static LinuxThread FindThread(int id, out LinuxProcess process, out UserThread thread)
        {
            if (id == 0)
            {
                thread = null;
                process = LinuxProcess.Current;
                return LinuxThread.Current;
            }
            if (id < 0)
            {
                thread = null;
                process = null;
                return null;   // no thread has a negative id
            }
            process = ThreadIds.FindProcessOf(id, out thread);
            return process == null ? null : LinuxThread.Of(thread);
        }

        internal static void ReleaseThread(LinuxProcess process, UserThread thread)
        {
            if (thread == null)
                return;
            thread.Release();
            process.Process.Release();
        }

        // 'visit' for every live thread of every live process of group 'who' (PRIO_PGRP) or real user 'who' (PRIO_USER),
        // 0 meaning the caller's, folding its results from 'initial'.
        private static int ForEachThread(int which, int who, delegate*<LinuxProcess, LinuxThread, int, int, int> visit, int argument, int initial)
        {
            LinuxProcess caller = LinuxProcess.Current;
            if (who == 0)
                who = which == GroupTarget ? caller.ProcessGroup : (int)caller.Credentials.UserId;
            int folded = initial;
            for (int slot = 0; slot < ProcessRegistry.Capacity; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess linux && (linux.State == LifeState.Running || linux.State == LifeState.Stopped)
                    && (which == GroupTarget ? linux.ProcessGroup == who : linux.Credentials.UserId == (uint)who))
                {
                    // Under the life cycle's lock: a thread's state goes only after its slot is emptied under it.
                    using (InterruptMask.Enter())
                    using (process.LifecycleLock.Hold())
                    {
                        for (int i = 0; i < process.ThreadCount; i++)
                        {
                            UserThread candidate = process.Threads[i];
                            LinuxThread state = candidate == null || candidate.Exited ? null : LinuxThread.Of(candidate);
                            if (state != null)
                                folded = visit(linux, state, argument, folded);
                        }
                    }
                }
                process.Release();
            }
            return folded;
        }
    }
}
