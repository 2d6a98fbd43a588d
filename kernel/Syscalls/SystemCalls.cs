using System.Runtime.CompilerServices;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// The native system call table: one entry per number, each family in its own file (ProcessCalls,
    /// ConsoleCalls, MemoryCalls, HandleCalls, MemoryObjectCalls, IpcCalls, NotificationCalls, SpawnCalls, ThreadCalls, ResourceCalls). SystemCallEntry.asm calls <see cref="ExoSystemCall"/> with the
    /// five arguments and the number; every argument is untrusted (user pointers go through UserMemory).
    /// Errors are negative numbers, as on Linux, so that POSIX-X can pass them through.
    /// </summary>
    public static unsafe class SystemCalls
    {
        public const int TableSize = 72;

        public const ulong BadAddress = unchecked((ulong)-14);      // EFAULT
        public const ulong InvalidArgument = unchecked((ulong)-22); // EINVAL
        public const ulong OutOfMemory = unchecked((ulong)-12);     // ENOMEM
        public const ulong BadHandle = unchecked((ulong)-9);        // EBADF
        public const ulong AccessDenied = unchecked((ulong)-13);    // EACCES
        public const ulong NotImplemented = unchecked((ulong)-38);  // ENOSYS

        private struct Table { public fixed ulong Handlers[TableSize]; }
        private static Table s_table;
        private static ulong s_calls;

        public static ulong Calls => s_calls;

        public static void Initialize()
        {
            if (s_table.Handlers[ProcessCalls.Exit] != 0)
                return;   // each processor enables SYSCALL; the table is filled once
            s_entryRoot = &ExoSystemCall;   // keeps the entry compiled: only assembly calls it
            ProcessCalls.Register();
            ConsoleCalls.Register();
            MemoryCalls.Register();
            HandleCalls.Register();
            MemoryObjectCalls.Register();
            IpcCalls.Register();
            NotificationCalls.Register();
            SpawnCalls.Register();
            ThreadCalls.Register();
            ResourceCalls.Register();
        }

        internal static void Register(int number, delegate*<ulong, ulong, ulong, ulong, ulong, ulong> handler)
            => s_table.Handlers[number] = (ulong)handler;

        // Bound by the link to the assembly's 'call ExoSystemCall' (tools/scripts/link-runtime-exports.sh): no
        // reverse P/Invoke frame. A static method with integer arguments uses the System V convention.
        public static ulong ExoSystemCall(ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4, ulong number)
        {
            s_calls++;
            ulong handler;
            if (number >= TableSize || (handler = s_table.Handlers[number]) == 0)
                return NotImplemented;
            return ((delegate*<ulong, ulong, ulong, ulong, ulong, ulong>)handler)(argument0, argument1, argument2, argument3, argument4);
        }

        private static delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong> s_entryRoot;

        /// <summary>What a thread being killed calls instead of its table: its next system call ends it.</summary>
        public static ulong KilledDispatcher => (ulong)(delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong>)&Killed;

        private static ulong Killed(ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4, ulong number)
        {
            UserMode.UserMode.ExitToKernel(UserMode.UserMode.KilledResult);
            return NotImplemented;
        }

        /// <summary>
        /// The entry point SystemCallEntry.asm calls (through the processor block, set per thread on each switch)
        /// for a process of this personality: the routing costs the entry nothing, an indirect call instead of
        /// a direct one.
        /// </summary>
        public static ulong DispatcherFor(Processes.Personality personality)
            => personality == Processes.Personality.Linux
                ? (ulong)(delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong>)&Linux.LinuxSystemCalls.Dispatch
                : (ulong)(delegate*<ulong, ulong, ulong, ulong, ulong, ulong, ulong>)&ExoSystemCall;
    }
}
