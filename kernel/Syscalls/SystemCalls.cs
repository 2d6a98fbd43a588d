using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// The native system call table: one entry per number, each family in its own file (ProcessCalls,
    /// ConsoleCalls, MemoryCalls, HandleCalls, MemoryObjectCalls, IpcCalls, NotificationCalls, SpawnCalls,
    /// ThreadCalls, ResourceCalls, PciCalls, OfferCalls, ChannelCalls, FramebufferCalls). SystemCallEntry.asm calls a handler with the caller's register frame; every
    /// argument is untrusted (user pointers go through UserMemory). The numbers are Exo.Abi's SystemCallNumber;
    /// a handler returns RAX, and an error as SystemCallResult.From(Error) (negative, as on Linux).
    /// </summary>
    public static unsafe class SystemCalls
    {
        /// <summary>Numbers below this have an entry (72-73: native sockets; 80-85: the desktop's, FramebufferCalls; 86-87: service channels).</summary>
        public const int TableSize = 88;

        private static SystemCallTable s_native;
        private static bool s_initialized;

        /// <summary>System calls made on every processor since boot (each counts its own).</summary>
        public static ulong Calls
        {
            get
            {
                ulong total = 0;
                for (int cpu = 0; cpu < DescriptorTables.MaximumProcessors; cpu++)
                    total += Smp.Processors.LocalBlock(cpu)[Smp.Processors.SystemCallCountWord];
                return total;
            }
        }

        public static void Initialize()
        {
            if (s_initialized)
                return;   // each processor enables SYSCALL; the tables are filled once
            s_initialized = true;
            s_native.Initialize(TableSize, &Unknown);
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
            PciCalls.Register();
            OfferCalls.Register();
            ChannelCalls.Register();
            FramebufferCalls.Register();
        }

        private static ulong s_linuxTable;

        /// <summary>
        /// A personality brings its own table (POSIX-X registers Linux's at boot, before any program runs): the
        /// kernel does not import the personalities it routes to.
        /// </summary>
        public static void SetPersonalityTable(Processes.Personality personality, ulong table)
        {
            if (personality == Processes.Personality.Linux)
                s_linuxTable = table;
        }

        internal static void Register(SystemCallNumber number, delegate*<RegisterFrame*, ulong> handler) => s_native.Register((int)number, handler);

        /// <summary>The calling thread's process (every thread that makes system calls has one).</summary>
        public static Processes.Process CurrentProcess => Scheduler.Scheduler.Current.Process;

        /// <summary>Gives the calling process a root capability to a new object: its handle, or the error as the result.</summary>
        public static ulong InsertHandle(Processes.Process process, Capabilities.KernelObject value, ObjectType type, Rights rights)
            => SystemCallResult.From(Capabilities.CapabilitySpace.InsertNew(process.Handles, value, type, rights, out Capabilities.Handle handle), handle.Value);

        private static ulong Unknown(RegisterFrame* frame) => SystemCallResult.From(Error.NoSuchCall);

        /// <summary>
        /// The table a thread of this personality calls through (SystemCallEntry.asm reads it from the processor
        /// block, set per thread on each switch): the routing costs the entry nothing.
        /// </summary>
        public static ulong TableFor(Processes.Personality personality)
            => personality == Processes.Personality.Linux && s_linuxTable != 0
                ? s_linuxTable
                : (ulong)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_native);
    }
}
