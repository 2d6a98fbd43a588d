namespace Exo.PosixX.KernelInterface
{
    /// <summary>clone's flags (Linux's uapi sched.h) that POSIX-X looks at; the low byte is the exit signal.</summary>
    public static class CloneFlags
    {
        public const ulong ExitSignalMask = 0xFF;
        public const ulong VirtualMemory = 0x100, FileSystemInformation = 0x200, Files = 0x400, SignalHandlers = 0x800,
            PidFile = 0x1000, Ptrace = 0x2000, Vfork = 0x4000, Parent = 0x8000, Thread = 0x10000, NewNamespace = 0x20000,
            SystemVSemaphores = 0x40000, SetTls = 0x80000, ParentSetThreadId = 0x100000, ChildClearThreadId = 0x200000,
            Detached = 0x400000, Untraced = 0x800000, ChildSetThreadId = 0x1000000, NewCgroup = 0x2000000,
            NewUts = 0x4000000, NewIpc = 0x8000000, NewUser = 0x10000000, NewPid = 0x20000000, NewNetwork = 0x40000000,
            Io = 0x80000000;

        /// <summary>What a thread shares with its process here (a thread with its own files or directories is not offered).</summary>
        public const ulong SharedByThreads = VirtualMemory | FileSystemInformation | Files | SignalHandlers;

        /// <summary>Namespaces and the like: not offered (EINVAL, as a kernel built without them answers).</summary>
        public const ulong Unsupported = NewNamespace | NewCgroup | NewUts | NewIpc | NewUser | NewPid | NewNetwork | PidFile | Ptrace;
    }
}
