using System.Diagnostics;
using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// The Debug build's lock-order checker: each processor keeps the locks it holds (rank and address), and
    /// taking a lock whose rank is not above every held one panics with both ranks' names before the lock is
    /// waited for, so an inversion shows the first time its path runs, not when two processors happen to meet
    /// in it. Per processor, not per thread: a processor's scheduler lock is taken by one thread and released by
    /// the next, on the same processor. Release builds compile the calls away.
    /// </summary>
    public static unsafe class LockOrder
    {
        private const int Depth = 16;
        private const int MaximumProcessors = DescriptorTables.MaximumProcessors;

        private struct HeldLocks
        {
            public fixed byte Ranks[MaximumProcessors * Depth];
            public fixed ulong Addresses[MaximumProcessors * Depth];
            public fixed int Counts[MaximumProcessors];
        }

        private static HeldLocks s_held;
        private static bool s_enabled;
        private static ulong s_checked;

        /// <summary>Acquisitions checked since boot (a test reads it to know the checker runs).</summary>
        public static ulong Checked => s_checked;

        /// <summary>From now on (this processor's GS block is set: the checker finds its processor through it).</summary>
        [Conditional("DEBUG")]
        public static void Enable() => s_enabled = true;

        /// <summary>A lock is about to be waited for (interrupts masked): its rank must be above every held one.</summary>
        [Conditional("DEBUG")]
        public static void Acquiring(LockRank rank, void* address) => Record(rank, address, check: true);

        /// <summary>A lock was taken without waiting (TryEnter): held from now on, not checked.</summary>
        [Conditional("DEBUG")]
        public static void Acquired(LockRank rank, void* address) => Record(rank, address, check: false);

        [Conditional("DEBUG")]
        public static void Released(LockRank rank, void* address)
        {
            if (!s_enabled)
                return;
            int cpu = Cpu.CurrentProcessor();
            int count = s_held.Counts[cpu];
            int at = cpu * Depth;
            for (int i = count - 1; i >= 0; i--)
            {
                if (s_held.Addresses[at + i] != (ulong)address)
                    continue;
                for (int j = i; j < count - 1; j++)
                {
                    s_held.Addresses[at + j] = s_held.Addresses[at + j + 1];
                    s_held.Ranks[at + j] = s_held.Ranks[at + j + 1];
                }
                s_held.Counts[cpu] = count - 1;
                return;
            }
            Fail("releasing a lock this processor does not hold", rank, LockRank.Unranked);
        }

        /// <summary>
        /// Panics if this processor holds any lock: for work that must never happen under one (writing the polled
        /// serial port, which is slow: every other processor waiting for that lock would wait for the port).
        /// </summary>
        [Conditional("DEBUG")]
        public static void CheckNoneHeld()
        {
            if (!s_enabled)
                return;
            int cpu = Cpu.CurrentProcessor();
            if (s_held.Counts[cpu] != 0)
                Fail("the serial port written with a lock held", LockRank.Unranked, (LockRank)s_held.Ranks[cpu * Depth + s_held.Counts[cpu] - 1]);
        }

        private static void Record(LockRank rank, void* address, bool check)
        {
            if (!s_enabled)
                return;
            int cpu = Cpu.CurrentProcessor();
            int count = s_held.Counts[cpu];
            int at = cpu * Depth;
            if (rank == LockRank.Unranked)
                Fail("taking a lock that has no rank", rank, LockRank.Unranked);
            if (check)
            {
                s_checked++;
                for (int i = 0; i < count; i++)
                    if (s_held.Ranks[at + i] >= (byte)rank)
                        Fail("lock order inverted", rank, (LockRank)s_held.Ranks[at + i]);
            }
            if (count == Depth)
                Fail("more locks held at once than the checker keeps", rank, LockRank.Unranked);
            s_held.Ranks[at + count] = (byte)rank;
            s_held.Addresses[at + count] = (ulong)address;
            s_held.Counts[cpu] = count + 1;
        }

        private static void Fail(string what, LockRank taking, LockRank held)
        {
            s_enabled = false;   // the panic report takes locks of its own
            Console.ConsoleOutput.SwitchToDirect();   // this processor may hold the console's own lock
            Console.KernelConsole.Write("lock order: ");
            Console.KernelConsole.Write(what);
            Console.KernelConsole.Write(": taking ");
            Console.KernelConsole.Write(Name(taking));
            Console.KernelConsole.Write(" while holding ");
            Console.KernelConsole.WriteLine(Name(held));
            Diagnostics.Panic.Fail("lock order", what, null, null);
        }

        public static string Name(LockRank rank) => rank switch
        {
            LockRank.Unranked => "(no rank)",
            LockRank.ProcessRegistry => "process registry",
            LockRank.ProcessTree => "POSIX-X process tree",
            LockRank.PosixProcess => "POSIX-X process",
            LockRank.ProcessMappings => "process mappings",
            LockRank.Descriptors => "descriptor table",
            LockRank.OpenFile => "open file",
            LockRank.FileSystem => "file system",
            LockRank.Capabilities => "capabilities",
            LockRank.InterruptLines => "interrupt lines",
            LockRank.IoApic => "I/O APIC",
            LockRank.IoPermissions => "I/O permissions",
            LockRank.AddressSpace => "address space",
            LockRank.KernelPageTables => "kernel page tables",
            LockRank.TlbShootDown => "TLB shoot-down",
            LockRank.KernelStacks => "kernel stacks",
            LockRank.ThreadRegistry => "thread registry",
            LockRank.ReapList => "reap list",
            LockRank.WaitQueue => "wait queue",
            LockRank.SleepQueue => "sleep queue",
            LockRank.PosixFutex => "POSIX-X futex bucket",
            LockRank.Processor => "processor (scheduler)",
            LockRank.AllocatorClass => "allocator size class",
            LockRank.AllocatorPages => "allocator pages",
            LockRank.ConsoleOutput => "console output",
            LockRank.Test => "test",
            _ => "(unknown rank)",
        };
    }
}
