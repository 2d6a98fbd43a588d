using Exo.Kernel.Console;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Memory
{
    /// <summary>The shell's memory command: physical frames, the kernel heap by size class, free page blocks.</summary>
    public static unsafe class MemoryShellCommands
    {
        public static void Register() => ShellCommands.Register("mem", "mem       physical memory and kernel heap use", &Memory);

        private static void Memory(CommandLine* line)
        {
            ulong total = PhysicalMemory.TotalUsableBytes;
            ulong free = PhysicalMemory.FreeBytes;
            KernelConsole.Write("physical: ");
            KernelConsole.WriteSize(total);
            KernelConsole.Write(" usable, ");
            KernelConsole.WriteSize(total - free);
            KernelConsole.Write(" used, ");
            KernelConsole.WriteSize(free);
            KernelConsole.Write(" free (");
            KernelConsole.WriteDecimal(free / PhysicalMemory.FrameSize);
            KernelConsole.WriteLine(" frames)");
            KernelConsole.Write("heap: ");
            KernelConsole.WriteSize(KernelHeap.BytesInUse);
            KernelConsole.Write(" in use (");
            KernelConsole.WriteDecimal(KernelHeap.BytesInUse);   // exact, for the boot tests' leak checks
            KernelConsole.Write(" bytes), ");
            KernelConsole.WriteDecimal(KernelHeap.LargeBlocks);
            KernelConsole.Write(" large blocks (");
            KernelConsole.WriteDecimal(KernelHeap.LargePages);
            KernelConsole.Write(" pages), ");
            KernelConsole.WriteDecimal(KernelHeap.FailedAllocations);
            KernelConsole.Write(" failed allocations, level-1 refills ");
            KernelConsole.WriteDecimal(KernelHeap.Refills);
            KernelConsole.Write(" flushes ");
            KernelConsole.WriteDecimal(KernelHeap.Flushes);
            KernelConsole.WriteLine();
            KernelConsole.WriteLine("  class  size  in-use  cached(L1)  slabs(L2) partial/full/empty  pages");
            ulong slabBytes = 0, objectBytes = 0;
            for (int i = 0; i < SizeClasses.Count; i++)
            {
                HeapAllocator.ClassStatistics statistics = KernelHeap.ClassStatistics(i);
                slabBytes += statistics.Pages * 4096;
                objectBytes += (statistics.InUse + statistics.Cached) * (ulong)statistics.ObjectSize;
                if (statistics.Slabs == 0)
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)i);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal((ulong)statistics.ObjectSize);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.InUse);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Cached);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Slabs);
                KernelConsole.Write(" ");
                KernelConsole.WriteDecimal(statistics.PartialSlabs);
                KernelConsole.Write("/");
                KernelConsole.WriteDecimal(statistics.FullSlabs);
                KernelConsole.Write("/");
                KernelConsole.WriteDecimal(statistics.EmptySlabs);
                KernelConsole.Write("  ");
                KernelConsole.WriteDecimal(statistics.Pages);
                KernelConsole.WriteLine();
            }
            KernelConsole.Write("  slab waste (headers, tails, free objects): ");
            KernelConsole.WriteSize(slabBytes - objectBytes);
            KernelConsole.Write(" of ");
            KernelConsole.WriteSize(slabBytes);
            KernelConsole.WriteLine();
            KernelConsole.Write("pages (L3): ");
            KernelConsole.WriteDecimal(KernelHeap.FreePageCount);
            KernelConsole.Write(" free of ");
            KernelConsole.WriteDecimal(KernelHeap.ManagedPageCount);
            KernelConsole.Write("; free blocks by order:");
            for (int order = 0; order <= PageAllocator.MaximumOrder; order++)
            {
                KernelConsole.Write(" ");
                KernelConsole.WriteDecimal(KernelHeap.FreeBlocks(order));
            }
            KernelConsole.WriteLine();
        }
    }
}
