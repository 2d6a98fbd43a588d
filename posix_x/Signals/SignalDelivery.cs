using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Kernel.UserMode;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Signals
{
    /// <summary>
    /// Linux signals over the kernel's pending-work mechanism. Sending marks the signal pending (on the process,
    /// or on one thread) and asks one thread that does not block it to come back through ReturnToUser
    /// (UserWork.Signal; an interruptible wait it sleeps in ends with a restart code). On its way back to ring 3
    /// that thread runs <see cref="Deliver"/>: each pending, unblocked signal is taken lowest first (faults
    /// before others, as Linux): ignored, or its default action (end the process, stop it, continue it), or a
    /// handler frame on the user stack (Linux's rt_sigframe: return address, ucontext with the registers and the
    /// mask to restore, siginfo, then the XSAVE image of the x87/SSE/AVX state: SignalExtendedState).
    /// rt_sigreturn undoes the frame.
    /// A system call that a signal interrupted restarts or fails with EINTR as Linux decides (SA_RESTART).
    /// </summary>
    public static unsafe class SignalDelivery
    {
        // Faults and the like go first: their handler must run on the faulting instruction's frame.
        private static readonly ulong Synchronous = Signal.Bit(Signal.SegmentationFault) | Signal.Bit(Signal.BusError)
            | Signal.Bit(Signal.IllegalInstruction) | Signal.Bit(Signal.Trap) | Signal.Bit(Signal.FloatingPoint)
            | Signal.Bit(Signal.BadSystemCall);
        private static readonly ulong StopSignals = Signal.Bit(Signal.Stop) | Signal.Bit(Signal.TerminalStop)
            | Signal.Bit(Signal.TerminalInput) | Signal.Bit(Signal.TerminalOutput);

        // si_code values.
        public const int FromUser = 0, FromKernel = 0x80, FromThreadKill = -6;
        private const int SegmentationMapError = 1, SegmentationAccessError = 2, IllegalOperand = 2, DivideByZero = 1,
            FloatingPointInvalid = 7, BusAlignment = 1, TrapBreakpoint = 1, TrapTrace = 2;

        private static ulong s_delivered, s_handlerFrames;
        public static ulong Delivered => s_delivered;
        public static ulong HandlerFrames => s_handlerFrames;

        // ---------------------------------------------------------------- sending

        /// <summary>
        /// A signal for the whole process 'target' (kill): pending on the process, and one thread that does not
        /// block it is brought back to deliver it. SIGKILL ends the process at once; SIGCONT continues a stopped
        /// one whatever its handler. Standard signals do not queue: one already pending absorbs another; real-time
        /// ones queue (false when the queue is full: EAGAIN for the sender).
        /// </summary>
        public static bool SendToProcess(LinuxProcess target, int signal, in SignalInformation information)
        {
            if (!Signal.IsValid(signal))
                return true;
            if (signal == Signal.Kill)
            {
                Terminate(target, Signal.Kill, coreDump: false);
                return true;
            }
            if (signal == Signal.Continue)
                Resume(target);
            ulong bit = Signal.Bit(signal);
            UserThread chosen = null;
            bool endsStopped;
            using (target.Lock.Hold())
            {
                if (signal == Signal.Continue)
                    DiscardEverywhere(target, StopSignals);
                else if ((bit & StopSignals) != 0)
                    DiscardEverywhere(target, Signal.Bit(Signal.Continue));
                chosen = ThreadFor(target, bit);
                if (chosen != null && IsIgnored(target, signal))
                    return true;   // nobody blocks it and nobody would see it: dropped, as Linux does
                if ((target.SharedPending & bit) == 0)
                {
                    target.SharedPending |= bit;
                    target.PendingInformation[signal - 1] = information;
                }
                else if (signal >= Signal.FirstRealTime && !Queue(target, signal, null, information))
                {
                    return false;
                }
                // A stopped process cannot take it on its way back to ring 3; a signal that would end it anyway
                // (default action "terminate", not a core dump) ends it now, as Linux's group exit does.
                endsStopped = chosen != null && System.Threading.Volatile.Read(ref target.Stopped)
                    && target.Handlers[signal - 1].Handler == SignalAction.Default && Signal.DefaultActionOf(signal) == DefaultAction.Terminate;
                if (chosen != null && !endsStopped)
                    Wake(chosen);   // under the lock: the thread cannot be released meanwhile
            }
            Vfs.Readiness.Changed();   // signalfd readers and pollers look again
            if (endsStopped)
                Terminate(target, signal, coreDump: false);
            return true;
        }

        // Lock held: one more instance of a real-time signal already pending, within RLIMIT_SIGPENDING.
        private static bool Queue(LinuxProcess target, int signal, LinuxThread thread, in SignalInformation information)
            => target.QueuedSignals.Add(signal, thread, information, target.Limits.Current[ResourceLimits.PendingSignals]);

        /// <summary>The pending signal of 'due' delivered first: a fault's, then the lowest.</summary>
        public static int Lowest(ulong due) => Signal.Lowest((due & Synchronous) != 0 ? due & Synchronous : due);

        /// <summary>
        /// Lock held: takes pending 'signal' (the thread's own instance first, then the process's) with what it
        /// carries; a queued further instance becomes the pending one. False if it is not pending.
        /// </summary>
        public static bool Take(LinuxProcess process, LinuxThread state, int signal, out SignalInformation information)
        {
            ulong bit = Signal.Bit(signal);
            LinuxThread owner;
            if ((state.PendingSignals & bit) != 0)
            {
                state.PendingSignals &= ~bit;
                information = state.PendingInformation[signal - 1];
                owner = state;
            }
            else if ((process.SharedPending & bit) != 0)
            {
                process.SharedPending &= ~bit;
                information = process.PendingInformation[signal - 1];
                owner = null;
            }
            else
            {
                information = default;
                return false;
            }
            if (signal >= Signal.FirstRealTime && process.QueuedSignals.TakeNext(signal, owner, out SignalInformation next))
            {
                if (owner != null)
                {
                    state.PendingSignals |= bit;
                    state.PendingInformation[signal - 1] = next;
                }
                else
                {
                    process.SharedPending |= bit;
                    process.PendingInformation[signal - 1] = next;
                }
            }
            return true;
        }

        /// <summary>A signal for one thread of 'target' (tgkill, a fault): pending on that thread alone; false when a real-time signal's queue is full.</summary>
        public static bool SendToThread(LinuxProcess target, UserThread thread, int signal, in SignalInformation information)
        {
            if (!Signal.IsValid(signal))
                return true;
            if (signal == Signal.Kill)
            {
                Terminate(target, Signal.Kill, coreDump: false);
                return true;
            }
            if (signal == Signal.Continue)
                Resume(target);
            ulong bit = Signal.Bit(signal);
            using (target.Lock.Hold())
            {
                LinuxThread state = LinuxThread.Of(thread);   // under the lock: a released thread's state is gone
                if (state == null)
                    return true;
                if (IsIgnored(target, signal) && (state.BlockedSignals & bit) == 0)
                    return true;
                if ((state.PendingSignals & bit) == 0)
                {
                    state.PendingSignals |= bit;
                    state.PendingInformation[signal - 1] = information;
                }
                else if (signal >= Signal.FirstRealTime && !Queue(target, signal, state, information))
                {
                    return false;
                }
                if ((state.BlockedSignals & bit) == 0)
                    Wake(thread);   // under the lock: the thread cannot be released meanwhile
            }
            Vfs.Readiness.Changed();   // signalfd readers and pollers look again
            return true;
        }

        /// <summary>A signal the calling thread brings on itself (SIGPIPE from a write, SIGXFSZ): pending on it alone.</summary>
        public static void RaiseOnCurrentThread(int signal)
        {
            if (Exo.Kernel.Scheduler.Scheduler.Current.Process?.PersonalityState is not LinuxProcess process)
                return;
            SendToThread(process, Exo.Kernel.Scheduler.Scheduler.Current.User.Thread, signal,
                new SignalInformation { Code = FromUser, SenderProcessId = process.ProcessId, SenderUserId = process.Credentials.UserId });
        }

        /// <summary>kill(-group): every live process of the group; how many there were.</summary>
        public static int SendToGroup(int group, int signal, in SignalInformation information)
        {
            s_groupInformation = information;   // read by the visitor under no lock: kill of a group is rare
            return ProcessTree.ForEachInGroup(group, &SendToGroupMember, signal);
        }

        /// <summary>The terminal's signal characters (^C, ^\, ^Z) to its foreground group, from the serial interrupt.</summary>
        public static void SendFromTerminal(int group, int signal)
            => SendToGroup(group, signal, new SignalInformation { Code = FromKernel });

        private static SignalInformation s_groupInformation;
        private static void SendToGroupMember(LinuxProcess process, int signal) => SendToProcess(process, signal, s_groupInformation);

        // Lock held: the thread to deliver 'bit' (the first thread if it does not block it, else any other), or null.
        private static UserThread ThreadFor(LinuxProcess target, ulong bit)
        {
            Process process = target.Process;
            int count = System.Threading.Volatile.Read(ref process.ThreadCount);
            for (int i = 0; i < count; i++)
            {
                UserThread thread = process.Threads[i];
                if (thread == null || thread.Exited)
                    continue;
                LinuxThread state = LinuxThread.Of(thread);
                if (state != null && (state.BlockedSignals & bit) == 0)
                    return thread;
            }
            return null;
        }

        // Lock held (ProcessLifecycle.ReleaseEndedThread frees a thread only after taking it): brings 'thread' back to
        // look at its signals.
        private static void Wake(UserThread thread)
        {
            Exo.Kernel.Scheduler.Thread running = thread.Thread;
            if (running != null)
                ProcessLifecycle.InterruptThread(running, UserWork.Signal);
        }

        // Lock held: would the signal vanish on delivery (ignored, or a default action of "ignore")?
        private static bool IsIgnored(LinuxProcess target, int signal)
        {
            ulong handler = target.Handlers[signal - 1].Handler;
            if (handler == SignalAction.Ignore)
                return true;
            return handler == SignalAction.Default
                && (Signal.DefaultActionOf(signal) == DefaultAction.Ignore || Signal.DefaultActionOf(signal) == DefaultAction.Continue);
        }

        /// <summary>Lock held: drops 'set' from the process's and every thread's pending signals (SIG_IGN set, SIGCONT's stops).</summary>
        public static void DiscardEverywhere(LinuxProcess target, ulong set)
        {
            target.SharedPending &= ~set;
            target.QueuedSignals.Discard(set);
            Process process = target.Process;
            int count = System.Threading.Volatile.Read(ref process.ThreadCount);
            for (int i = 0; i < count; i++)
            {
                LinuxThread state = LinuxThread.Of(process.Threads[i]);
                if (state != null)
                    state.PendingSignals &= ~set;
            }
        }

        /// <summary>
        /// Asks the calling thread to look at its signals on its way back to ring 3 if one pending is not blocked
        /// (after its mask changed: sigprocmask, sigreturn, sigsuspend).
        /// </summary>
        public static void RecheckPending(LinuxProcess process, LinuxThread state)
        {
            bool due;
            using (process.Lock.Hold())
                due = ((state.PendingSignals | process.SharedPending) & ~state.BlockedSignals) != 0;
            if (due)
                System.Threading.Interlocked.Or(ref Exo.Kernel.Scheduler.Scheduler.Current.User.PendingWork, (int)UserWork.Signal);
        }

        /// <summary>Ends 'target' by 'signal' (its wait status names the signal; 0x80 if its default action dumps core).</summary>
        public static void Terminate(LinuxProcess target, int signal, bool coreDump)
        {
            using (target.Lock.Hold())
            {
                if (target.TerminatingSignal == 0)
                {
                    target.TerminatingSignal = signal;
                    target.CoreDumped = coreDump;
                }
            }
            ProcessLifecycle.Kill(target.Process);
        }

        // ---------------------------------------------------------------- job control

        // SIGCONT: a stopped process goes on (its threads wait in WaitWhileStopped), and its parent may hear of it.
        private static void Resume(LinuxProcess target)
        {
            bool wasStopped;
            using (InterruptMask.Enter())
            using (target.Continued.Lock.Hold())
            {
                wasStopped = target.Stopped;
                target.Stopped = false;
            }
            if (!wasStopped)
                return;
            target.Continued.WakeAll();
            ProcessTree.StopChanged(target, stopped: false, Signal.Continue);
        }

        // A stop signal's default action: every thread of the process stops until SIGCONT (or SIGKILL).
        private static void Stop(LinuxProcess process, int signal)
        {
            bool first;
            using (InterruptMask.Enter())
            using (process.Continued.Lock.Hold())
            {
                first = !process.Stopped;
                process.Stopped = true;
            }
            if (!first)
                return;
            Process kernelProcess = process.Process;
            Exo.Kernel.Scheduler.Thread self = Exo.Kernel.Scheduler.Scheduler.Current;
            using (process.Lock.Hold())   // a thread's release takes it before freeing the thread
            {
                int count = System.Threading.Volatile.Read(ref kernelProcess.ThreadCount);
                for (int i = 0; i < count; i++)
                {
                    UserThread thread = kernelProcess.Threads[i];
                    if (thread != null && !thread.Exited && thread.Thread != null && thread.Thread != self)
                        ProcessLifecycle.InterruptThread(thread.Thread, UserWork.Signal);   // each stops on its way back
                }
            }
            ProcessTree.StopChanged(process, stopped: true, signal);
        }

        // Interrupts masked. Sleeps while the process is stopped; a kill ends the wait (the thread then ends).
        private static void WaitWhileStopped(LinuxProcess process, Exo.Kernel.Scheduler.Thread thread)
        {
            while (true)
            {
                // Other signals stay pending while stopped: their wake-ups must not end this wait.
                System.Threading.Interlocked.And(ref thread.User.PendingWork, ~(int)UserWork.Signal);
                process.Continued.Lock.Enter();
                if (!System.Threading.Volatile.Read(ref process.Stopped))
                {
                    process.Continued.Lock.Exit();
                    return;
                }
                if (!Exo.Kernel.Scheduler.Scheduler.BlockOnLockedInterruptibly(process.Continued) && thread.KillPending)
                    return;
            }
        }

        // ---------------------------------------------------------------- delivery

        /// <summary>
        /// On the way back to ring 3 (ReturnToUser, interrupts masked): delivers what is pending and not blocked.
        /// A handler gets a frame (and the registers point into it: FrameChanged); a default action ends, stops
        /// or continues the process. An interrupted system call is restarted or fails with EINTR.
        /// </summary>
        public static void Deliver(LinuxProcess process, Exo.Kernel.Scheduler.Thread thread, RegisterFrame* frame)
        {
            LinuxThread state = LinuxThread.Of(thread.User.Thread);
            if (state == null)
                return;
            if (System.Threading.Volatile.Read(ref process.Stopped))
                WaitWhileStopped(process, thread);
            while (!thread.KillPending)
            {
                int signal;
                SignalAction action;
                SignalInformation information;
                ulong previousMask;
                using (process.Lock.Hold())
                {
                    ulong due = (state.PendingSignals | process.SharedPending) & ~state.BlockedSignals;
                    if (due == 0)
                        break;
                    signal = Lowest(due);
                    ulong bit = Signal.Bit(signal);
                    Take(process, state, signal, out information);
                    action = process.Handlers[signal - 1];
                    previousMask = state.BlockedSignals;
                    if (action.Handler > SignalAction.Ignore)
                    {
                        if (state.RestoreSavedMask)
                        {
                            previousMask = state.SavedMask;   // sigsuspend's caller gets its own mask back after the handler
                            state.RestoreSavedMask = false;
                        }
                        state.BlockedSignals |= action.Mask | ((action.Flags & SignalAction.NoDefer) != 0 ? 0 : bit);
                        state.BlockedSignals &= ~Signal.Unblockable;
                        if ((action.Flags & SignalAction.ResetHand) != 0)
                            process.Handlers[signal - 1].Handler = SignalAction.Default;
                    }
                }
                s_delivered++;
                if (action.Handler == SignalAction.Ignore)
                    continue;
                if (action.Handler == SignalAction.Default)
                {
                    switch (Signal.DefaultActionOf(signal))
                    {
                        case DefaultAction.Ignore:
                        case DefaultAction.Continue:
                            continue;
                        case DefaultAction.Stop:
                            Stop(process, signal);
                            WaitWhileStopped(process, thread);
                            continue;
                        default:
                            bool core = Signal.DefaultActionOf(signal) == DefaultAction.CoreDump;
                            if (core)
                                Report(process, signal, frame, information);
                            Terminate(process, signal, core);
                            return;   // ReturnToUser sees the kill and ends the thread
                    }
                }
                RestartOrInterrupt(frame, handlerRuns: true, (action.Flags & SignalAction.Restart) != 0);
                if (!BuildHandlerFrame(thread, state, frame, signal, action, information, previousMask))
                {
                    // No room for the frame (a bad stack): the process ends by SIGSEGV, as on Linux.
                    Report(process, Signal.SegmentationFault, frame, information);
                    Terminate(process, Signal.SegmentationFault, coreDump: true);
                    return;
                }
                s_handlerFrames++;
                UserMode.MarkFrameChanged(thread);
                // Another signal still due gets its frame on top of this one (its handler runs first), as on Linux.
            }
            if (thread.KillPending)
                return;
            RestartOrInterrupt(frame, handlerRuns: false, restartRequested: false);   // no handler ran for this call: it goes on
            if (state.RestoreSavedMask)
            {
                using (process.Lock.Hold())
                {
                    state.BlockedSignals = state.SavedMask;
                    state.RestoreSavedMask = false;
                }
            }
        }

        /// <summary>Marks a frame whose call must never be restarted (sigreturn's: its RAX is the program's).</summary>
        public const ulong NoSystemCall = ulong.MaxValue;

        // A system call that ended with a restart code: run it again (RIP back over SYSCALL, RAX its number), or
        // fail it with EINTR, as Linux decides for each code, whether a handler runs and whether it asked SA_RESTART.
        private static void RestartOrInterrupt(RegisterFrame* frame, bool handlerRuns, bool restartRequested)
        {
            if (!frame->IsSystemCall || frame->ErrorCode == NoSystemCall)
                return;
            long result = (long)frame->Rax;
            bool again;
            if (result == -(long)Error.RestartNoInterrupt)
                again = true;
            else if (result == -(long)Error.RestartSystemCall)
                again = !handlerRuns || restartRequested;
            else if (result == -(long)Error.RestartNoHandler)
                again = !handlerRuns;
            else
                return;
            if (again)
            {
                frame->Rax = frame->ErrorCode;
                frame->Rip -= 2;   // SYSCALL is two bytes
                frame->Rcx = frame->Rip;
            }
            else
            {
                frame->Rax = unchecked((ulong)-(long)Error.Interrupted);
            }
            UserMode.MarkFrameChanged(Exo.Kernel.Scheduler.Scheduler.Current);
        }

        // The frame Linux builds for a handler (arch/x86/kernel/signal_64.c), lowest address first.
        private const int UcontextOffset = 8, UcontextSize = 304, SiginfoOffset = UcontextOffset + UcontextSize, SiginfoSize = 128,
            FrameSize = SiginfoOffset + SiginfoSize, RedZone = 128;
        // Within the ucontext: flags, link, the stack, the machine context (sigcontext), the mask.
        private const int StackOffset = 16, ContextOffset = 40, MaskOffset = 296;
        // uc_flags: UC_FP_XSTATE, UC_SIGCONTEXT_SS, UC_STRICT_RESTORE_SS.
        private const ulong ContextHasExtendedState = 0x1, ContextHasStackSegment = 0x2, StrictRestoreStackSegment = 0x4;
        // Linux's bound on a frame (arch/x86/kernel/signal.c, init_sigframe_size): the frame and its 16-byte
        // alignment, the fpstate and its 64-byte alignment, rounded up to 16.
        private const int FrameAlignmentPadding = 15, FpStateAlignmentPadding = 63, FrameAlignment = 16;

        /// <summary>AT_MINSIGSTKSZ: the most stack a handler frame takes (not counting what the handler itself uses).</summary>
        public static ulong MaximumFrameSize
            => (ulong)(FrameSize + FrameAlignmentPadding + SignalExtendedState.Size + FpStateAlignmentPadding + FrameAlignment - 1) & ~(ulong)(FrameAlignment - 1);
        // RFLAGS a handler starts without: TF, DF, RF.
        private const ulong HandlerClearedFlags = 0x100 | 0x400 | 0x10000;

        private static bool BuildHandlerFrame(Exo.Kernel.Scheduler.Thread thread, LinuxThread state, RegisterFrame* frame, int signal,
            in SignalAction action, in SignalInformation information, ulong previousMask)
        {
            if ((action.Flags & SignalAction.Restorer_) == 0)
                return false;   // x86-64 handlers return through the restorer the C library names
            ulong stack = frame->Rsp;
            bool onAlternate = OnAlternateStack(state, stack);
            if ((action.Flags & SignalAction.OnStack) != 0 && state.AlternateStackFlags == 0 && !onAlternate)
                stack = state.AlternateStackBase + state.AlternateStackSize;
            else
                stack -= RedZone;
            ulong fpState = (stack - (ulong)SignalExtendedState.Size) & ~63UL;
            ulong frameAddress = ((fpState - FrameSize) & ~15UL) - 8;   // as after a call: RSP + 8 is 16-byte aligned

            byte* image = stackalloc byte[FrameSize];
            for (int i = 0; i < FrameSize; i++)
                image[i] = 0;
            *(ulong*)image = action.Restorer;
            byte* context = image + UcontextOffset;
            *(ulong*)context = ContextHasStackSegment | StrictRestoreStackSegment | (SignalExtendedState.Extended ? ContextHasExtendedState : 0);
            *(ulong*)(context + StackOffset) = state.AlternateStackBase;
            *(int*)(context + StackOffset + 8) = onAlternate ? LinuxThread.AlternateStackOnStack : state.AlternateStackFlags;
            *(ulong*)(context + StackOffset + 16) = state.AlternateStackSize;
            SaveContext((ulong*)(context + ContextOffset), frame, previousMask, FaultAddressOf(signal, information), fpState);
            *(ulong*)(context + MaskOffset) = previousMask;
            WriteSignalInformation(image + SiginfoOffset, signal, information);
            if (!UserMemory.CopyToUser(frameAddress, image, FrameSize) || !SignalExtendedState.Write((byte*)thread.User.ExtendedState, fpState))
                return false;

            frame->Rip = action.Handler;
            frame->Rsp = frameAddress;
            frame->Rdi = (ulong)signal;
            frame->Rsi = frameAddress + SiginfoOffset;
            frame->Rdx = frameAddress + UcontextOffset;
            frame->Rax = 0;
            frame->Rflags &= ~HandlerClearedFlags;
            ExtendedState.InitializeResetState((byte*)thread.User.ExtendedState);   // a handler starts with clean x87/SSE/AVX state
            return true;
        }

        private static bool OnAlternateStack(LinuxThread state, ulong stack)
            => state.AlternateStackFlags != LinuxThread.AlternateStackDisabled
                && stack > state.AlternateStackBase && stack - state.AlternateStackBase <= state.AlternateStackSize;

        // struct sigcontext (x86-64): r8-r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags, cs/gs/fs/ss,
        // err, trapno, oldmask, cr2, fpstate, 8 reserved words.
        private static void SaveContext(ulong* words, RegisterFrame* frame, ulong mask, ulong faultAddress, ulong fpState)
        {
            words[0] = frame->R8; words[1] = frame->R9; words[2] = frame->R10; words[3] = frame->R11;
            words[4] = frame->R12; words[5] = frame->R13; words[6] = frame->R14; words[7] = frame->R15;
            words[8] = frame->Rdi; words[9] = frame->Rsi; words[10] = frame->Rbp; words[11] = frame->Rbx;
            words[12] = frame->Rdx; words[13] = frame->Rax; words[14] = frame->Rcx; words[15] = frame->Rsp;
            words[16] = frame->Rip; words[17] = frame->Rflags;
            words[18] = (frame->Cs & 0xFFFF) | ((frame->Ss & 0xFFFF) << 48);
            bool fault = !frame->IsSystemCall && frame->Vector < 32;
            words[19] = fault ? frame->ErrorCode : 0;
            words[20] = fault ? frame->Vector : 0;
            words[21] = mask;
            words[22] = faultAddress;
            words[23] = fpState;
        }

        /// <summary>rt_sigreturn: the registers, mask, alternate stack and x87/SSE/AVX state a handler frame saved. False: a bad frame.</summary>
        public static bool Return(LinuxProcess process, Exo.Kernel.Scheduler.Thread thread, RegisterFrame* frame)
        {
            LinuxThread state = LinuxThread.Of(thread.User.Thread);
            byte* context = stackalloc byte[UcontextSize];
            if (!UserMemory.CopyFromUser(context, frame->Rsp, UcontextSize))   // RSP: the frame's address + 8, past its return address
                return false;
            ulong* words = (ulong*)(context + ContextOffset);
            ulong fpState = words[23];
            if (fpState != 0)
            {
                if (!SignalExtendedState.Read((byte*)thread.User.ExtendedState, fpState))
                    return false;
            }
            else
            {
                ExtendedState.InitializeResetState((byte*)thread.User.ExtendedState);
            }
            frame->R8 = words[0]; frame->R9 = words[1]; frame->R10 = words[2]; frame->R11 = words[3];
            frame->R12 = words[4]; frame->R13 = words[5]; frame->R14 = words[6]; frame->R15 = words[7];
            frame->Rdi = words[8]; frame->Rsi = words[9]; frame->Rbp = words[10]; frame->Rbx = words[11];
            frame->Rdx = words[12]; frame->Rax = words[13]; frame->Rcx = words[14]; frame->Rsp = words[15];
            frame->Rip = words[16];
            frame->Rflags = words[17];   // ring 3's bits only: SanitizeForUserMode keeps those
            frame->ErrorCode = NoSystemCall;   // the registers are the program's: nothing here to restart
            using (process.Lock.Hold())
                state.BlockedSignals = *(ulong*)(context + MaskOffset) & ~Signal.Unblockable;
            // The alternate stack as the frame recorded it (as sigaltstack would set it; errors are ignored, as on Linux).
            ulong alternateBase = *(ulong*)(context + StackOffset);
            int alternateFlags = *(int*)(context + StackOffset + 8);
            ulong alternateSize = *(ulong*)(context + StackOffset + 16);
            if (!OnAlternateStack(state, frame->Rsp))
                SetAlternateStack(state, alternateBase, alternateFlags, alternateSize);
            RecheckPending(process, state);
            UserMode.MarkFrameChanged(thread);
            return true;
        }

        /// <summary>sigaltstack's change (not while running on it: the caller checks).</summary>
        public static Error SetAlternateStack(LinuxThread state, ulong stackBase, int flags, ulong size)
        {
            const int Disable = LinuxThread.AlternateStackDisabled, AutoDisarm = unchecked((int)0x80000000);
            const ulong MinimumSize = 2048;
            int mode = flags & ~AutoDisarm;
            if (mode != 0 && mode != Disable && mode != LinuxThread.AlternateStackOnStack)
                return Error.Invalid;
            if (mode == Disable)
            {
                state.AlternateStackBase = 0;
                state.AlternateStackSize = 0;
                state.AlternateStackFlags = Disable;
                return Error.None;
            }
            if (size < MinimumSize)
                return Error.OutOfMemory;
            state.AlternateStackBase = stackBase;
            state.AlternateStackSize = size;
            state.AlternateStackFlags = 0;
            return Error.None;
        }

        public static bool IsOnAlternateStack(LinuxThread state, ulong stack) => OnAlternateStack(state, stack);

        // siginfo_t: signo, errno, code, then the union at 16 (kill: pid, uid; SIGCHLD: pid, uid, status; faults: address).
        /// <summary>The 128 bytes of siginfo_t for 'signal' and what it carries (a handler's frame, rt_sigtimedwait).</summary>
        public static void WriteSignalInformation(byte* into, int signal, in SignalInformation information)
        {
            for (int i = 0; i < SiginfoSize; i++)
                into[i] = 0;
            *(int*)into = signal;
            *(int*)(into + 8) = information.Code;
            if (IsFaultSignal(signal) && information.Code > 0)
            {
                *(ulong*)(into + 16) = information.Address;
                return;
            }
            *(int*)(into + 16) = information.SenderProcessId;
            *(uint*)(into + 20) = information.SenderUserId;
            if (signal == Signal.Child)
                *(int*)(into + 24) = information.Status;
            else
                *(ulong*)(into + 24) = information.Value;   // si_value (0 but for sigqueue and timers)
        }

        /// <summary>The address a fault signal's information names (its si_addr and the context's cr2); 0 for any other signal.</summary>
        public static ulong FaultAddressOf(int signal, in SignalInformation information)
            => IsFaultSignal(signal) && information.Code > 0 ? information.Address : 0;

        private static bool IsFaultSignal(int signal)
            => signal == Signal.SegmentationFault || signal == Signal.BusError || signal == Signal.IllegalInstruction
                || signal == Signal.FloatingPoint || signal == Signal.Trap;

        // ---------------------------------------------------------------- faults

        /// <summary>
        /// A CPU exception in ring 3 that demand paging did not resolve: the signal Linux sends for it, forced (a
        /// blocked or ignored fault signal cannot be honoured: the process ends as the default action says),
        /// delivered on the way back. Always taken.
        /// </summary>
        public static bool FromFault(LinuxProcess process, Exo.Kernel.Scheduler.Thread thread, RegisterFrame* frame, ulong vector)
        {
            SignalInformation information = default;
            int signal;
            switch (vector)
            {
                case 0: signal = Signal.FloatingPoint; information.Code = DivideByZero; break;
                case 1: signal = Signal.Trap; information.Code = TrapTrace; break;
                case 3: signal = Signal.Trap; information.Code = FromKernel; break;
                case 6: signal = Signal.IllegalInstruction; information.Code = IllegalOperand; break;
                case 16:
                case 19: signal = Signal.FloatingPoint; information.Code = FloatingPointInvalid; break;
                case 11:
                case 12: signal = Signal.BusError; information.Code = FromKernel; break;
                case 17: signal = Signal.BusError; information.Code = BusAlignment; break;
                case 14:
                    signal = Signal.SegmentationFault;
                    information.Address = Cpu.ReadCr2();
                    // As Linux: ACCERR where a mapping is (its permissions refused the access, touched or not), MAPERR elsewhere.
                    information.Code = (frame->ErrorCode & 1) != 0 || process.Regions.Covers(information.Address & ~0xFFFUL, 1)
                        ? SegmentationAccessError : SegmentationMapError;
                    break;
                default: signal = Signal.SegmentationFault; information.Code = FromKernel; break;   // #GP and the rest
            }
            if (vector == 0 || vector == 6 || vector == 16 || vector == 19)
                information.Address = frame->Rip;
            ulong bit = Signal.Bit(signal);
            LinuxThread state = LinuxThread.Of(thread.User.Thread);
            using (process.Lock.Hold())
            {
                // Forced: a fault nobody can handle ends the process (the handler reset to the default).
                if ((state.BlockedSignals & bit) != 0 || process.Handlers[signal - 1].Handler == SignalAction.Ignore)
                {
                    state.BlockedSignals &= ~bit;
                    process.Handlers[signal - 1].Handler = SignalAction.Default;
                }
                state.PendingSignals |= bit;
                state.PendingInformation[signal - 1] = information;
            }
            System.Threading.Interlocked.Or(ref thread.User.PendingWork, (int)UserWork.Signal);
            return true;
        }

        // The kernel's report for a signal that ends a program with a core dump (what a developer needs to know).
        private static void Report(LinuxProcess process, int signal, RegisterFrame* frame, in SignalInformation information)
        {
            Exo.Kernel.Console.KernelConsole.Write("posix_x: process ");
            Exo.Kernel.Console.KernelConsole.WriteDecimal((ulong)process.ProcessId);
            Exo.Kernel.Console.KernelConsole.Write(" (");
            Exo.Kernel.Console.KernelConsole.Write(process.Process.Name, process.Process.NameLength);
            Exo.Kernel.Console.KernelConsole.Write(") ended by ");
            Exo.Kernel.Console.KernelConsole.Write(Signal.NameOf(signal));
            Exo.Kernel.Console.KernelConsole.Write(" at RIP ");
            Exo.Kernel.Console.KernelConsole.WriteHex(frame->Rip);
            if (FaultAddressOf(signal, information) != 0)
            {
                Exo.Kernel.Console.KernelConsole.Write(" address ");
                Exo.Kernel.Console.KernelConsole.WriteHex(information.Address);
            }
            Exo.Kernel.Console.KernelConsole.WriteLine("");
        }
    }
}
