using Exo.Kernel.Processes;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// POSIX-X's state for one process of the Linux personality (Process.PersonalityState): what Linux keeps in
    /// its task and signal structures and the kernel does not: credentials, its memory regions and break, its
    /// resource limits, its name. Created for every Linux process when it is loaded. Locks: <see cref="Lock"/>
    /// guards the fields that threads of the process change (credentials, limits, umask, name); the memory
    /// regions have their own (MemoryRegions).
    /// </summary>
    public sealed unsafe class LinuxProcess : ProcessPersonality
    {
        public const int CommandNameCapacity = 16;   // Linux's TASK_COMM_LEN, terminator included

        public readonly Process Process;
        public Exo.Kernel.Sync.SpinLock Lock;
        public Credentials Credentials;
        public ResourceLimits Limits;
        public uint FileCreationMask = 0x12;   // umask 022
        public readonly Memory.MemoryRegions Regions;
        /// <summary>Its descriptors (null once it has ended: set under Lock, so /proc may look at another process's table under it).</summary>
        public FileDescriptorTable Descriptors;
        /// <summary>When it was made, in microseconds after boot (/proc/PID/stat's starttime).</summary>
        public readonly ulong StartedMicroseconds = Exo.Kernel.Time.SystemClock.UptimeMicroseconds;
        /// <summary>Its root and working directory (references held; changed under Lock).</summary>
        public Vfs.Vnode RootDirectory, WorkingDirectory;
        private CommandName _commandName;
        private struct CommandName { public fixed byte Bytes[CommandNameCapacity]; }

        private LinuxProcess(Process process, Memory.MemoryRegions regions)
        {
            Process = process;
            Regions = regions;
            Lock.Rank = Exo.Kernel.Sync.LockRank.PosixProcess;
            Credentials = Credentials.Root;
            Limits = ResourceLimits.Defaults;
            SetCommandName(process.Name, process.NameLength);
        }

        /// <summary>The POSIX-X state of the calling thread's process (every caller of a Linux call has one).</summary>
        public static LinuxProcess Current
            => System.Runtime.CompilerServices.Unsafe.As<LinuxProcess>(Exo.Kernel.Scheduler.Scheduler.Current.Process.PersonalityState);

        public int ProcessId => Process.Id;

        /// <summary>
        /// The personality's factory (ProcessPersonality.Register): a new process's state, or null. A process started
        /// by spawn (not fork) begins at the root with descriptors 0, 1 and 2 on the console when it may print there
        /// (it holds the console capability), else on /dev/null.
        /// </summary>
        public static ProcessPersonality Create(Process process)
        {
            Memory.MemoryRegions regions = Memory.MemoryRegions.Create(process);
            if (regions == null)
                return null;
            FileDescriptorTable descriptors = FileDescriptorTable.Create();
            if (descriptors == null)
            {
                regions.Free();
                return null;
            }
            LinuxProcess linux = new LinuxProcess(process, regions);
            linux.Descriptors = descriptors;
            linux.RootDirectory = Vfs.MountTable.RootDirectory;
            linux.RootDirectory.AddReference();
            linux.WorkingDirectory = linux.RootDirectory;
            linux.WorkingDirectory.AddReference();
            return linux;
        }

        /// <summary>Opens the standard descriptors of a spawned program (the launcher calls it once grants are in).</summary>
        public override void OnStart(Process process)
        {
            Exo.Kernel.Capabilities.CapabilitySpace.Enter();
            bool console = process.Handles.Holds(ObjectType.Console, Exo.Abi.Rights.Write);
            Exo.Kernel.Capabilities.CapabilitySpace.Exit();
            Vfs.OpenFile standard = Vfs.StandardFiles.Open(console);
            if (standard == null)
                return;
            for (int descriptor = 0; descriptor < 3; descriptor++)
                Descriptors.InstallAt(standard, descriptor, closeOnExec: false, FileDescriptorTable.Capacity);
            standard.Release();
        }

        /// <summary>
        /// A path resolution's starting point for this process: its root, its working directory and its credentials,
        /// read under its lock with a reference on each directory (give them back with ReleasePathContext).
        /// </summary>
        public Vfs.PathWalker.Context ReferencePathContext()
        {
            Vfs.PathWalker.Context context;
            using (Lock.Hold())
            {
                context.Root = RootDirectory;
                context.Start = WorkingDirectory;
                context.Credentials = Credentials;
                context.Root.AddReference();
                context.Start.AddReference();
            }
            return context;
        }

        public static void ReleasePathContext(in Vfs.PathWalker.Context context)
        {
            context.Root.Release();
            context.Start.Release();
        }

        public override void OnProcessEnded(Process process)
        {
            // Taken away under the lock, so that /proc, which reads another process's state under it, never sees them freed.
            FileDescriptorTable descriptors;
            Vfs.Vnode working, root;
            using (Lock.Hold())
            {
                descriptors = Descriptors;
                working = WorkingDirectory;
                root = RootDirectory;
                Descriptors = null;
                WorkingDirectory = RootDirectory = null;
            }
            descriptors.Destroy();
            working.Release();
            root.Release();
        }

        /// <summary>The name prctl(PR_GET_NAME) and /proc report: 15 bytes at most, zero-terminated.</summary>
        public byte* CommandNameBytes => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _commandName);

        public void SetCommandName(byte* name, int length)
        {
            if (length > CommandNameCapacity - 1)
                length = CommandNameCapacity - 1;
            for (int i = 0; i < CommandNameCapacity; i++)
                CommandNameBytes[i] = i < length ? name[i] : (byte)0;
        }

        public override void OnDiscard(Process process)
        {
            for (int i = 0; i < process.ThreadCount; i++)
            {
                if (process.Threads[i].PersonalityState is LinuxThread thread)
                    Exo.Runtime.ObjectAllocator.Free(thread);
                process.Threads[i].PersonalityState = null;
            }
            Regions.Free();
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }

    /// <summary>A process's user and group identities (real, effective, saved), as Linux keeps them.</summary>
    public struct Credentials
    {
        public uint UserId, EffectiveUserId, SavedUserId;
        public uint GroupId, EffectiveGroupId, SavedGroupId;

        public static Credentials Root => default;
        public bool IsPrivileged => EffectiveUserId == 0;
    }
}
