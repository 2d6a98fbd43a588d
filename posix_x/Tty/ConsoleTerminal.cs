using Exo.Kernel.Memory;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// The serial console as a terminal (/dev/console, /dev/ttyS0, and /dev/tty for the processes it controls):
    /// input from the serial interrupt through the line discipline (echo, line editing, the signal characters),
    /// output with the output processing termios asks for, termios and window size by ioctl, a foreground process
    /// group for job control. While a program has it open, serial input is its (SerialPort's input consumer);
    /// when the last closes, input goes back to the kernel shell.
    /// </summary>
    public static unsafe class ConsoleTerminal
    {
        private static LineDiscipline s_discipline;
        private static WaitQueue s_readers;   // its lock guards the line discipline and the fields below
        private static WindowSize s_windowSize;
        private static int s_openCount;
        private static bool s_initialized;

        /// <summary>The foreground process group (TIOCSPGRP), 0 for none; and the session the terminal controls.</summary>
        public static int ForegroundGroup, Session;

        /// <summary>Delivers a terminal signal to a process group; POSIX-X's signals install it (SIGINT 2, SIGQUIT 3, SIGTSTP 20).</summary>
        public static delegate*<int, int, void> SignalGroup;

        public static void Initialize()
        {
            s_readers = new WaitQueue();
            s_discipline.Settings = Termios.Defaults;
            s_windowSize.Rows = 24;
            s_windowSize.Columns = 80;
            s_initialized = true;
        }

        public static Error Open(Vnode node, int flags, bool controllingTerminal, out OpenFile file)
        {
            file = null;
            if (!s_initialized)
                return Error.NoSuchDevice;
            file = new ConsoleTerminalFile(node, flags);
            if (System.Threading.Interlocked.Increment(ref s_openCount) == 1)
                Exo.Kernel.Console.SerialPort.SetInputConsumer(&OnInput);
            return Error.None;
        }

        internal static void Closed()
        {
            if (System.Threading.Interlocked.Decrement(ref s_openCount) == 0)
                Exo.Kernel.Console.SerialPort.SetInputConsumer(null);
        }

        // The serial interrupt, one byte at a time (interrupts masked, no allocation).
        private static void OnInput(byte value)
        {
            byte* echo = stackalloc byte[16];
            LineDiscipline.Action action;
            int echoCount;
            bool readable;
            int group;
            using (s_readers.Lock.Hold())
            {
                action = s_discipline.Input(value, echo, out echoCount, out readable);
                group = ForegroundGroup;
            }
            if (echoCount > 0)
                Exo.Kernel.Console.ConsoleOutput.Write(echo, echoCount);
            if (readable)
            {
                s_readers.WakeAll();
                Readiness.Changed();
            }
            if (action != LineDiscipline.Action.None && group != 0 && SignalGroup != null)
                SignalGroup(group, action == LineDiscipline.Action.Interrupt ? 2 : action == LineDiscipline.Action.Quit ? 3 : 20);
        }

        /// <summary>A read: blocks until a line (canonical) or a byte (raw) is there, unless non-blocking; EINTR if interrupted.</summary>
        internal static Error Read(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            Error allowed = JobControl.CheckRead();
            if (allowed != Error.None)
                return allowed;
            if (count == 0)
                return Error.None;
            byte* chunk = stackalloc byte[256];
            using (InterruptMask.Enter())
            {
                while (true)
                {
                    s_readers.Lock.Enter();
                    if (s_discipline.ReadReady)
                        break;
                    bool raw = (s_discipline.Settings.LocalFlags & Termios.Canonical) == 0;
                    if (nonBlocking || (raw && s_discipline.Settings.ControlCharacters[Termios.Minimum] == 0))
                    {
                        s_readers.Lock.Exit();
                        return nonBlocking && !raw ? Error.WouldBlock : (nonBlocking ? Error.WouldBlock : Error.None);
                    }
                    Scheduler.BlockOnLockedInterruptibly(s_readers);   // releases the lock
                    if (Scheduler.Current.WaitInterrupted)
                        return Error.RestartSystemCall;   // a signal: restarted or EINTR as its handler asks
                }
                // Lock held: take what one read may, in pieces through the stack (the copy to the program happens
                // after the lock is dropped, as it may fault).
                int want = count < 256 ? (int)count : 256;
                int taken = s_discipline.Take(chunk, want);
                s_readers.Lock.Exit();
                if (taken > 0 && !buffer.CopyIn(0, chunk, (ulong)taken))
                    return Error.BadAddress;
                done = (ulong)taken;
                return Error.None;
            }
        }

        /// <summary>A write: output processing (NL to CR NL with OPOST and ONLCR), then the console.</summary>
        internal static Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if ((s_discipline.Settings.LocalFlags & Termios.StopBackgroundOutput) != 0)
            {
                Error allowed = JobControl.CheckChange();
                if (allowed != Error.None)
                    return allowed;
            }
            byte* input = stackalloc byte[256];
            byte* output = stackalloc byte[512];
            uint flags = s_discipline.Settings.OutputFlags;
            bool crlf = (flags & (Termios.PostProcess | Termios.NewlineToReturnNewline)) == (Termios.PostProcess | Termios.NewlineToReturnNewline);
            while (done < count)
            {
                ulong chunk = count - done < 256 ? count - done : 256;
                if (!buffer.CopyOut(done, input, chunk))
                    return done == 0 ? Error.BadAddress : Error.None;
                int length = 0;
                for (ulong i = 0; i < chunk; i++)
                {
                    if (crlf && input[i] == (byte)'\n')
                        output[length++] = (byte)'\r';
                    output[length++] = input[i];
                }
                Exo.Kernel.Console.ConsoleOutput.Write(output, length);
                done += chunk;
            }
            return Error.None;
        }

        // ioctl requests (Linux's asm-generic/ioctls.h).
        public const uint TerminalGet = 0x5401, TerminalSet = 0x5402, TerminalSetDrain = 0x5403, TerminalSetFlush = 0x5404,
            SetControllingTerminal = 0x540E, GetForegroundGroup = 0x540F, SetForegroundGroup = 0x5410, ReadableCount = 0x541B,
            GetWindowSize = 0x5413, SetWindowSize = 0x5414, ReleaseControllingTerminal = 0x5422, GetSession = 0x5429,
            SendBreak = 0x5409, Flush = 0x540B, SendBreakPosix = 0x5425;
        private const ulong FlushInput = 0, FlushOutput = 1, FlushBoth = 2;   // TCIFLUSH, TCOFLUSH, TCIOFLUSH

        internal static Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            if (ChangesTheTerminal(request))
            {
                Error allowed = JobControl.CheckChange();
                if (allowed != Error.None)
                    return allowed;
            }
            switch (request)
            {
                case TerminalGet:
                {
                    Termios settings;
                    using (InterruptMask.Enter())
                    using (s_readers.Lock.Hold())
                        settings = s_discipline.Settings;
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
                    using (s_readers.Lock.Hold())
                    {
                        bool wasCanonical = (s_discipline.Settings.LocalFlags & Termios.Canonical) != 0;
                        bool canonical = (settings.LocalFlags & Termios.Canonical) != 0;
                        if (request == TerminalSetFlush)
                            s_discipline.Reset();
                        s_discipline.Settings = settings;
                        if (wasCanonical && !canonical)
                            s_discipline.LeaveCanonical();
                        else if (!wasCanonical && canonical)
                            s_discipline.EnterCanonical();
                        wake = s_discipline.ReadReady;
                    }
                    if (wake)
                        s_readers.WakeAll();
                    return Error.None;
                }
                case GetWindowSize:
                {
                    WindowSize size = s_windowSize;
                    return UserMemory.CopyToUser(argument, &size, (ulong)sizeof(WindowSize)) ? Error.None : Error.BadAddress;
                }
                case SetWindowSize:
                {
                    WindowSize size;
                    if (!UserMemory.CopyFromUser(&size, argument, (ulong)sizeof(WindowSize)))
                        return Error.BadAddress;
                    s_windowSize = size;
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
                    return UserMemory.CopyToUser(argument, &session, 4) ? Error.None : Error.BadAddress;
                }
                case ReadableCount:
                {
                    int count;
                    using (InterruptMask.Enter())
                    using (s_readers.Lock.Hold())
                        count = s_discipline.ReadableCount;
                    return UserMemory.CopyToUser(argument, &count, 4) ? Error.None : Error.BadAddress;
                }
                case SendBreak:
                case SendBreakPosix:
                    // tcdrain and tcsendbreak: output is written through to the serial port before write returns,
                    // so there is never anything to wait for, and a break has no meaning on the console's line.
                    return Error.None;
                case Flush:
                {
                    if (argument > FlushBoth)
                        return Error.Invalid;
                    if (argument != FlushOutput)   // output is never held back, so only typed input can be discarded
                    {
                        using (InterruptMask.Enter())
                        using (s_readers.Lock.Hold())
                            s_discipline.Reset();
                    }
                    return Error.None;
                }
                case SetControllingTerminal:
                case ReleaseControllingTerminal:
                    return Error.None;   // the session and process group model follows with job control
                default:
                    return Error.NotATerminal;
            }
        }

        // The requests a background group may not make without SIGTTOU (Linux's tty_check_change callers).
        private static bool ChangesTheTerminal(uint request)
            => request == TerminalSet || request == TerminalSetDrain || request == TerminalSetFlush || request == SetForegroundGroup
                || request == Flush || request == SetWindowSize;

        internal static PollEvents Poll()
        {
            using (InterruptMask.Enter())
            using (s_readers.Lock.Hold())
                return PollEvents.Out | (s_discipline.ReadReady ? PollEvents.In : PollEvents.None);
        }
    }

    /// <summary>An open console terminal: reads, writes and ioctls go to the one console.</summary>
    public sealed class ConsoleTerminalFile : OpenFile
    {
        public ConsoleTerminalFile(Vnode node, int flags) : base(node, flags) { }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) => ConsoleTerminal.Read(buffer, count, NonBlocking, out done);
        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Write(IoBuffer buffer, ulong count, out ulong done) => ConsoleTerminal.Write(buffer, count, out done);
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }
        public override Error Control(uint request, ulong argument, out ulong result) => ConsoleTerminal.Control(request, argument, out result);
        public override PollEvents Poll() => ConsoleTerminal.Poll();

        protected override void Destroy()
        {
            ConsoleTerminal.Closed();
            base.Destroy();
        }
    }
}
