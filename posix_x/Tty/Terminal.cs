using Exo.Kernel.Memory;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// What every terminal shares, the serial console's and a pseudo-terminal's slave (Linux's tty core with N_TTY):
    /// the line discipline over its input, reads that wait for a line (canonical) or a byte (raw), termios, window
    /// size, the foreground process group and the session it controls by ioctl, output processing on writes, the
    /// signal characters sent to the foreground group. One wait queue per terminal: its lock guards the discipline and
    /// the fields a kind of terminal adds, and whoever waits on the terminal (readers, a pseudo-terminal's writers and
    /// its master) waits on it. A kind of terminal says where output goes.
    /// </summary>
    public abstract unsafe class Terminal
    {
        protected LineDiscipline Discipline;
        protected readonly WaitQueue Waiters = new WaitQueue();
        private WindowSize _windowSize;

        /// <summary>The foreground process group (TIOCSPGRP), 0 for none; and the session the terminal controls, 0 for none.</summary>
        public int ForegroundGroup, Session;

        /// <summary>The master of a pseudo-terminal closed: reads give end of file, writes and ioctls EIO (Linux's hung-up files).</summary>
        public volatile bool HungUp;

        // Bytes a read or write moves through the kernel stack at a time.
        protected const int ChunkSize = 256;

        protected Terminal()
        {
            Discipline.Settings = Termios.Defaults;
            _windowSize.Rows = 24;
            _windowSize.Columns = 80;
        }

        /// <summary>Output: what 'count' bytes (already in the kernel) become on the terminal; how many were taken.</summary>
        protected abstract Error Output(byte* bytes, int count, bool nonBlocking, out int consumed);

        /// <summary>An open file of the terminal was closed.</summary>
        internal abstract void FileClosed();

        /// <summary>TIOCSCTTY: the console keeps the session the kernel gave it; a pseudo-terminal becomes the caller's.</summary>
        protected virtual Error TakeControl(ulong argument) => Error.None;

        /// <summary>TIOCNOTTY.</summary>
        protected virtual Error GiveUpControl() => Error.None;

        /// <summary>
        /// tcflush from this terminal's side discarded its input ('input': the line discipline's, already reset) and or its
        /// output ('output'); under the wait queue's lock. True when someone waiting should look again (a pseudo-terminal's
        /// master in packet mode). The console holds no output back.
        /// </summary>
        protected virtual bool FlushedLocked(bool input, bool output) => false;

        /// <summary>Its settings went from 'before' to what Discipline.Settings holds now; under the lock. True: wake the waiters.</summary>
        protected virtual bool SettingsChangedLocked(in Termios before) => false;

        /// <summary>With output processing on (OPOST and ONLCR), a newline goes out as CR NL.</summary>
        protected bool NewlineAsReturnNewline
            => (Discipline.Settings.OutputFlags & (Termios.PostProcess | Termios.NewlineToReturnNewline)) == (Termios.PostProcess | Termios.NewlineToReturnNewline);

        /// <summary>A signal character's signal to the foreground group (SIGINT, SIGQUIT, SIGTSTP); nothing without a group.</summary>
        protected static void Raise(LineDiscipline.Action action, int group)
        {
            if (action == LineDiscipline.Action.None || group == 0)
                return;
            int signal = action == LineDiscipline.Action.Interrupt ? Signal.Interrupt
                : action == LineDiscipline.Action.Quit ? Signal.Quit : Signal.TerminalStop;
            SignalDelivery.SendFromTerminal(group, signal);
        }

        /// <summary>Readers may go on (input arrived, or the terminal changed): everyone waiting wakes, pollers look again.</summary>
        protected void Changed()
        {
            Waiters.WakeAll();
            Readiness.Changed();
        }

        /// <summary>
        /// A read: blocks until a line is there (canonical), or as VMIN and VTIME say (non-canonical, as Linux's n_tty):
        /// VMIN=0 VTIME=0 returns what is there at once; VMIN>0 VTIME=0 waits for min(VMIN, count) bytes; VMIN=0 VTIME>0
        /// waits up to VTIME tenths of a second for a first byte (then 0); VMIN>0 VTIME>0 waits for a first byte without
        /// a limit, then for min(VMIN, count) bytes with VTIME as the limit between bytes. Non-blocking: EAGAIN instead of a
        /// wait; a signal: EINTR or a restart.
        /// </summary>
        public Error Read(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (HungUp)
                return Error.None;
            Error allowed = JobControl.CheckRead(this);
            if (allowed != Error.None)
                return allowed;
            if (count == 0)
                return Error.None;
            byte* chunk = stackalloc byte[ChunkSize];
            Thread current = Scheduler.Current;
            using (InterruptMask.Enter())
            {
                bool armed = false;   // a VTIME deadline on this thread (ArmTimeout), ended before every return
                int timedFrom = -1;   // the readable count the deadline was set at: a new byte sets it again
                while (true)
                {
                    Waiters.Lock.Enter();
                    bool raw = (Discipline.Settings.LocalFlags & Termios.Canonical) == 0;
                    int minimum = Discipline.Settings.ControlCharacters[Termios.Minimum];
                    int time = Discipline.Settings.ControlCharacters[Termios.Time];
                    int readable = Discipline.ReadableCount;
                    if (raw ? readable >= (minimum == 0 ? 1 : (ulong)minimum < count ? minimum : (int)count) : Discipline.ReadReady)
                        break;
                    // Linux's order: a hang-up is end of file, VMIN=0 VTIME=0 returns at once, then O_NONBLOCK's EAGAIN.
                    if (HungUp || (raw && minimum == 0 && time == 0))
                        return ReturnAfterWait(armed, Error.None);
                    if (raw && armed && System.Threading.Volatile.Read(ref current.TimedOut) != 0)
                        break;   // VTIME passed: what is there (nothing, for VMIN=0)
                    if (nonBlocking)
                        return ReturnAfterWait(armed, Error.WouldBlock);
                    if (raw && time != 0 && (minimum == 0 || readable > 0) && readable != timedFrom)
                    {
                        // The VTIME timer starts with the read (VMIN=0) or with the first byte, and again with each byte; a
                        // deadline is armed before a wait queue's lock is taken (the sleepers' lock ranks below).
                        timedFrom = readable;
                        Waiters.Lock.Exit();
                        if (armed)
                            Scheduler.DisarmTimeout();
                        Scheduler.ArmTimeout(Exo.Kernel.Time.SystemClock.TscAfterNanoseconds((ulong)time * 100_000_000));
                        armed = true;
                        continue;
                    }
                    Scheduler.BlockOnLockedInterruptibly(Waiters);   // releases the lock; at once if the deadline passed
                    if (current.WaitInterrupted)
                    {
                        if (armed)
                            Scheduler.DisarmTimeout();
                        return Error.RestartSystemCall;   // a signal: restarted or EINTR as its handler asks
                    }
                }
                // Lock held: take what one read may, in pieces through the stack (the copy to the program happens
                // after the lock is dropped, as it may fault).
                int want = count < ChunkSize ? (int)count : ChunkSize;
                int taken = Discipline.Take(chunk, want);
                Waiters.Lock.Exit();
                if (armed)
                    Scheduler.DisarmTimeout();
                ReadTaken();
                if (taken > 0 && !buffer.CopyIn(0, chunk, (ulong)taken))
                    return Error.BadAddress;
                done = (ulong)taken;
                return Error.None;
            }
        }

        // Waiters' lock held: drops it, then the VTIME deadline if one was armed (the sleepers' lock is not taken under a
        // wait queue's), and returns 'error'.
        private Error ReturnAfterWait(bool armed, Error error)
        {
            Waiters.Lock.Exit();
            if (armed)
                Scheduler.DisarmTimeout();
            return error;
        }

        /// <summary>A read took input: room for a pseudo-terminal's master to write more.</summary>
        protected virtual void ReadTaken() { }

        /// <summary>A write: through <see cref="Output"/> a chunk at a time; a background writer with TOSTOP gets SIGTTOU.</summary>
        public Error Write(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (HungUp)
                return Error.InputOutput;
            if ((Discipline.Settings.LocalFlags & Termios.StopBackgroundOutput) != 0)
            {
                Error allowed = JobControl.CheckChange(this);
                if (allowed != Error.None)
                    return allowed;
            }
            byte* input = stackalloc byte[ChunkSize];
            while (done < count)
            {
                int chunk = count - done < ChunkSize ? (int)(count - done) : ChunkSize;
                if (!buffer.CopyOut(done, input, (ulong)chunk))
                    return done == 0 ? Error.BadAddress : Error.None;
                Error error = Output(input, chunk, nonBlocking, out int consumed);
                done += (ulong)consumed;
                if (error != Error.None)
                    return done > 0 ? Error.None : error;   // a partial write counts
                if (consumed < chunk)
                    break;
            }
            return Error.None;
        }

        /// <summary>Output processing of 'count' bytes into 'output' (room for twice as many): NL to CR NL when asked.</summary>
        protected static int Process(byte* input, int count, byte* output, bool returnNewline)
        {
            int length = 0;
            for (int i = 0; i < count; i++)
            {
                if (returnNewline && input[i] == (byte)'\n')
                    output[length++] = (byte)'\r';
                output[length++] = input[i];
            }
            return length;
        }

        // ioctl requests (Linux's asm-generic/ioctls.h).
        public const uint TerminalGet = 0x5401, TerminalSet = 0x5402, TerminalSetDrain = 0x5403, TerminalSetFlush = 0x5404,
            SetControllingTerminal = 0x540E, GetForegroundGroup = 0x540F, SetForegroundGroup = 0x5410, ReadableCount = 0x541B,
            GetWindowSize = 0x5413, SetWindowSize = 0x5414, ReleaseControllingTerminal = 0x5422, GetSession = 0x5429,
            SendBreak = 0x5409, Flush = 0x540B, SendBreakPosix = 0x5425;
        internal const ulong FlushInput = 0, FlushOutput = 1, FlushBoth = 2;   // TCIFLUSH, TCOFLUSH, TCIOFLUSH

        public Error Control(uint request, ulong argument, out ulong result) => Control(request, argument, out result, fromPeer: false);

        /// <summary>
        /// An ioctl on the terminal; 'fromPeer': made through a pseudo-terminal's master, which changes the same settings
        /// but, as on Linux, reports nothing to the master's packet mode (only the slave's own changes do).
        /// </summary>
        internal Error Control(uint request, ulong argument, out ulong result, bool fromPeer)
        {
            result = 0;
            if (HungUp)
                return request == SetForegroundGroup ? Error.NotATerminal : Error.InputOutput;
            if (ChangesTheTerminal(request))
            {
                Error allowed = JobControl.CheckChange(this);
                if (allowed != Error.None)
                    return allowed;
            }
            switch (request)
            {
                case TerminalGet:
                {
                    Termios settings;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                        settings = Discipline.Settings;
                    return UserMemory.CopyToUser(argument, &settings, (ulong)sizeof(Termios)) ? Error.None : Error.BadAddress;
                }
                case TerminalSet:
                case TerminalSetDrain:
                case TerminalSetFlush:
                {
                    Termios settings;
                    if (!UserMemory.CopyFromUser(&settings, argument, (ulong)sizeof(Termios)))
                        return Error.BadAddress;
                    bool wake;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                    {
                        Termios before = Discipline.Settings;
                        bool wasCanonical = (before.LocalFlags & Termios.Canonical) != 0;
                        bool canonical = (settings.LocalFlags & Termios.Canonical) != 0;
                        bool flushed = false;
                        if (request == TerminalSetFlush)
                        {
                            Discipline.Reset();
                            flushed = !fromPeer && FlushedLocked(input: true, output: false);
                        }
                        Discipline.Settings = settings;
                        if (wasCanonical && !canonical)
                            Discipline.LeaveCanonical();
                        else if (!wasCanonical && canonical)
                            Discipline.EnterCanonical();
                        wake = Discipline.ReadReady | flushed | (!fromPeer && SettingsChangedLocked(before));
                    }
                    if (wake)
                        Changed();
                    return Error.None;
                }
                case GetWindowSize:
                {
                    WindowSize size;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                        size = _windowSize;
                    return UserMemory.CopyToUser(argument, &size, (ulong)sizeof(WindowSize)) ? Error.None : Error.BadAddress;
                }
                case SetWindowSize:
                {
                    WindowSize size;
                    if (!UserMemory.CopyFromUser(&size, argument, (ulong)sizeof(WindowSize)))
                        return Error.BadAddress;
                    bool resized;
                    int group;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                    {
                        resized = size.Rows != _windowSize.Rows || size.Columns != _windowSize.Columns
                            || size.PixelWidth != _windowSize.PixelWidth || size.PixelHeight != _windowSize.PixelHeight;
                        _windowSize = size;
                        group = ForegroundGroup;
                    }
                    if (resized && group != 0)   // Linux's tty_do_resize: SIGWINCH to the foreground group, on a change only
                        SignalDelivery.SendFromTerminal(group, Signal.WindowChange);
                    return Error.None;
                }
                case GetForegroundGroup:
                {
                    int group = ForegroundGroup;
                    return UserMemory.CopyToUser(argument, &group, 4) ? Error.None : Error.BadAddress;
                }
                case SetForegroundGroup:
                {
                    int group;
                    if (!UserMemory.CopyFromUser(&group, argument, 4))
                        return Error.BadAddress;
                    if (group <= 0)
                        return Error.Invalid;
                    ForegroundGroup = group;
                    return Error.None;
                }
                case GetSession:
                {
                    int session = Session;
                    if (session == 0)
                        return Error.NotATerminal;   // not anyone's controlling terminal
                    return UserMemory.CopyToUser(argument, &session, 4) ? Error.None : Error.BadAddress;
                }
                case ReadableCount:
                {
                    int count;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                        count = Discipline.ReadableCount;
                    return UserMemory.CopyToUser(argument, &count, 4) ? Error.None : Error.BadAddress;
                }
                case SendBreak:
                case SendBreakPosix:
                    // tcdrain and tcsendbreak: output is written through before write returns (the serial port, a
                    // pseudo-terminal's buffer), so there is never anything to wait for, and a break has no meaning.
                    return Error.None;
                case Flush:
                {
                    if (argument > FlushBoth)
                        return Error.Invalid;
                    bool input = argument != FlushOutput, output = argument != FlushInput, wake;
                    using (InterruptMask.Enter())
                    using (Waiters.Lock.Hold())
                    {
                        if (input)
                            Discipline.Reset();
                        wake = FlushedLocked(input, output);
                    }
                    if (input)
                        ReadTaken();
                    if (wake)
                        Changed();
                    return Error.None;
                }
                case SetControllingTerminal:
                    return TakeControl(argument);
                case ReleaseControllingTerminal:
                    return GiveUpControl();
                default:
                    return Error.NotATerminal;
            }
        }

        // The requests a background group may not make without SIGTTOU (Linux's tty_check_change callers).
        private static bool ChangesTheTerminal(uint request)
            => request == TerminalSet || request == TerminalSetDrain || request == TerminalSetFlush || request == SetForegroundGroup
                || request == Flush || request == SetWindowSize;

        /// <summary>poll's view of the terminal's reading side: readable when a read would return now.</summary>
        public virtual PollEvents Poll()
        {
            if (HungUp)
                return PollEvents.In | PollEvents.Out | PollEvents.Error | PollEvents.HangUp;
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
                return PollEvents.Out | (Discipline.PollReady ? PollEvents.In : PollEvents.None);
        }
    }

    /// <summary>An open terminal (the console, a pseudo-terminal's slave): reads, writes and ioctls go to its terminal.</summary>
    public sealed class TerminalFile : OpenFile
    {
        public readonly Terminal Terminal;

        public TerminalFile(Vnode node, int flags, Terminal terminal) : base(node, flags) => Terminal = terminal;

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) => Terminal.Read(buffer, count, NonBlocking, out done);
        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Write(IoBuffer buffer, ulong count, out ulong done) => Terminal.Write(buffer, count, NonBlocking, out done);
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }
        public override Error Control(uint request, ulong argument, out ulong result) => Terminal.Control(request, argument, out result);
        public override PollEvents Poll() => Terminal.Poll();

        protected override void Destroy()
        {
            Terminal.FileClosed();
            base.Destroy();
        }
    }
}
