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
        /// <summary>Handles one Spawn may grant.</summary>
        public const int MaximumSpawnHandles = 16;

        private struct HandleList { public fixed uint Values[MaximumStartupHandles]; }
        private static HandleList s_startupHandles;
        private static int s_startupHandleCount;

        /// <summary>Ends this process with 'status' (what the parent's Wait returns). Never returns.</summary>
        public static void Exit(int status)
        {
            SystemCall.Call(SystemCallNumber.Exit, (ulong)(uint)status);
            while (true) { }
        }

        public static ulong Id => (ulong)SystemCall.Call(SystemCallNumber.ProcessId);

        /// <summary>How many handles the parent granted (in the order it listed them).</summary>
        public static int StartupHandleCount => s_startupHandleCount;

        /// <summary>The index-th handle the parent granted, or Handle.None past the end.</summary>
        public static Handle StartupHandle(int index)
            => (uint)index < (uint)s_startupHandleCount ? new Handle(s_startupHandles.Values[index]) : Handle.None;

        /// <summary>Called once by ProgramStartup with what the kernel passed in RDI and RSI.</summary>
        internal static void SetStartupHandles(ulong count, ulong* handles)
        {
            if (handles == null)
                count = 0;
            if (count > MaximumStartupHandles)
                count = MaximumStartupHandles;
            for (int i = 0; i < (int)count; i++)
                s_startupHandles.Values[i] = (uint)handles[i];
            s_startupHandleCount = (int)count;
        }

        /// <summary>Starts the program 'name' from the initial RAM disk; it gets copies of 'count' handles at 'handles'.</summary>
        public static Error Spawn(string name, Handle* handles, int count, out ProcessHandle process)
        {
            process = default;
            if (name == null || name.Length == 0 || name.Length > 255 || count < 0 || count > MaximumSpawnHandles)
                return Error.Invalid;
            // The kernel takes the name as bytes and the handles as 64-bit values (the startup layout).
            byte* nameBytes = stackalloc byte[name.Length];
            for (int i = 0; i < name.Length; i++)
            {
                if (name[i] >= 0x80)
                    return Error.Invalid;   // program names in the RAM disk are ASCII
                nameBytes[i] = (byte)name[i];
            }
            ulong* values = stackalloc ulong[MaximumSpawnHandles];
            for (int i = 0; i < count; i++)
                values[i] = handles[i].Value;
            long result = SystemCall.Call(SystemCallNumber.ProcessSpawn, (ulong)nameBytes, (ulong)name.Length, (ulong)values, (ulong)count);
            if (result > 0)
                process = new ProcessHandle(new Handle((uint)result));
            return result > 0 ? Error.None : result == 0 ? Error.Invalid : Errors.Of(result);
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
    }
}
