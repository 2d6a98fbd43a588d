using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Kernel.Syscalls;
using Exo.Kernel.UserMode;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux's signal calls: handlers (rt_sigaction), masks (rt_sigprocmask, rt_sigpending), waiting for a signal
    /// (rt_sigsuspend, pause), the handler's return (rt_sigreturn), alternate stacks (sigaltstack), and sending
    /// (kill to a process, a group or everyone; tgkill and tkill to a thread; rt_sigqueueinfo and rt_tgsigqueueinfo
    /// with the sender's siginfo), and taking a pending signal without a handler (rt_sigtimedwait). Delivery is
    /// SignalDelivery's.
    /// </summary>
    public static unsafe class SignalCalls
    {
        private const int Block = 0, Unblock = 1, SetMask = 2;
        private const ulong SignalSetSize = 8;

        // pause and sigsuspend sleep here until a signal interrupts them (nobody wakes this queue otherwise).
        private static readonly Exo.Kernel.Scheduler.WaitQueue s_waitingForSignals = new Exo.Kernel.Scheduler.WaitQueue();

        internal static void Register()
        {
            LinuxSystemCalls.Register(RtSigaction, &DoAction, CallPath.Fast);
            LinuxSystemCalls.Register(RtSigprocmask, &DoMask, CallPath.Fast);
            LinuxSystemCalls.Register(RtSigpending, &DoPending, CallPath.Fast);
            LinuxSystemCalls.Register(RtSigsuspend, &DoSuspend, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pause, &DoPause, CallPath.Hybrid);
            LinuxSystemCalls.Register(RtSigreturn, &DoReturn, CallPath.Fast);
            LinuxSystemCalls.Register(Sigaltstack, &DoAlternateStack, CallPath.Fast);
            LinuxSystemCalls.Register(Kill, &DoKill, CallPath.Hybrid);
            LinuxSystemCalls.Register(Tgkill, &DoThreadGroupKill, CallPath.Hybrid);
            LinuxSystemCalls.Register(Tkill, &DoThreadKill, CallPath.Hybrid);
            LinuxSystemCalls.Register(RtSigqueueinfo, &DoQueueInformation, CallPath.Hybrid);
            LinuxSystemCalls.Register(RtTgsigqueueinfo, &DoThreadQueueInformation, CallPath.Hybrid);
            LinuxSystemCalls.Register(RtSigtimedwait, &DoTimedWait, CallPath.Hybrid);
        }

        // rt_sigaction(signal, new, old, setsize): struct sigaction as the kernel takes it on x86-64.
        private static ulong DoAction(RegisterFrame* frame)
        {
            int signal = (int)frame->Argument0;
            ulong newAction = frame->Argument1, oldAction = frame->Argument2;
            if (frame->Argument3 != SignalSetSize || !Signal.IsValid(signal))
                return SystemCallResult.From(Error.Invalid);
            if (newAction != 0 && (Signal.Bit(signal) & Signal.Unblockable) != 0)
                return SystemCallResult.From(Error.Invalid);   // SIGKILL and SIGSTOP keep their default
            SignalAction requested = default;
            if (newAction != 0 && !UserMemory.CopyFromUser(&requested, newAction, (ulong)sizeof(SignalAction)))
                return SystemCallResult.From(Error.BadAddress);
            LinuxProcess process = LinuxProcess.Current;
            SignalAction previous;
            using (process.Lock.Hold())
            {
                previous = process.Handlers[signal - 1];
                if (newAction != 0)
                {
                    requested.Mask &= ~Signal.Unblockable;
                    process.Handlers[signal - 1] = requested;
                    // POSIX: setting a signal to be ignored discards it where it is pending.
                    if (requested.Handler == SignalAction.Ignore
                        || (requested.Handler == SignalAction.Default && Signal.DefaultActionOf(signal) == DefaultAction.Ignore))
                        SignalDelivery.DiscardEverywhere(process, Signal.Bit(signal));
                }
            }
            if (oldAction != 0 && !UserMemory.CopyToUser(oldAction, &previous, (ulong)sizeof(SignalAction)))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // rt_sigprocmask(how, set, old, setsize)
        private static ulong DoMask(RegisterFrame* frame)
        {
            int how = (int)frame->Argument0;
            ulong setAddress = frame->Argument1, oldAddress = frame->Argument2;
            if (frame->Argument3 != SignalSetSize)
                return SystemCallResult.From(Error.Invalid);
            ulong set = 0;
            if (setAddress != 0)
            {
                if (how != Block && how != Unblock && how != SetMask)
                    return SystemCallResult.From(Error.Invalid);
                if (!UserMemory.CopyFromUser(&set, setAddress, SignalSetSize))
                    return SystemCallResult.From(Error.BadAddress);
            }
            LinuxProcess process = LinuxProcess.Current;
            LinuxThread state = LinuxThread.Current;
            ulong previous;
            using (process.Lock.Hold())
            {
                previous = state.BlockedSignals;
                if (setAddress != 0)
                {
                    ulong blocked = how == Block ? previous | set : how == Unblock ? previous & ~set : set;
                    state.BlockedSignals = blocked & ~Signal.Unblockable;
                }
            }
            if (oldAddress != 0 && !UserMemory.CopyToUser(oldAddress, &previous, SignalSetSize))
                return SystemCallResult.From(Error.BadAddress);
            if (setAddress != 0)
                SignalDelivery.RecheckPending(process, state);
            return 0;
        }

        // rt_sigpending(set, setsize): what is pending and blocked.
        private static ulong DoPending(RegisterFrame* frame)
        {
            if (frame->Argument1 != SignalSetSize)
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess process = LinuxProcess.Current;
            LinuxThread state = LinuxThread.Current;
            ulong pending;
            using (process.Lock.Hold())
                pending = (state.PendingSignals | process.SharedPending) & state.BlockedSignals;
            return UserMemory.CopyToUser(frame->Argument0, &pending, SignalSetSize) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        // rt_sigsuspend(mask, setsize): waits with 'mask' until a handler has run; the old mask comes back after it.
        private static ulong DoSuspend(RegisterFrame* frame)
        {
            if (frame->Argument1 != SignalSetSize)
                return SystemCallResult.From(Error.Invalid);
            ulong mask;
            if (!UserMemory.CopyFromUser(&mask, frame->Argument0, SignalSetSize))
                return SystemCallResult.From(Error.BadAddress);
            LinuxProcess process = LinuxProcess.Current;
            LinuxThread state = LinuxThread.Current;
            using (process.Lock.Hold())
            {
                state.SavedMask = state.BlockedSignals;
                state.RestoreSavedMask = true;
                state.BlockedSignals = mask & ~Signal.Unblockable;
            }
            SignalDelivery.RecheckPending(process, state);
            WaitForSignal();
            return SystemCallResult.From(Error.RestartNoHandler);   // EINTR once the handler is set up
        }

        private static ulong DoPause(RegisterFrame* frame)
        {
            WaitForSignal();
            return SystemCallResult.From(Error.RestartNoHandler);
        }

        // Sleeps until a signal (or a kill) interrupts the caller.
        private static void WaitForSignal()
        {
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            using (InterruptMask.Enter())
            {
                while (!current.WaitInterrupted)
                {
                    s_waitingForSignals.Lock.Enter();
                    Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(s_waitingForSignals);
                }
            }
        }

        // rt_sigreturn: back from a handler to the registers its frame saved (RAX included: the result is theirs).
        private static ulong DoReturn(RegisterFrame* frame)
        {
            if (!SignalDelivery.Return(LinuxProcess.Current, Exo.Kernel.Scheduler.Scheduler.Current, frame))
            {
                SignalDelivery.Terminate(LinuxProcess.Current, Signal.SegmentationFault, coreDump: true);   // a corrupt frame, as Linux
                return 0;
            }
            return frame->Rax;
        }

        private struct StackDescription { public ulong Base; public int Flags; public int Padding; public ulong Size; }

        // sigaltstack(new, old)
        private static ulong DoAlternateStack(RegisterFrame* frame)
        {
            LinuxThread state = LinuxThread.Current;
            bool onStack = SignalDelivery.IsOnAlternateStack(state, frame->Rsp);
            StackDescription previous = new StackDescription
            {
                Base = state.AlternateStackBase, Size = state.AlternateStackSize,
                Flags = onStack ? LinuxThread.AlternateStackOnStack : state.AlternateStackFlags,
            };
            if (frame->Argument0 != 0)
            {
                StackDescription requested;
                if (!UserMemory.CopyFromUser(&requested, frame->Argument0, (ulong)sizeof(StackDescription)))
                    return SystemCallResult.From(Error.BadAddress);
                if (onStack)
                    return SystemCallResult.From(Error.NotPermitted);
                Error error = SignalDelivery.SetAlternateStack(state, requested.Base, requested.Flags, requested.Size);
                if (error != Error.None)
                    return SystemCallResult.From(error);
            }
            if (frame->Argument1 != 0 && !UserMemory.CopyToUser(frame->Argument1, &previous, (ulong)sizeof(StackDescription)))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // kill(pid, signal): pid > 0 that process; 0 the caller's group; -1 every process it may signal but init
        // and itself; < -1 the group -pid. Signal 0 only checks that the target exists and may be signalled.
        private static ulong DoKill(RegisterFrame* frame)
        {
            int pid = (int)frame->Argument0;
            int signal = (int)frame->Argument1;
            if (signal != 0 && !Signal.IsValid(signal))
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess sender = LinuxProcess.Current;
            SignalInformation information = new SignalInformation
            {
                Code = SignalDelivery.FromUser, SenderProcessId = sender.ProcessId, SenderUserId = sender.Credentials.UserId,
            };
            if (pid > 0)
            {
                LinuxProcess target = ProcessTree.Find(pid);
                if (target == null)
                    return SystemCallResult.From(Error.NoSuchProcess);
                Error error = MaySignal(sender, target) ? Error.None : Error.NotPermitted;
                if (error == Error.None && signal != 0)
                    SignalDelivery.SendToProcess(target, signal, information);
                target.Process.Release();
                return SystemCallResult.From(error);
            }
            int group = pid == 0 ? sender.ProcessGroup : pid == -1 ? 0 : -pid;
            if (signal == 0)
                return ProcessTree.ForEachInGroup(group, &Nothing, 0) > 0 ? 0 : SystemCallResult.From(Error.NoSuchProcess);
            int reached = pid == -1 ? SendToEveryone(sender, signal, information) : SignalDelivery.SendToGroup(group, signal, information);
            return reached > 0 ? 0 : SystemCallResult.From(Error.NoSuchProcess);
        }

        private static void Nothing(LinuxProcess process, int argument) { }

        private static int SendToEveryone(LinuxProcess sender, int signal, in SignalInformation information)
        {
            int count = 0;
            for (int slot = 0; slot < ProcessRegistry.Capacity; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess target && target != sender && target.ProcessId != ProcessTree.InitProcessId
                    && target.State != LifeState.Reaped && target.State != LifeState.Zombie && MaySignal(sender, target))
                {
                    SignalDelivery.SendToProcess(target, signal, information);
                    count++;
                }
                process.Release();
            }
            return count;
        }

        // Linux's rule: a privileged sender, or a real or effective user id matching the target's real or saved one.
        private static bool MaySignal(LinuxProcess sender, LinuxProcess target)
        {
            Credentials from = sender.Credentials, to = target.Credentials;
            return from.IsPrivileged || from.UserId == to.UserId || from.UserId == to.SavedUserId
                || from.EffectiveUserId == to.UserId || from.EffectiveUserId == to.SavedUserId;
        }

        private static ulong DoThreadGroupKill(RegisterFrame* frame)
            => SendToThread((int)frame->Argument0, (int)frame->Argument1, (int)frame->Argument2);

        private static ulong DoThreadKill(RegisterFrame* frame) => SendToThread(-1, (int)frame->Argument0, (int)frame->Argument1);

        // tgkill(tgid, tid, signal) and tkill(tid, signal) (tgid -1: any process).
        private static ulong SendToThread(int processId, int threadId, int signal)
        {
            if (threadId <= 0 || (processId != -1 && processId <= 0) || (signal != 0 && !Signal.IsValid(signal)))
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess sender = LinuxProcess.Current;
            LinuxProcess target = ThreadIds.FindProcessOf(threadId, out UserThread thread);
            if (target == null)
                return SystemCallResult.From(Error.NoSuchProcess);
            Error error = processId != -1 && target.ProcessId != processId ? Error.NoSuchProcess
                : MaySignal(sender, target) ? Error.None : Error.NotPermitted;
            if (error == Error.None && signal != 0)
            {
                SignalDelivery.SendToThread(target, thread, signal, new SignalInformation
                {
                    Code = SignalDelivery.FromThreadKill, SenderProcessId = sender.ProcessId, SenderUserId = sender.Credentials.UserId,
                });
            }
            thread.Release();
            target.Process.Release();
            return SystemCallResult.From(error);
        }

        private const int QueuedFromUser = -1;   // SI_QUEUE

        // rt_sigqueueinfo(tgid, signal, info) and rt_tgsigqueueinfo(tgid, tid, signal, info): the sender's own siginfo
        // (si_code, si_pid, si_uid, si_value). Another process may not pass itself off as the kernel or kill(): codes
        // >= 0 and SI_TKILL are refused (EPERM), as Linux refuses them. A full real-time queue is EAGAIN.
        private static ulong DoQueueInformation(RegisterFrame* frame)
            => Queue((int)frame->Argument0, 0, (int)frame->Argument1, frame->Argument2);

        private static ulong DoThreadQueueInformation(RegisterFrame* frame)
            => (int)frame->Argument1 <= 0 ? SystemCallResult.From(Error.Invalid)
                : Queue((int)frame->Argument0, (int)frame->Argument1, (int)frame->Argument2, frame->Argument3);

        private static ulong Queue(int processId, int threadId, int signal, ulong userInformation)
        {
            if (processId <= 0 || (signal != 0 && !Signal.IsValid(signal)))
                return SystemCallResult.From(Error.Invalid);
            byte* bytes = stackalloc byte[32];   // si_signo, si_errno, si_code, then _rt: si_pid, si_uid, si_value
            if (!UserMemory.CopyFromUser(bytes, userInformation, 32))
                return SystemCallResult.From(Error.BadAddress);
            SignalInformation information = new SignalInformation
            {
                Code = *(int*)(bytes + 8), SenderProcessId = *(int*)(bytes + 16), SenderUserId = *(uint*)(bytes + 20),
                Value = *(ulong*)(bytes + 24),
            };
            LinuxProcess sender = LinuxProcess.Current;
            UserThread thread = null;
            LinuxProcess target = threadId != 0 ? ThreadIds.FindProcessOf(threadId, out thread) : ProcessTree.Find(processId);
            if (target == null)
                return SystemCallResult.From(Error.NoSuchProcess);
            Error error = target.ProcessId != processId ? Error.NoSuchProcess
                : !MaySignal(sender, target) ? Error.NotPermitted
                : (information.Code >= 0 || information.Code == SignalDelivery.FromThreadKill) && target != sender ? Error.NotPermitted
                : Error.None;
            if (error == Error.None && signal != 0)
            {
                bool queued = thread != null ? SignalDelivery.SendToThread(target, thread, signal, information)
                    : SignalDelivery.SendToProcess(target, signal, information);
                if (!queued)
                    error = Error.WouldBlock;
            }
            thread?.Release();
            target.Process.Release();
            return SystemCallResult.From(error);
        }

        // The waiting rt_sigtimedwait callers (woken only by the signals they wait for, through InterruptThread).
        private static readonly Exo.Kernel.Scheduler.WaitQueue s_waitingInTimedWait = new Exo.Kernel.Scheduler.WaitQueue();

        // rt_sigtimedwait(set, info, timeout, setsize): takes a pending signal of 'set' (lowest first) without running
        // its handler, and returns its number with its siginfo. Nothing pending: EAGAIN at once for a zero timeout, else
        // it sleeps with the set unblocked (so that a sender picks and wakes this thread), up to the timeout (then
        // EAGAIN); another signal's handler ending the wait makes it EINTR, never restarted, as on Linux.
        private static ulong DoTimedWait(RegisterFrame* frame)
        {
            if (frame->Argument3 != SignalSetSize)
                return SystemCallResult.From(Error.Invalid);
            ulong set;
            if (!UserMemory.CopyFromUser(&set, frame->Argument0, SignalSetSize))
                return SystemCallResult.From(Error.BadAddress);
            set &= ~Signal.Unblockable;
            long timeout = -1;
            if (frame->Argument2 != 0)
            {
                Error timeError = TimeCalls.ReadTimespec(frame->Argument2, out timeout);
                if (timeError != Error.None)
                    return SystemCallResult.From(timeError);
            }
            LinuxProcess process = LinuxProcess.Current;
            LinuxThread state = LinuxThread.Current;
            int signal = TakeOneOf(process, state, set, out SignalInformation information);
            if (signal == 0 && timeout != 0)
            {
                Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
                ulong blocked;
                using (process.Lock.Hold())
                {
                    blocked = state.BlockedSignals;
                    state.BlockedSignals &= ~set;
                }
                SignalDelivery.RecheckPending(process, state);   // one sent in between: the wait below ends at once
                using (InterruptMask.Enter())
                {
                    if (timeout > 0)
                        Exo.Kernel.Scheduler.Scheduler.ArmTimeout(Exo.Kernel.Time.SystemClock.TscAfterNanoseconds((ulong)timeout));
                    // A signal sent before the wait began left its work flag: then there is nothing to wait for.
                    while ((System.Threading.Volatile.Read(ref current.User.PendingWork) & (int)UserWork.Signal) == 0 && !current.WaitEnds)
                    {
                        s_waitingInTimedWait.Lock.Enter();
                        Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(s_waitingInTimedWait);
                    }
                    if (timeout > 0)
                        Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                }
                using (process.Lock.Hold())
                    state.BlockedSignals = blocked;
                signal = TakeOneOf(process, state, set, out information);
                if (signal == 0)
                {
                    SignalDelivery.RecheckPending(process, state);
                    bool other;
                    using (process.Lock.Hold())
                        other = ((state.PendingSignals | process.SharedPending) & ~state.BlockedSignals) != 0;
                    return SystemCallResult.From(other ? Error.Interrupted : Error.WouldBlock);
                }
            }
            if (signal == 0)
                return SystemCallResult.From(Error.WouldBlock);
            if (frame->Argument1 != 0)
            {
                byte* bytes = stackalloc byte[128];
                SignalDelivery.WriteSignalInformation(bytes, signal, information);
                if (!UserMemory.CopyToUser(frame->Argument1, bytes, 128))
                    return SystemCallResult.From(Error.BadAddress);   // the signal is taken all the same, as on Linux
            }
            return (ulong)signal;
        }

        // Takes the lowest pending signal of 'set' (faults first), or 0.
        private static int TakeOneOf(LinuxProcess process, LinuxThread state, ulong set, out SignalInformation information)
        {
            using (process.Lock.Hold())
            {
                ulong due = (state.PendingSignals | process.SharedPending) & set;
                int signal = SignalDelivery.Lowest(due);
                if (signal != 0 && SignalDelivery.Take(process, state, signal, out information))
                    return signal;
            }
            information = default;
            return 0;
        }
    }
}
