using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Syscalls.Linux
{
    /// <summary>
    /// The system calls of a process with the Linux personality (an unbranded System V or GNU/Linux ELF), by
    /// Linux x86-64 numbers, in a table of their own that the same SYSCALL entry calls through. What POSIX-X
    /// will build on; for now the calls a static program needs to print and end, and -ENOSYS (counted) for the
    /// rest, which a Linux program treats as "not supported here" rather than a crash.
    /// </summary>
    public static unsafe class LinuxSystemCalls
    {
        public const int Write = 1, GetProcessId = 39, Exit = 60, GetParentProcessId = 110, ExitGroup = 231;
        /// <summary>Linux's numbers go to 462 (6.x); the table covers them.</summary>
        public const int TableSize = SystemCallTable.Capacity;

        private static SystemCallTable s_table;
        private static ulong s_unimplemented;

        /// <summary>Calls the table had no entry for, since boot (a measure of what POSIX-X still lacks).</summary>
        public static ulong Unimplemented => s_unimplemented;

        public static ulong Table => (ulong)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_table);

        internal static void Initialize()
        {
            s_table.Initialize(TableSize, &Unimplemented_);
            s_table.Register(Write, &DoWrite);
            s_table.Register(GetProcessId, &DoGetProcessId);
            s_table.Register(GetParentProcessId, &DoGetParentProcessId);
            s_table.Register(Exit, &DoExit);
            s_table.Register(ExitGroup, &DoExitGroup);
        }

        private static ulong Unimplemented_(RegisterFrame* frame)
        {
            s_unimplemented++;
            return SystemCallResult.From(Error.NoSuchCall);
        }

        // Standard output and standard error are the console; no other descriptor exists yet.
        private static ulong DoWrite(RegisterFrame* frame)
            => frame->Argument0 == 1 || frame->Argument0 == 2 ? ConsoleCalls.WriteFromUser(frame->Argument1, frame->Argument2) : SystemCallResult.From(Error.BadHandle);   // EBADF

        private static ulong DoGetProcessId(RegisterFrame* frame) => (ulong)Scheduler.Scheduler.Current.Process.Id;

        // No parent relation is kept yet: as for a process whose parent is outside its namespace.
        private static ulong DoGetParentProcessId(RegisterFrame* frame) => 0;

        // exit ends the calling thread (the process ends with its last thread); exit_group ends every thread.
        // Linux keeps the status's low 8 bits.
        private static ulong DoExit(RegisterFrame* frame)
        {
            UserMode.UserMode.ExitThread(frame->Argument0 & 0xFF);
            return 0;
        }

        private static ulong DoExitGroup(RegisterFrame* frame)
        {
            UserMode.UserMode.ExitProcess(frame->Argument0 & 0xFF);
            return 0;
        }
    }
}
