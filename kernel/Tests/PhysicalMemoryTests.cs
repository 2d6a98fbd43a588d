using Exo.Kernel.Boot;
using Exo.Kernel.Memory;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    public static unsafe class PhysicalMemoryTests
    {
        public static void Run()
        {
            Test("usable_memory_matches_boot_map", &UsableMatchesBootMap);
            Test("frames_aligned_distinct_zeroed", &FramesAlignedDistinctZeroed);
            Test("reserved_areas_never_handed_out", &ReservedNeverHandedOut);
            Test("free_then_reuse_keeps_count", &FreeThenReuse);
            Test("contiguous_allocation", &Contiguous);
        }

        private static void UsableMatchesBootMap()
        {
            BootInformation* boot = KernelMain.Boot;
            ulong available = 0;
            for (int i = 0; i < boot->MemoryRegionCount; i++)
                if (boot->Regions[i].Type == MemoryRegionType.Available)
                    available += boot->Regions[i].Length;
            Check(boot->MemoryRegionCount > 0, "boot memory map has regions");
            Check(PhysicalMemory.TotalUsableBytes > 16UL << 20, "at least 16 MiB usable", PhysicalMemory.TotalUsableBytes);
            Check(PhysicalMemory.TotalUsableBytes <= available, "usable never exceeds what the firmware calls available", PhysicalMemory.TotalUsableBytes);
            Check(PhysicalMemory.FreeBytes <= PhysicalMemory.TotalUsableBytes, "free within usable");
        }

        private static void FramesAlignedDistinctZeroed()
        {
            ulong* frames = stackalloc ulong[64];
            for (int i = 0; i < 64; i++)
            {
                frames[i] = PhysicalMemory.AllocateFrame();
                if (!Check(frames[i] != 0, "allocation succeeded")) return;
                Check((frames[i] & 0xFFF) == 0, "frame is 4 KiB aligned", frames[i]);
                ulong* memory = (ulong*)PhysicalMemory.ToVirtual(frames[i]);
                bool zero = true;
                for (int word = 0; word < 512; word++)
                    zero &= memory[word] == 0;
                Check(zero, "frame is zeroed", frames[i]);
                for (int word = 0; word < 512; word++)
                    memory[word] = frames[i];   // dirty it, so the next zero check means something
                for (int j = 0; j < i; j++)
                    Check(frames[j] != frames[i], "frames are distinct", frames[i]);
            }
            for (int i = 0; i < 64; i++)
                PhysicalMemory.FreeFrame(frames[i]);
        }

        private static bool Overlaps(ulong frame, ulong start, ulong end) => frame + 4096 > start && frame < end;

        private static void ReservedNeverHandedOut()
        {
            BootInformation* boot = KernelMain.Boot;
            ulong* frames = stackalloc ulong[256];
            for (int i = 0; i < 256; i++)
            {
                ulong frame = frames[i] = PhysicalMemory.AllocateFrame();
                Check(frame >= 0x100000, "not in the first MiB", frame);
                Check(!Overlaps(frame, KernelLayout.PhysicalStart, KernelLayout.PhysicalEnd), "not in the kernel image", frame);
                Check(!Overlaps(frame, boot->InformationStart, boot->InformationEnd), "not in the boot information", frame);
                for (int m = 0; m < boot->ModuleCount; m++)
                    Check(!Overlaps(frame, boot->Modules[m].Start, boot->Modules[m].End), "not in a boot module", frame);
                bool inAvailable = false;
                for (int r = 0; r < boot->MemoryRegionCount; r++)
                    inAvailable |= boot->Regions[r].Type == MemoryRegionType.Available && frame >= boot->Regions[r].Base && frame + 4096 <= boot->Regions[r].End;
                Check(inAvailable, "inside an available region of the boot map", frame);
            }
            for (int i = 0; i < 256; i++)
                PhysicalMemory.FreeFrame(frames[i]);
        }

        private static void FreeThenReuse()
        {
            ulong before = PhysicalMemory.FreeBytes;
            ulong frame = PhysicalMemory.AllocateFrame();
            Equal(before - 4096, PhysicalMemory.FreeBytes, "one frame fewer after allocating");
            PhysicalMemory.FreeFrame(frame);
            Equal(before, PhysicalMemory.FreeBytes, "count restored after freeing");
            ulong again = PhysicalMemory.AllocateFrame();
            Check(again != 0, "allocating again works");
            PhysicalMemory.FreeFrame(again);
        }

        private static void Contiguous()
        {
            ulong start = PhysicalMemory.AllocateContiguous(16);
            if (!Check(start != 0, "16 contiguous frames")) return;
            for (ulong i = 0; i < 16; i++)
            {
                ulong* memory = (ulong*)PhysicalMemory.ToVirtual(start + i * 4096);
                memory[0] = i;
            }
            for (ulong i = 0; i < 16; i++)
                Equal(i, *(ulong*)PhysicalMemory.ToVirtual(start + i * 4096), "each frame of the run is addressable");
            Equal(0, start & (16 * 4096 - 1), "a 16-frame run is aligned to its size (a level-3 block)");
            PhysicalMemory.FreeContiguous(start, 16);
        }
    }
}
