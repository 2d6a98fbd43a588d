using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Sync;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Waiting for descriptors: poll, ppoll, select, pselect6. Each looks at every descriptor's readiness
    /// (OpenFile.Poll), and if none is ready sleeps until some object's readiness changes (Readiness), a signal
    /// comes, or the timeout passes (the scheduler's deadline). ppoll and pselect6 wait with the mask they are
    /// given, as sigsuspend does. Limits: as many descriptors as the process may open (RLIMIT_NOFILE).
    /// </summary>
    public static unsafe class PollCalls
    {
        private const ulong SignalSetSize = 8;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Poll, &DoPoll, CallPath.Hybrid);
            LinuxSystemCalls.Register(Ppoll, &DoPollWithMask, CallPath.Hybrid);
            LinuxSystemCalls.Register(Select, &DoSelect, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pselect6, &DoSelectWithMask, CallPath.Hybrid);
        }

        private struct PollRecord { public int Descriptor; public short Events, ReturnedEvents; }

        // poll(fds, nfds, timeout in ms; negative: forever)
        private static ulong DoPoll(RegisterFrame* frame)
        {
            int milliseconds = (int)frame->Argument2;
            return PollDescriptors(frame->Argument0, frame->Argument1, milliseconds < 0 ? -1 : (long)milliseconds * 1_000_000, 0, false);
        }

        // ppoll(fds, nfds, timespec*, sigmask*, sigsetsize)
        private static ulong DoPollWithMask(RegisterFrame* frame)
        {
            long timeout = -1;
            if (frame->Argument2 != 0)
            {
                Error error = TimeCalls.ReadTimespec(frame->Argument2, out timeout);
                if (error != Error.None)
                    return SystemCallResult.From(error);
            }
            ulong mask = 0;
            bool masked = frame->Argument3 != 0;
            if (masked)
            {
                if (frame->Argument4 != SignalSetSize)
                    return SystemCallResult.From(Error.Invalid);
                if (!UserMemory.CopyFromUser(&mask, frame->Argument3, SignalSetSize))
                    return SystemCallResult.From(Error.BadAddress);
            }
            return PollDescriptors(frame->Argument0, frame->Argument1, timeout, mask, masked);
        }

        private static ulong PollDescriptors(ulong records, ulong count, long timeoutNanoseconds, ulong mask, bool masked)
        {
            LinuxProcess process = LinuxProcess.Current;
            if (count > FileCalls.Limit(process))
                return SystemCallResult.From(Error.Invalid);
            ulong bytes = count * (ulong)sizeof(PollRecord);
            PollRecord* copy = count == 0 ? null : (PollRecord*)KernelHeap.AllocateUninitialized(bytes);
            if (count != 0 && copy == null)
                return SystemCallResult.From(Error.OutOfMemory);
            if (count != 0 && !UserMemory.CopyFromUser(copy, records, bytes))
            {
                KernelHeap.Free(copy);
                return SystemCallResult.From(Error.BadAddress);
            }
            if (masked)
                UseMask(process, mask);
            Error error = Error.None;
            int ready = 0;
            ReadinessWait wait = new ReadinessWait(timeoutNanoseconds);
            while (true)
            {
                int generation = Readiness.Generation;
                ready = 0;
                wait.Interest = 0;   // this pass's objects' keys (a descriptor that is not open: every key)
                for (ulong i = 0; i < count; i++)
                {
                    PollRecord* record = copy + i;
                    record->ReturnedEvents = 0;
                    if (record->Descriptor < 0)
                        continue;
                    OpenFile file = DescriptorContext.File((ulong)record->Descriptor);
                    PollEvents events = file == null ? PollEvents.Invalid : file.Poll();
                    wait.Interest |= file == null ? Readiness.AllKeys : file.ReadinessKeys;
                    if (file != null)
                    {
                        wait.Note(file.ReadyAt);
                        file.Release();
                    }
                    // Error, hang-up and invalid are reported whether asked or not.
                    short returned = (short)((short)events & (record->Events | (short)(PollEvents.Error | PollEvents.HangUp | PollEvents.Invalid)));
                    if ((events & PollEvents.In) != 0 && (record->Events & ReadNormal) != 0)
                        returned |= ReadNormal;
                    if ((events & PollEvents.Out) != 0 && (record->Events & WriteNormal) != 0)
                        returned |= WriteNormal;
                    record->ReturnedEvents = returned;
                    if (returned != 0)
                        ready++;
                }
                if (ready > 0 || wait.Immediate)
                    break;
                Error slept = wait.Sleep(generation);
                if (slept == Error.Interrupted)
                {
                    error = Error.RestartNoHandler;
                    break;
                }
                if (slept == Error.TimedOut)
                    break;
            }
            if (error == Error.None && count != 0 && !UserMemory.CopyToUser(records, copy, bytes))
                error = Error.BadAddress;
            if (copy != null)
                KernelHeap.Free(copy);
            if (masked && error != Error.RestartNoHandler)
                RestoreMask(process);   // interrupted: the mask comes back after the handler (SignalDelivery)
            return SystemCallResult.From(error, (ulong)ready);
        }

        private const short ReadNormal = 0x40, WriteNormal = 0x100;   // POLLRDNORM, POLLWRNORM

        // The mask to wait with; the caller's own is kept to be restored (after a handler, if one runs).
        internal static void UseMask(LinuxProcess process, ulong mask)
        {
            LinuxThread state = LinuxThread.Current;
            using (process.Lock.Hold())
            {
                state.SavedMask = state.BlockedSignals;
                state.RestoreSavedMask = true;
                state.BlockedSignals = mask & ~Signal.Unblockable;
            }
            SignalDelivery.RecheckPending(process, state);
        }

        internal static void RestoreMask(LinuxProcess process)
        {
            LinuxThread state = LinuxThread.Current;
            using (process.Lock.Hold())
            {
                if (state.RestoreSavedMask)
                {
                    state.BlockedSignals = state.SavedMask;
                    state.RestoreSavedMask = false;
                }
            }
            SignalDelivery.RecheckPending(process, state);
        }

        // select(nfds, readfds, writefds, exceptfds, timeval*)
        private static ulong DoSelect(RegisterFrame* frame)
        {
            long timeout = -1;
            if (frame->Argument4 != 0)
            {
                long* value = stackalloc long[2];
                if (!UserMemory.CopyFromUser(value, frame->Argument4, 16))
                    return SystemCallResult.From(Error.BadAddress);
                if (value[0] < 0 || value[1] < 0 || value[1] >= 1_000_000)
                    return SystemCallResult.From(Error.Invalid);
                timeout = value[0] * 1_000_000_000 + value[1] * 1000;
            }
            return SelectDescriptors((int)frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, timeout, 0, false,
                frame->Argument4, microseconds: true);
        }

        // pselect6(nfds, readfds, writefds, exceptfds, timespec*, {sigset*, size}*)
        private static ulong DoSelectWithMask(RegisterFrame* frame)
        {
            long timeout = -1;
            if (frame->Argument4 != 0)
            {
                Error error = TimeCalls.ReadTimespec(frame->Argument4, out timeout);
                if (error != Error.None)
                    return SystemCallResult.From(error);
            }
            ulong mask = 0;
            bool masked = false;
            if (frame->Argument5 != 0)
            {
                ulong* description = stackalloc ulong[2];
                if (!UserMemory.CopyFromUser(description, frame->Argument5, 16))
                    return SystemCallResult.From(Error.BadAddress);
                if (description[0] != 0)
                {
                    if (description[1] != SignalSetSize)
                        return SystemCallResult.From(Error.Invalid);
                    if (!UserMemory.CopyFromUser(&mask, description[0], SignalSetSize))
                        return SystemCallResult.From(Error.BadAddress);
                    masked = true;
                }
            }
            return SelectDescriptors((int)frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, timeout, mask, masked,
                0, microseconds: false);
        }

        private static ulong SelectDescriptors(int count, ulong readSet, ulong writeSet, ulong exceptSet, long timeoutNanoseconds,
            ulong mask, bool masked, ulong timevalToUpdate, bool microseconds)
        {
            LinuxProcess process = LinuxProcess.Current;
            if (count < 0 || (ulong)count > FileCalls.Limit(process))
                return SystemCallResult.From(Error.Invalid);
            int words = (count + 63) / 64;
            int setBytes = words * 8;
            ulong* sets = stackalloc ulong[3 * 64];   // 3 sets of up to 4096 descriptors
            ulong* results = stackalloc ulong[3 * 64];
            ulong* addresses = stackalloc ulong[3];
            addresses[0] = readSet; addresses[1] = writeSet; addresses[2] = exceptSet;
            for (int s = 0; s < 3; s++)
            {
                for (int w = 0; w < 64; w++)
                    sets[s * 64 + w] = 0;
                if (addresses[s] != 0 && setBytes > 0 && !UserMemory.CopyFromUser(sets + s * 64, addresses[s], (ulong)setBytes))
                    return SystemCallResult.From(Error.BadAddress);
            }
            // Every descriptor named must be open (EBADF otherwise), as Linux checks first.
            for (int d = 0; d < count; d++)
            {
                ulong bit = 1UL << (d % 64);
                if (((sets[d / 64] | sets[64 + d / 64] | sets[128 + d / 64]) & bit) == 0)
                    continue;
                OpenFile file = DescriptorContext.File((ulong)d);
                if (file == null)
                    return SystemCallResult.From(Error.BadHandle);
                file.Release();
            }
            if (masked)
                UseMask(process, mask);
            bool timed = timeoutNanoseconds >= 0;
            ulong start = Cpu.ReadTimeStampCounter();
            ReadinessWait wait = new ReadinessWait(timeoutNanoseconds);
            Error error = Error.None;
            int ready;
            while (true)
            {
                int generation = Readiness.Generation;
                ready = 0;
                wait.Interest = 0;
                for (int w = 0; w < 3 * 64; w++)
                    results[w] = 0;
                for (int d = 0; d < count; d++)
                {
                    ulong bit = 1UL << (d % 64);
                    int word = d / 64;
                    if (((sets[word] | sets[64 + word] | sets[128 + word]) & bit) == 0)
                        continue;
                    OpenFile file = DescriptorContext.File((ulong)d);
                    PollEvents events = file == null ? PollEvents.Error : file.Poll();
                    wait.Interest |= file == null ? Readiness.AllKeys : file.ReadinessKeys;
                    if (file != null)
                    {
                        wait.Note(file.ReadyAt);
                        file.Release();
                    }
                    if ((sets[word] & bit) != 0 && (events & (PollEvents.In | PollEvents.HangUp | PollEvents.Error)) != 0)
                    {
                        results[word] |= bit;
                        ready++;
                    }
                    if ((sets[64 + word] & bit) != 0 && (events & (PollEvents.Out | PollEvents.Error)) != 0)
                    {
                        results[64 + word] |= bit;
                        ready++;
                    }
                    if ((sets[128 + word] & bit) != 0 && (events & PollEvents.Priority) != 0)
                    {
                        results[128 + word] |= bit;
                        ready++;
                    }
                }
                if (ready > 0 || wait.Immediate)
                    break;
                Error slept = wait.Sleep(generation);
                if (slept == Error.Interrupted)
                {
                    error = Error.RestartNoHandler;
                    break;
                }
                if (slept == Error.TimedOut)
                    break;
            }
            if (masked && error != Error.RestartNoHandler)
                RestoreMask(process);
            if (error != Error.None)
                return SystemCallResult.From(error);
            for (int s = 0; s < 3; s++)
                if (addresses[s] != 0 && setBytes > 0 && !UserMemory.CopyToUser(addresses[s], results + s * 64, (ulong)setBytes))
                    return SystemCallResult.From(Error.BadAddress);
            if (timevalToUpdate != 0 && timed)
            {
                // Linux's select leaves the time not slept in the timeval.
                ulong elapsed = (Cpu.ReadTimeStampCounter() - start) * 1_000_000 / Exo.Kernel.Time.SystemClock.TscFrequency;
                long left = timeoutNanoseconds / 1000 - (long)elapsed;
                if (left < 0) left = 0;
                long* value = stackalloc long[2];
                value[0] = left / 1_000_000;
                value[1] = left % 1_000_000;
                UserMemory.CopyToUser(timevalToUpdate, value, 16);
            }
            return (ulong)ready;
        }
    }
}
