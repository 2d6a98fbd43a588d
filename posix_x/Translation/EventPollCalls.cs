using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Events;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// epoll: epoll_create and epoll_create1 make an instance (Vfs.Events.EventPollFile), epoll_ctl adds, changes and
    /// removes watched descriptors, epoll_wait, epoll_pwait and epoll_pwait2 wait for them as poll does (Readiness), with
    /// a signal mask as ppoll for the last two. A wait returns at most <see cref="MaximumBatch"/> events (fewer than
    /// asked is allowed: the rest come with the next call).
    /// </summary>
    public static unsafe class EventPollCalls
    {
        private const int Add = 1, Delete = 2, Modify = 3;   // EPOLL_CTL_*
        /// <summary>Linux's EP_MAX_EVENTS (INT_MAX / sizeof(struct epoll_event)): a larger maxevents is EINVAL.</summary>
        private const int MaximumEvents = int.MaxValue / 12;
        /// <summary>Events one wait copies out at most (its kernel buffer's size).</summary>
        private const int MaximumBatch = 256;
        private const ulong SignalSetSize = 8;

        internal static void Register()
        {
            LinuxSystemCalls.Register(EpollCreate, &DoCreate, CallPath.Hybrid);
            LinuxSystemCalls.Register(EpollCreate1, &DoCreateWithFlags, CallPath.Hybrid);
            LinuxSystemCalls.Register(EpollCtl, &DoControl, CallPath.Hybrid);
            LinuxSystemCalls.Register(EpollWait, &DoWait, CallPath.Hybrid);
            LinuxSystemCalls.Register(EpollPwait, &DoWaitWithMask, CallPath.Hybrid);
            LinuxSystemCalls.Register(EpollPwait2, &DoWaitWithTimespec, CallPath.Hybrid);
        }

        // epoll_create(size): the size is only checked (above 0).
        private static ulong DoCreate(RegisterFrame* frame)
            => (int)frame->Argument0 <= 0 ? SystemCallResult.From(Error.Invalid) : Create(0);

        // epoll_create1(flags): EPOLL_CLOEXEC only.
        private static ulong DoCreateWithFlags(RegisterFrame* frame)
            => ((int)frame->Argument0 & ~OpenFlags.CloseOnExec) != 0 ? SystemCallResult.From(Error.Invalid) : Create((int)frame->Argument0);

        private static ulong Create(int flags)
        {
            EventPollFile file = new EventPollFile();
            if (file == null)
                return SystemCallResult.From(Error.OutOfMemory);
            return DescriptorContext.InstallNew(file, (flags & OpenFlags.CloseOnExec) != 0);
        }

        // epoll_ctl(epfd, op, fd, event*), checked in Linux's order.
        private static ulong DoControl(RegisterFrame* frame)
        {
            int operation = (int)frame->Argument1;
            int descriptor = (int)frame->Argument2;
            EventPollFile.Event requested = default;
            if (operation != Delete && !UserMemory.CopyFromUser(&requested, frame->Argument3, (ulong)sizeof(EventPollFile.Event)))
                return SystemCallResult.From(Error.BadAddress);
            OpenFile instance = DescriptorContext.File((ulong)(uint)(int)frame->Argument0);
            if (instance == null)
                return SystemCallResult.From(Error.BadHandle);
            OpenFile target = DescriptorContext.File((ulong)(uint)descriptor);
            Error error = target == null ? Error.BadHandle
                : !target.Pollable ? Error.NotPermitted
                : target == instance || instance is not EventPollFile ? Error.Invalid
                : (requested.Events & EventPollBits.Exclusive) != 0 && (operation == Modify || target is EventPollFile
                    || (requested.Events & (EventPollBits.OneShot | EventPollBits.WakeUp)) != 0) ? Error.Invalid
                : Error.None;
            if (error == Error.None)
            {
                EventPollFile poll = (EventPollFile)instance;
                uint events = requested.Events | EventPollBits.Error | EventPollBits.HangUp;   // always reported, as Linux
                error = operation == Add ? poll.Add(target, descriptor, events, requested.Data)
                    : operation == Modify ? poll.Modify(target, descriptor, events, requested.Data)
                    : operation == Delete ? poll.Remove(target, descriptor)
                    : Error.Invalid;
            }
            target?.Release();
            instance.Release();
            return SystemCallResult.From(error);
        }

        // epoll_wait(epfd, events, maxevents, timeout in ms; negative: forever)
        private static ulong DoWait(RegisterFrame* frame)
        {
            int milliseconds = (int)frame->Argument3;
            return Wait(frame->Argument0, frame->Argument1, (int)frame->Argument2, milliseconds < 0 ? -1 : (long)milliseconds * 1_000_000, 0, false);
        }

        // epoll_pwait(epfd, events, maxevents, timeout, sigmask*, sigsetsize)
        private static ulong DoWaitWithMask(RegisterFrame* frame)
        {
            int milliseconds = (int)frame->Argument3;
            return WaitWithMask(frame, milliseconds < 0 ? -1 : (long)milliseconds * 1_000_000);
        }

        // epoll_pwait2(epfd, events, maxevents, timespec*, sigmask*, sigsetsize)
        private static ulong DoWaitWithTimespec(RegisterFrame* frame)
        {
            long timeout = -1;
            if (frame->Argument3 != 0)
            {
                Error error = TimeCalls.ReadTimespec(frame->Argument3, out timeout);
                if (error != Error.None)
                    return SystemCallResult.From(error);
            }
            return WaitWithMask(frame, timeout);
        }

        private static ulong WaitWithMask(RegisterFrame* frame, long timeout)
        {
            ulong mask = 0;
            bool masked = frame->Argument4 != 0;
            if (masked)
            {
                if (frame->Argument5 != SignalSetSize)
                    return SystemCallResult.From(Error.Invalid);
                if (!UserMemory.CopyFromUser(&mask, frame->Argument4, SignalSetSize))
                    return SystemCallResult.From(Error.BadAddress);
            }
            return Wait(frame->Argument0, frame->Argument1, (int)frame->Argument2, timeout, mask, masked);
        }

        private static ulong Wait(ulong descriptor, ulong events, int capacity, long timeoutNanoseconds, ulong mask, bool masked)
        {
            if (capacity <= 0 || capacity > MaximumEvents)
                return SystemCallResult.From(Error.Invalid);
            ulong bytes = (ulong)capacity * (ulong)sizeof(EventPollFile.Event);
            if (events > UserMemory.Limit || bytes > UserMemory.Limit - events)   // Linux's access_ok: below the limit, even page 0
                return SystemCallResult.From(Error.BadAddress);
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            if (file is not EventPollFile instance)
            {
                file.Release();
                return SystemCallResult.From(Error.Invalid);
            }
            int batch = capacity < MaximumBatch ? capacity : MaximumBatch;
            EventPollFile.Event* found = (EventPollFile.Event*)KernelHeap.AllocateUninitialized((ulong)(batch * sizeof(EventPollFile.Event)));
            if (found == null)
            {
                file.Release();
                return SystemCallResult.From(Error.OutOfMemory);
            }
            LinuxProcess process = LinuxProcess.Current;
            if (masked)
                PollCalls.UseMask(process, mask);
            ReadinessWait wait = new ReadinessWait(timeoutNanoseconds);
            Error error = Error.None;
            int count;
            while (true)
            {
                int generation = Readiness.Generation;
                count = instance.Collect(found, batch, ref wait);
                if (count > 0 || wait.Immediate)
                    break;
                Error slept = wait.Sleep(generation);
                if (slept == Error.Interrupted)
                {
                    error = Error.Interrupted;   // EINTR, never restarted (as Linux's epoll_wait)
                    break;
                }
                if (slept == Error.TimedOut)
                    break;
            }
            file.Release();
            if (count > 0 && !UserMemory.CopyToUser(events, found, (ulong)(count * sizeof(EventPollFile.Event))))
                error = Error.BadAddress;
            KernelHeap.Free(found);
            if (masked && error != Error.Interrupted)
                PollCalls.RestoreMask(process);   // interrupted: the mask comes back after the handler (SignalDelivery)
            return SystemCallResult.From(error, (ulong)count);
        }
    }
}
