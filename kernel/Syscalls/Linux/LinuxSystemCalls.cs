namespace Exo.Kernel.Syscalls.Linux
{
    /// <summary>
    /// The system calls of a process with the Linux personality (an unbranded System V or GNU/Linux ELF), by
    /// Linux x86-64 numbers. The entry is the same SYSCALL path as native calls: the processor block names
    /// this table for such a thread, so routing costs nothing. What POSIX-X will build on; for now the calls a
    /// static program needs to print and end, and -ENOSYS (counted) for the rest, which a Linux program treats as
    /// "not supported here" rather than a crash.
    /// </summary>
    public static unsafe class LinuxSystemCalls
    {
        public const ulong Write = 1, GetProcessId = 39, Exit = 60, GetParentProcessId = 110, ExitGroup = 231;
        private const ulong BadFileDescriptor = unchecked((ulong)-9);

        private static ulong s_unimplemented;

        /// <summary>Calls the table had no entry for, since boot (a measure of what POSIX-X still lacks).</summary>
        public static ulong Unimplemented => s_unimplemented;

        // Called by SystemCallEntry.asm with the SysV convention, like SystemCalls.ExoSystemCall.
        public static ulong Dispatch(ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4, ulong number)
        {
            switch (number)
            {
                case Write:
                    // Standard output and standard error are the console; no other descriptor exists yet.
                    return argument0 == 1 || argument0 == 2 ? ConsoleCalls.WriteFromUser(argument1, argument2) : BadFileDescriptor;
                case GetProcessId:
                    return Scheduler.Scheduler.Current.Process is Processes.Process process ? (ulong)process.Id : 0;
                case GetParentProcessId:
                    return 0;   // no parent relation is kept yet: as for a process whose parent is outside its namespace
                case Exit:
                case ExitGroup:
                    UserMode.UserMode.ExitToKernel(Scheduler.Scheduler.Current.KillPending != 0
                        ? UserMode.UserMode.KilledResult : argument0 & 0xFF);   // Linux keeps the low 8 bits
                    return 0;
                default:
                    s_unimplemented++;
                    return SystemCalls.NotImplemented;
            }
        }
    }
}
