using Exo.Kernel.Memory;

namespace Exo.Kernel.Scheduler
{
    /// <summary>
    /// Kernel thread stacks in their own region of address space: slot i spans 32 KiB at
    /// <see cref="RegionBase"/> + i * 32 KiB, of which the top 16 KiB are mapped and the rest is an unmapped
    /// guard, so an overflow faults instead of running into the neighbour. A freed stack stays mapped and is
    /// reused by the next thread: no processor can hold a stale translation of it, so no TLB shoot-down is
    /// needed (the memory of the most stacks ever alive at once stays reserved).
    /// </summary>
    public static unsafe class KernelStacks
    {
        public const ulong RegionBase = 0xFFFFFE0000000000;
        public const int StackPages = 4;
        public const ulong SlotBytes = 32 * 1024;
        public const int MaximumStacks = 8192;

        private struct SlotStorage { public fixed ulong Words[MaximumStacks / 64]; }
        private static SlotStorage s_used;
        private static SlotStorage s_mapped;
        private static int s_inUse;
        private static int s_mappedCount;   // slots whose pages are mapped: the most stacks ever alive at once
        private static int s_searchFrom;
        private static Sync.SpinLock s_lock;   // masks interrupts: taken by kernel threads and by system calls (interrupts masked)

        public static int InUse => s_inUse;

        /// <summary>
        /// Bytes of stack kept mapped in free slots for the next threads: memory no thread holds, which a leak
        /// check counts as given back (a test that raised the most threads alive at once leaves more of it).
        /// </summary>
        public static ulong SpareBytes
        {
            get
            {
                using (s_lock.Hold())
                    return (ulong)(s_mappedCount - s_inUse) * StackPages * 4096;
            }
        }

        public static void Initialize() => s_lock.Rank = Sync.LockRank.KernelStacks;

        /// <summary>Maps a new stack; returns its top, or 0 when slots or memory run out.</summary>
        public static ulong Allocate(out int slot)
        {
            s_lock.Enter();
            ulong top = AllocateLocked(out slot);
            s_lock.Exit();
            return top;
        }

        private static ulong AllocateLocked(out int slot)
        {
            slot = -1;
            for (int i = 0; i < MaximumStacks; i++)
            {
                int candidate = (s_searchFrom + i) % MaximumStacks;
                if ((s_used.Words[candidate >> 6] & (1UL << (candidate & 63))) == 0)
                {
                    slot = candidate;
                    break;
                }
            }
            if (slot < 0)
                return 0;
            ulong top = RegionBase + (ulong)(slot + 1) * SlotBytes;
            bool wasMapped = (s_mapped.Words[slot >> 6] & (1UL << (slot & 63))) != 0;
            for (int page = 1; page <= StackPages && (s_mapped.Words[slot >> 6] & (1UL << (slot & 63))) == 0; page++)
            {
                ulong frame = PhysicalMemory.AllocateFrame();
                if (frame == 0)
                {
                    for (int mapped = 1; mapped < page; mapped++)
                        Unmap(top - (ulong)mapped * 4096);
                    slot = -1;
                    return 0;
                }
                KernelPageTables.MapPage(top - (ulong)page * 4096, frame, true, false);
            }
            s_used.Words[slot >> 6] |= 1UL << (slot & 63);
            s_mapped.Words[slot >> 6] |= 1UL << (slot & 63);
            if (!wasMapped)
                s_mappedCount++;
            s_searchFrom = slot + 1;
            s_inUse++;
            return top;
        }

        /// <summary>Returns a stack slot; its pages stay mapped for the next thread.</summary>
        public static void Free(int slot)
        {
            s_lock.Enter();
            s_used.Words[slot >> 6] &= ~(1UL << (slot & 63));
            if (slot < s_searchFrom)
                s_searchFrom = slot;
            s_inUse--;
            s_lock.Exit();
        }

        public static ulong GuardPage(int slot) => RegionBase + (ulong)(slot + 1) * SlotBytes - (StackPages + 1) * 4096UL;

        private static void Unmap(ulong virtualAddress)
        {
            if (KernelPageTables.TryTranslate(virtualAddress, out ulong physical, out _))
            {
                KernelPageTables.UnmapPage(virtualAddress);
                PhysicalMemory.FreeFrame(physical & ~0xFFFUL);
            }
        }
    }
}
