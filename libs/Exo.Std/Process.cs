using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std
{
    /// <summary>
    /// This process: its id, its exit, the handles its parent granted at start-up, and spawning children
    /// from the initial RAM disk with handles of ours.
    /// </summary>
    public static unsafe class Process
    {
        /// <summary>The exit status of a program whose runtime failed (a throw, running out of memory in new).</summary>
        public const int RuntimeFailureStatus = 70;
        /// <summary>Startup handles beyond this many are ignored (they stay in the handle table).</summary>
        public const int MaximumStartupHandles = 32;

        private struct HandleList { public fixed uint Values[MaximumStartupHandles]; }
        private static HandleList s_startupHandles;
        private static int s_startupHandleCount;
        private static byte* s_commandLine;
        private static int s_commandLineLength;

        /// <summary>Ends this process with 'status' (what the parent's Wait returns). Never returns.</summary>
        public static void Exit(int status)
        {
            Console.Flush();
            SystemCall.Call(SystemCallNumber.Exit, (ulong)(uint)status);
            while (true) { }
        }

        public static ulong Id => (ulong)SystemCall.Call(SystemCallNumber.ProcessId);

        /// <summary>
        /// This process's console capability (the first startup handle that names the console), or Handle.None:
        /// without one, console output is refused. Pass it on at spawn to a child that should print.
        /// </summary>
        public static Handle ConsoleHandle
        {
            get
            {
                for (int i = 0; i < s_startupHandleCount; i++)
                {
                    Handle handle = StartupHandle(i);
                    if (handle.Info(out ObjectType type, out _) == Error.None && type == ObjectType.Console)
                        return handle;
                }
                return Handle.None;
            }
        }

        /// <summary>How many handles the parent granted (in the order it listed them).</summary>
        public static int StartupHandleCount => s_startupHandleCount;

        /// <summary>The index-th handle the parent granted, or Handle.None past the end.</summary>
        public static Handle StartupHandle(int index)
            => (uint)index < (uint)s_startupHandleCount ? new Handle(s_startupHandles.Values[index]) : Handle.None;

        /// <summary>The command line this process was started with (ASCII): its program name, then its arguments.</summary>
        public static byte* CommandLine => s_commandLine;
        public static int CommandLineLength => s_commandLineLength;

        /// <summary>How many space-separated words the command line has (the program name is word 0).</summary>
        public static int ArgumentCount
        {
            get
            {
                int count = 0;
                while (TryGetArgument(count, out _, out _))
                    count++;
                return count;
            }
        }

        /// <summary>Where word 'index' of the command line is (0 = the program name); false past the end. No allocation.</summary>
        public static bool TryGetArgument(int index, out byte* start, out int length)
        {
            int word = -1;
            for (int i = 0; i < s_commandLineLength; i++)
            {
                if (s_commandLine[i] == (byte)' ' || (i > 0 && s_commandLine[i - 1] != (byte)' ') || ++word != index)
                    continue;
                int end = i;
                while (end < s_commandLineLength && s_commandLine[end] != (byte)' ')
                    end++;
                start = s_commandLine + i;
                length = end - i;
                return true;
            }
            start = null;
            length = 0;
            return false;
        }

        /// <summary>Whether word 'index' of the command line is 'text' (ASCII).</summary>
        public static bool ArgumentIs(int index, string text)
        {
            if (!TryGetArgument(index, out byte* start, out int length) || length != text.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (start[i] != text[i])
                    return false;
            return true;
        }

        /// <summary>Word 'index' of the command line as an unsigned decimal number.</summary>
        public static bool TryParseArgument(int index, out ulong value)
        {
            value = 0;
            if (!TryGetArgument(index, out byte* start, out int length) || length > 19)
                return false;
            for (int i = 0; i < length; i++)
            {
                if (start[i] < (byte)'0' || start[i] > (byte)'9')
                    return false;
                value = value * 10 + (ulong)(start[i] - (byte)'0');
            }
            return true;
        }

        /// <summary>
        /// Called once by ProgramStartup with what the kernel passed in RDI and RSI: the handles, and after them
        /// the command line (a 64-bit length, then its bytes).
        /// </summary>
        internal static void SetStartupHandles(ulong count, ulong* handles)
        {
            if (handles == null)
                count = 0;
            else if (handles[count] <= Constants.CommandLineCapacity)
            {
                s_commandLineLength = (int)handles[count];
                s_commandLine = (byte*)(handles + count + 1);
            }
            if (count > MaximumStartupHandles)
                count = MaximumStartupHandles;
            for (int i = 0; i < (int)count; i++)
                s_startupHandles.Values[i] = (uint)handles[i];
            s_startupHandleCount = (int)count;
        }

        /// <summary>
        /// Starts a program from the initial RAM disk: 'name' is its command line (the program's name, then its
        /// arguments separated by spaces); it gets copies of 'count' handles at 'handles'.
        /// </summary>
        public static Error Spawn(string name, Handle* handles, int count, out ProcessHandle process)
        {
            process = default;
            if (name == null || name.Length == 0 || name.Length > Constants.CommandLineCapacity)
                return Error.Invalid;
            // The kernel takes the command line as bytes.
            byte* bytes = stackalloc byte[name.Length];
            for (int i = 0; i < name.Length; i++)
            {
                if (name[i] >= 0x80)
                    return Error.Invalid;   // program names in the RAM disk are ASCII
                bytes[i] = (byte)name[i];
            }
            return Spawn(bytes, name.Length, handles, count, out process);
        }

        /// <summary>Spawn with the command line as ASCII bytes (for example a line of a configuration file).</summary>
        public static Error Spawn(byte* commandLine, int length, Handle* handles, int count, out ProcessHandle process)
        {
            process = default;
            if (commandLine == null || length <= 0 || length > Constants.CommandLineCapacity || count < 0 || count > Constants.MaximumGrants)
                return Error.Invalid;
            // The handles as 64-bit values (the startup layout).
            ulong* values = stackalloc ulong[Constants.MaximumGrants];
            for (int i = 0; i < count; i++)
                values[i] = handles[i].Value;
            long result = SystemCall.Call(SystemCallNumber.ProcessSpawn, (ulong)commandLine, (ulong)length, (ulong)values, (ulong)count);
            if (result > 0)
                process = new ProcessHandle(new Handle((uint)result));
            return result > 0 ? Error.None : result == 0 ? Error.Invalid : SystemCall.ErrorOf(result);
        }

        // Fixed-arity forms: a params array would allocate.
        public static Error Spawn(string name, out ProcessHandle process) => Spawn(name, null, 0, out process);

        public static Error Spawn(string name, Handle first, out ProcessHandle process)
            => Spawn(name, &first, 1, out process);

        public static Error Spawn(string name, Handle first, Handle second, out ProcessHandle process)
        {
            Handle* handles = stackalloc Handle[2];
            handles[0] = first;
            handles[1] = second;
            return Spawn(name, handles, 2, out process);
        }

        public static Error Spawn(string name, Handle first, Handle second, Handle third, out ProcessHandle process)
        {
            Handle* handles = stackalloc Handle[3];
            handles[0] = first;
            handles[1] = second;
            handles[2] = third;
            return Spawn(name, handles, 3, out process);
        }

        /// <summary>Gives up the processor to another ready thread.</summary>
        public static void Yield() => SystemCall.Call(SystemCallNumber.Yield);

        /// <summary>
        /// Puts the calling thread in a scheduling class (Constants.SchedulingClassNormal, TimeCritical or Background):
        /// time-critical for a thread that must run within a millisecond of its wake-up and then stop again (an audio
        /// mixer, an audio client's writer); the kernel puts one that runs Constants.TimeCriticalBurstMicroseconds without
        /// stopping back in the normal class. Invalid for another value.
        /// </summary>
        public static Error SetThreadSchedulingClass(int schedulingClass)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ThreadSchedulingClass, (ulong)(uint)schedulingClass));
    }
}
