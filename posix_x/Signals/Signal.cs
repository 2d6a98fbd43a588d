namespace Exo.PosixX.Signals
{
    /// <summary>What a signal does when nobody handles it (Linux's default actions).</summary>
    public enum DefaultAction : byte { Terminate, CoreDump, Ignore, Stop, Continue }

    /// <summary>Linux's x86-64 signal numbers, names, default actions and mask helpers (1 to 64; 32-64 real-time).</summary>
    public static class Signal
    {
        public const int Count = 64;
        public const int Hangup = 1, Interrupt = 2, Quit = 3, IllegalInstruction = 4, Trap = 5, Abort = 6, BusError = 7,
            FloatingPoint = 8, Kill = 9, User1 = 10, SegmentationFault = 11, User2 = 12, Pipe = 13, Alarm = 14, Terminate = 15,
            StackFault = 16, Child = 17, Continue = 18, Stop = 19, TerminalStop = 20, TerminalInput = 21, TerminalOutput = 22,
            Urgent = 23, CpuLimit = 24, FileSizeLimit = 25, VirtualAlarm = 26, ProfilingAlarm = 27, WindowChange = 28,
            Io = 29, Power = 30, BadSystemCall = 31, FirstRealTime = 32;

        public static bool IsValid(int signal) => signal >= 1 && signal <= Count;

        public static ulong Bit(int signal) => 1UL << (signal - 1);

        /// <summary>SIGKILL and SIGSTOP: never caught, blocked or ignored.</summary>
        public const ulong Unblockable = (1UL << (Kill - 1)) | (1UL << (Stop - 1));

        public static DefaultAction DefaultActionOf(int signal) => signal switch
        {
            Quit or IllegalInstruction or Trap or Abort or BusError or FloatingPoint or SegmentationFault or CpuLimit
                or FileSizeLimit or BadSystemCall => DefaultAction.CoreDump,
            Child or Urgent or WindowChange => DefaultAction.Ignore,
            Continue => DefaultAction.Continue,
            Stop or TerminalStop or TerminalInput or TerminalOutput => DefaultAction.Stop,
            _ => DefaultAction.Terminate,
        };

        private static readonly string[] s_names =
        {
            "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
            "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
            "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
        };

        /// <summary>Its name as Linux spells it ("SIGRT" for the real-time ones).</summary>
        public static string NameOf(int signal) => signal >= 1 && signal <= s_names.Length ? s_names[signal - 1] : "SIGRT";

        /// <summary>The lowest signal in 'set', 0 if none (standard signals before real-time ones, lower first, as Linux picks).</summary>
        public static int Lowest(ulong set) => set == 0 ? 0 : System.Numerics.BitOperations.TrailingZeroCount(set) + 1;
    }

    /// <summary>A handler's registration (struct sigaction as the kernel sees it on x86-64: handler, flags, restorer, mask).</summary>
    public struct SignalAction
    {
        public ulong Handler, Flags, Restorer, Mask;

        public const ulong Default = 0, Ignore = 1;
        public const ulong NoChildStop = 0x1, NoChildWait = 0x2, Information = 0x4, Restorer_ = 0x04000000, OnStack = 0x08000000,
            Restart = 0x10000000, NoDefer = 0x40000000, ResetHand = 0x80000000;
    }
}
