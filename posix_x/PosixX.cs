namespace Exo.PosixX
{
    /// <summary>
    /// POSIX-X, the Linux personality: unmodified Linux x86-64 programs (an unbranded ELF) run on Exo-OS with their
    /// own system call numbers, start stack and semantics. Its parts: Abi/ (Linux's numbers and structures,
    /// written once), KernelInterface/ (the call table with each call's path, per-process and per-thread state),
    /// Translation/ (one file per call family), Memory/ (a process's regions), Vfs/, Signals/, Tty/,
    /// Optimization/ (the vDSO). The kernel knows none of it: POSIX-X registers its table and its per-process
    /// state factory here, at boot.
    /// </summary>
    public static unsafe class PosixX
    {
        public static void Initialize()
        {
            Vfs.Readiness.Initialize();
            Vfs.WholeFileLocks.Initialize();
            Vfs.RecordLocks.Initialize();
            Vfs.MemoryFiles.Initialize();
            Vfs.Events.EventPollFile.Initialize();
            Tty.ConsoleTerminal.Initialize();
            KernelInterface.ProcessTree.Initialize();
            Vfs.RootFileSystem.Initialize();
            Vfs.ProgramFiles.Initialize();
            KernelInterface.LinuxSystemCalls.Initialize();
            Optimization.Vdso.Initialize();
            Exo.Kernel.Processes.StartStack.MinimumSignalStackSize = Signals.SignalDelivery.MaximumFrameSize;
            Exo.Kernel.Processes.ProcessPersonality.Register(Exo.Kernel.Processes.Personality.Linux, &KernelInterface.LinuxProcess.Create);
        }
    }
}
