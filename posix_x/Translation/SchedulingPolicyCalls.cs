using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// The scheduling policy calls: sched_setscheduler, sched_getscheduler, sched_setparam, sched_getparam,
    /// sched_get_priority_max, sched_get_priority_min, sched_rr_get_interval, for the caller (0) or a thread by id
    /// (ESRCH). SCHED_OTHER, SCHED_BATCH and SCHED_IDLE are accepted (priority 0) and kept per thread
    /// (KernelInterface.ThreadScheduling), with SCHED_RESET_ON_FORK. SCHED_FIFO and SCHED_RR are refused with EPERM for
    /// every caller, root too: Exo-OS's scheduler has no real-time class, and a program told it runs FIFO would rely on
    /// never being preempted by ordinary threads; EPERM is what an unprivileged Linux caller gets, which such programs
    /// already handle (they go on with the normal policy). Their priority range is still reported (1 to 99), and a bad
    /// priority for them is EINVAL first, as Linux checks it. SCHED_DEADLINE needs sched_setattr: EINVAL here.
    /// </summary>
    public static unsafe class SchedulingPolicyCalls
    {
        private const int KeepPolicy = -1;   // sched_setparam: Linux's SETPARAM_POLICY
        private const int HighestRealTimePriority = 99, LowestRealTimePriority = 1;   // MAX_RT_PRIO - 1
        /// <summary>What sched_rr_get_interval reports: the scheduler's longest slice (Scheduler's s_maximumSlice).</summary>
        private const long SliceNanoseconds = 4_000_000;

        internal static void Register()
        {
            LinuxSystemCalls.Register(SchedSetscheduler, &DoSetScheduler, CallPath.Hybrid);
            LinuxSystemCalls.Register(SchedGetscheduler, &DoGetScheduler, CallPath.Hybrid);
            LinuxSystemCalls.Register(SchedSetparam, &DoSetParameters, CallPath.Hybrid);
            LinuxSystemCalls.Register(SchedGetparam, &DoGetParameters, CallPath.Hybrid);
            LinuxSystemCalls.Register(SchedGetPriorityMax, &DoPriorityMaximum, CallPath.Fast);
            LinuxSystemCalls.Register(SchedGetPriorityMin, &DoPriorityMinimum, CallPath.Fast);
            LinuxSystemCalls.Register(SchedRrGetInterval, &DoRoundRobinInterval, CallPath.Hybrid);
        }

        // sched_setscheduler(pid, policy, param*): EINVAL for a negative policy or pid or a null param (Linux's order).
        private static ulong DoSetScheduler(RegisterFrame* frame)
            => (int)frame->Argument1 < 0 ? SystemCallResult.From(Error.Invalid)
                : SetScheduler((int)frame->Argument0, (int)frame->Argument1, frame->Argument2);

        private static ulong DoSetParameters(RegisterFrame* frame) => SetScheduler((int)frame->Argument0, KeepPolicy, frame->Argument1);

        private static ulong SetScheduler(int pid, int policy, ulong parameters)
        {
            if (parameters == 0 || pid < 0)
                return SystemCallResult.From(Error.Invalid);
            int priority;
            if (!UserMemory.CopyFromUser(&priority, parameters, 4))
                return SystemCallResult.From(Error.BadAddress);
            LinuxThread state = PriorityCalls.FindThread(pid, out LinuxProcess process, out UserThread thread);
            Error error = state == null ? Error.NoSuchProcess : Apply(process, state, policy, priority);
            PriorityCalls.ReleaseThread(process, thread);
            return SystemCallResult.From(error);
        }

        // Linux's __sched_setscheduler for the policies offered, in its order of checks.
        private static Error Apply(LinuxProcess process, LinuxThread thread, int policy, int priority)
        {
            ThreadScheduling current = thread.Scheduling;
            bool resetOnFork = current.ResetOnFork;
            if (policy == KeepPolicy)
            {
                policy = current.Policy;
            }
            else
            {
                resetOnFork = (policy & ThreadScheduling.ResetOnForkFlag) != 0;
                policy &= ~ThreadScheduling.ResetOnForkFlag;
                if (!IsNormal(policy) && !IsRealTime(policy))
                    return Error.Invalid;
            }
            if ((uint)priority > HighestRealTimePriority || IsRealTime(policy) != (priority != 0))
                return Error.Invalid;
            if (IsRealTime(policy))
                return Error.NotPermitted;   // no real-time class (see above)
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
            {
                if (current.Policy == ThreadScheduling.Idle && policy != ThreadScheduling.Idle && !PriorityCalls.MayLowerNice(process, current.Nice))
                    return Error.NotPermitted;   // leaving SCHED_IDLE takes what lowering the nice value would
                if (!PriorityCalls.MayChange(process) || (current.ResetOnFork && !resetOnFork))
                    return Error.NotPermitted;
            }
            thread.Scheduling.Policy = policy;
            thread.Scheduling.ResetOnFork = resetOnFork;
            return Error.None;
        }

        private static bool IsNormal(int policy)
            => policy == ThreadScheduling.Other || policy == ThreadScheduling.Batch || policy == ThreadScheduling.Idle;

        private static bool IsRealTime(int policy) => policy == ThreadScheduling.Fifo || policy == ThreadScheduling.RoundRobin;

        // sched_getscheduler(pid): the policy, with SCHED_RESET_ON_FORK.
        private static ulong DoGetScheduler(RegisterFrame* frame)
        {
            int pid = (int)frame->Argument0;
            if (pid < 0)
                return SystemCallResult.From(Error.Invalid);
            LinuxThread state = PriorityCalls.FindThread(pid, out LinuxProcess process, out UserThread thread);
            ulong result = state == null ? SystemCallResult.From(Error.NoSuchProcess)
                : (ulong)(state.Scheduling.Policy | (state.Scheduling.ResetOnFork ? ThreadScheduling.ResetOnForkFlag : 0));
            PriorityCalls.ReleaseThread(process, thread);
            return result;
        }

        // sched_getparam(pid, param*): the priority, 0 for every policy offered.
        private static ulong DoGetParameters(RegisterFrame* frame)
        {
            int pid = (int)frame->Argument0;
            if (frame->Argument1 == 0 || pid < 0)
                return SystemCallResult.From(Error.Invalid);
            LinuxThread state = PriorityCalls.FindThread(pid, out LinuxProcess process, out UserThread thread);
            PriorityCalls.ReleaseThread(process, thread);
            if (state == null)
                return SystemCallResult.From(Error.NoSuchProcess);
            int priority = 0;
            return UserMemory.CopyToUser(frame->Argument1, &priority, 4) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoPriorityMaximum(RegisterFrame* frame) => PriorityBound((int)frame->Argument0, HighestRealTimePriority);
        private static ulong DoPriorityMinimum(RegisterFrame* frame) => PriorityBound((int)frame->Argument0, LowestRealTimePriority);

        // The real-time policies' bound, 0 for the others Linux knows (SCHED_DEADLINE too), EINVAL for an unknown one.
        private static ulong PriorityBound(int policy, int realTimeBound)
            => IsRealTime(policy) ? (ulong)realTimeBound
                : IsNormal(policy) || policy == ThreadScheduling.Deadline ? 0 : SystemCallResult.From(Error.Invalid);

        // sched_rr_get_interval(pid, timespec*): the slice a thread runs before another of its level may (the
        // scheduler's longest; a SCHED_FIFO thread would have none, but none is).
        private static ulong DoRoundRobinInterval(RegisterFrame* frame)
        {
            int pid = (int)frame->Argument0;
            if (pid < 0)
                return SystemCallResult.From(Error.Invalid);
            LinuxThread state = PriorityCalls.FindThread(pid, out LinuxProcess process, out UserThread thread);
            PriorityCalls.ReleaseThread(process, thread);
            if (state == null)
                return SystemCallResult.From(Error.NoSuchProcess);
            long* interval = stackalloc long[2];
            interval[0] = 0;
            interval[1] = SliceNanoseconds;
            return UserMemory.CopyToUser(frame->Argument1, interval, 16) ? 0 : SystemCallResult.From(Error.BadAddress);
        }
    }
}
