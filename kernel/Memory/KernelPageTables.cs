using Exo.Kernel.Arch.X64;
using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// The kernel's 4-level page tables, replacing the boot stub's: all physical memory in the direct map
    /// (2 MiB pages, no execute), the kernel image in the higher half with 4 KiB pages and per-section rights
    /// (text read+execute, read-only data, data no-execute), nothing at low addresses (so null dereferences
    /// fault), and the guard page under the boot stack left unmapped.
    /// </summary>
    public static unsafe class KernelPageTables
    {
        public const ulong Present = 1UL << 0;
        public const ulong Writable = 1UL << 1;
        public const ulong User = 1UL << 2;
        public const ulong WriteThrough = 1UL << 3;
        public const ulong CacheDisable = 1UL << 4;
        public const ulong LargePage = 1UL << 7;
        public const ulong Global = 1UL << 8;
        public const ulong NoExecute = 1UL << 63;
        public const ulong Available0 = 1UL << 9;    // ignored by the MMU: "this address space owns the frame"
        public const ulong Available1 = 1UL << 10;   // ignored by the MMU: in a non-present user leaf, "reserved for demand paging"
        /// <summary>Ignored by the MMU: a user page shared with every fork of this space (MAP_SHARED), never copied on write.</summary>
        public const ulong SharedMapping = 1UL << 53;
        /// <summary>
        /// Ignored by the MMU: in a user leaf, a read-only frame of the program image (ImageFrames), which holds it for
        /// every address space that maps it: not counted per mapping, so fork copies the entry as it is and exit skips it.
        /// </summary>
        public const ulong ImageFrame = 1UL << 54;
        public const ulong CopyOnWrite = 1UL << 52;  // ignored by the MMU: in a present user leaf, "writable in intent: copy on the first write"
        public const ulong Available2 = 1UL << 11;   // ignored by the MMU: in a non-present user leaf, "no access for now" (PROT_NONE)
        public const ulong AddressMask = 0x000FFFFFFFFFF000;
        public const int KernelHalfFirstEntry = 256;

        private static ulong s_root;            // physical address of the PML4
        private static ulong s_noExecute;       // NoExecute when EFER.NXE is on, else 0
        private static ulong s_directMapEnd;
        // Page-table updates after start-up. A ticket lock that leaves interrupts as they are: interrupt
        // handlers never map pages.
        private static Sync.SpinLock s_lock;   // masks interrupts: taken by kernel threads and by system calls (interrupts masked)

        public static ulong Root => s_root;
        public static bool NoExecuteEnabled => s_noExecute != 0;

        public static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.KernelPageTables;
            s_noExecute = (Cpu.ReadMsr(0xC0000080) & (1UL << 11)) != 0 ? NoExecute : 0;
            s_root = AllocateTable();

            // Direct map: at least the first 4 GiB (device memory such as the APICs lives there) and all RAM.
            s_directMapEnd = PhysicalMemory.HighestAddress > 0x100000000 ? PhysicalMemory.HighestAddress : 0x100000000;
            s_directMapEnd = (s_directMapEnd + 0x1FFFFF) & ~0x1FFFFFUL;
            for (ulong physical = 0; physical < s_directMapEnd; physical += 0x200000)
            {
                ulong* directory = WalkTo(KernelLayout.DirectMapBase + physical, 1);
                directory[PageIndex(KernelLayout.DirectMapBase + physical, 1)] = physical | Present | Writable | LargePage | Global | s_noExecute;
            }

            // Kernel image, section by section.
            MapKernelRange(KernelLayout.TextStart, KernelLayout.TextEnd, Present | Global);
            MapKernelRange(KernelLayout.ReadOnlyStart, KernelLayout.DataStart, Present | Global | s_noExecute);
            MapKernelRange(KernelLayout.DataStart, KernelLayout.BootStackGuard, Present | Writable | Global | s_noExecute);
            MapKernelRange(KernelLayout.BootStackBottom, KernelLayout.ImageEnd, Present | Writable | Global | s_noExecute);

            // Every kernel-half PML4 entry gets its directory-pointer table now, so that each process's PML4 can
            // copy the 256 entries once and still see every kernel mapping made later (1 MiB of tables).
            ulong* root = (ulong*)PhysicalMemory.ToVirtual(s_root);
            for (int index = KernelHalfFirstEntry; index < 512; index++)
                if ((root[index] & Present) == 0)
                    root[index] = AllocateTable() | Present | Writable;

            Cpu.WriteCr3(s_root);
            Cpu.WriteCr4(Cpu.ReadCr4() | (1UL << 7));   // global pages on, now that the tables are final
            PhysicalMemory.UseDirectMap();
        }

        private static void MapKernelRange(ulong start, ulong end, ulong flags)
        {
            start &= ~0xFFFUL;
            for (ulong address = start; address < end; address += 0x1000)
            {
                ulong* table = WalkTo(address, 0);
                table[PageIndex(address, 0)] = KernelLayout.ToPhysical(address) | flags;
            }
        }

        /// <summary>Maps one 4 KiB kernel page (for stacks with guard pages, device memory).</summary>
        public static void MapPage(ulong virtualAddress, ulong physical, bool writable, bool executable)
        {
            s_lock.Enter();
            ulong* table = WalkTo(virtualAddress, 0);
            table[PageIndex(virtualAddress, 0)] = (physical & AddressMask) | Present | Global
                | (writable ? Writable : 0) | (executable ? 0 : s_noExecute);
            Cpu.InvalidatePage(virtualAddress);
            s_lock.Exit();
        }

        /// <summary>Unmaps a page on every processor (local invalidation, then a TLB shoot-down to the others).</summary>
        public static void UnmapPage(ulong virtualAddress)
        {
            s_lock.Enter();
            ulong* table = WalkTo(virtualAddress, 0);
            table[PageIndex(virtualAddress, 0)] = 0;
            Cpu.InvalidatePage(virtualAddress);
            s_lock.Exit();
            Smp.Processors.ShootDown(virtualAddress);
        }

        /// <summary>Translates a virtual address through the active tables; returns false if not mapped.</summary>
        public static bool TryTranslate(ulong virtualAddress, out ulong physical, out ulong entryFlags)
            => TryTranslate(Cpu.ReadCr3() & AddressMask, virtualAddress, out physical, out entryFlags);

        /// <summary>Translates a virtual address through the tables at 'root'; returns false if not mapped.</summary>
        public static bool TryTranslate(ulong root, ulong virtualAddress, out ulong physical, out ulong entryFlags)
        {
            physical = 0;
            entryFlags = 0;
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(root);
            for (int level = 3; level >= 0; level--)
            {
                ulong entry = table[PageIndex(virtualAddress, level)];
                if ((entry & Present) == 0)
                    return false;
                if (level == 0 || (level <= 2 && (entry & LargePage) != 0))
                {
                    ulong pageSize = 1UL << (12 + 9 * level);
                    physical = (entry & AddressMask & ~(pageSize - 1)) | (virtualAddress & (pageSize - 1));
                    entryFlags = entry & ~AddressMask;
                    return true;
                }
                table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
            }
            return false;
        }

        public static int PageIndex(ulong address, int level) => (int)((address >> (12 + 9 * level)) & 511);

        /// <summary>
        /// The table whose entries 'address' indexes at 'level' (3 = PML4, 2 = PDPT, 1 = page directory,
        /// 0 = page table), creating the tables on the way.
        /// </summary>
        private static ulong* WalkTo(ulong address, int level)
        {
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(s_root);
            for (int current = 3; current > level; current--)
            {
                ref ulong entry = ref table[PageIndex(address, current)];
                if ((entry & Present) == 0)
                    entry = AllocateTable() | Present | Writable;
                else if ((entry & LargePage) != 0)
                    Panic.Fail("page table walk hit a large page");
                table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
            }
            return table;
        }

        /// <summary>A zeroed frame for a page table (frames come zeroed from the physical allocator).</summary>
        private static ulong AllocateTable()
        {
            ulong table = PhysicalMemory.AllocateFrame();
            if (table == 0)
                Panic.Fail("out of memory for page tables");
            return table;
        }
    }
}
