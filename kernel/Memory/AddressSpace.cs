using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// One process's page tables. The user half (PML4 entries 0-255) is its own; the kernel half (256-511)
    /// points at the kernel's directory-pointer tables, which KernelPageTables creates once at boot, so every
    /// kernel mapping is visible in every address space without copying. Kernel pages have no user bit, so
    /// ring 3 cannot touch them; user data pages are mapped no-execute.
    /// A frame this space allocated itself is marked in its page-table entry (an ignored bit) and freed
    /// with the space; a frame mapped from elsewhere (a shared memory object) is not.
    /// </summary>
    public sealed unsafe class AddressSpace
    {
        private const ulong Present = KernelPageTables.Present, Writable = KernelPageTables.Writable,
            User = KernelPageTables.User, Owned = KernelPageTables.Available0, AddressMask = KernelPageTables.AddressMask;

        /// <summary>Physical address of the PML4 (the value for CR3).</summary>
        public readonly ulong Root;
        private ulong _mappedPages;

        public ulong MappedPages => _mappedPages;

        private AddressSpace(ulong root) { Root = root; }

        /// <summary>A new, empty user half over the shared kernel half; null when memory is exhausted.</summary>
        public static AddressSpace Create()
        {
            ulong root = PhysicalMemory.AllocateFrame();
            if (root == 0)
                return null;
            ulong* entries = (ulong*)PhysicalMemory.ToVirtual(root);
            ulong* kernel = (ulong*)PhysicalMemory.ToVirtual(KernelPageTables.Root);
            for (int index = KernelPageTables.KernelHalfFirstEntry; index < 512; index++)
                entries[index] = kernel[index];
            return new AddressSpace(root);
        }

        /// <summary>
        /// Maps one user page to 'physical'. False if the address is outside the user range, already mapped,
        /// or a page table could not be allocated. 'owned': the frame is freed with the address space.
        /// </summary>
        public bool Map(ulong virtualAddress, ulong physical, bool writable, bool executable, bool owned)
            => Map(virtualAddress, physical, writable, executable, owned, 0);

        /// <summary>Maps one page of device memory (never owned, never executable) uncached: PCD and PWT select
        /// PAT entry 3, which is UC at reset and which the kernel leaves alone.</summary>
        public bool MapDevice(ulong virtualAddress, ulong physical, bool writable)
            => Map(virtualAddress, physical, writable, executable: false, owned: false, KernelPageTables.CacheDisable | KernelPageTables.WriteThrough);

        private bool Map(ulong virtualAddress, ulong physical, bool writable, bool executable, bool owned, ulong cacheFlags)
        {
            if ((virtualAddress & 0xFFF) != 0 || !UserMemory.IsUserRange(virtualAddress, 0x1000))
                return false;
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int level = 3; level > 0; level--)
            {
                ref ulong entry = ref table[KernelPageTables.PageIndex(virtualAddress, level)];
                if ((entry & Present) == 0)
                {
                    ulong newTable = PhysicalMemory.AllocateFrame();
                    if (newTable == 0)
                        return false;
                    entry = newTable | Present | Writable | User;
                }
                table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
            }
            ref ulong leaf = ref table[KernelPageTables.PageIndex(virtualAddress, 0)];
            if ((leaf & Present) != 0)
                return false;
            leaf = (physical & AddressMask) | Present | User | (writable ? Writable : 0)
                | (executable || !KernelPageTables.NoExecuteEnabled ? 0 : KernelPageTables.NoExecute) | (owned ? Owned : 0) | cacheFlags;
            _mappedPages++;
            return true;
        }

        /// <summary>Maps a fresh zeroed frame at 'virtualAddress'; its physical address, or 0 on failure.</summary>
        public ulong MapNew(ulong virtualAddress, bool writable, bool executable)
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (frame == 0)
                return 0;
            if (!Map(virtualAddress, frame, writable, executable, owned: true))
            {
                PhysicalMemory.FreeFrame(frame);
                return 0;
            }
            return frame;
        }

        /// <summary>Removes a mapping (and frees the frame if this space owns it); false if nothing was mapped.</summary>
        public bool Unmap(ulong virtualAddress) => Unmap(virtualAddress, out _);

        /// <summary>As above; 'owned' says whether the frame was this space's own (and is now freed).</summary>
        public bool Unmap(ulong virtualAddress, out bool owned)
        {
            owned = false;
            ulong* leaf = Leaf(virtualAddress);
            if (leaf == null || (*leaf & Present) == 0)
                return false;
            ulong entry = *leaf;
            *leaf = 0;
            _mappedPages--;
            if (Cpu.ReadCr3() == Root)
                Cpu.InvalidatePage(virtualAddress);
            Smp.Processors.ShootDown(virtualAddress);
            owned = (entry & Owned) != 0;
            if (owned)
                PhysicalMemory.FreeFrame(entry & AddressMask);
            return true;
        }

        public bool TryTranslate(ulong virtualAddress, out ulong physical, out ulong entryFlags)
            => KernelPageTables.TryTranslate(Root, virtualAddress, out physical, out entryFlags);

        private ulong* Leaf(ulong virtualAddress)
        {
            if (!UserMemory.IsUserRange(virtualAddress & ~0xFFFUL, 0x1000))
                return null;
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int level = 3; level > 0; level--)
            {
                ulong entry = table[KernelPageTables.PageIndex(virtualAddress, level)];
                if ((entry & Present) == 0)
                    return null;
                table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
            }
            return &table[KernelPageTables.PageIndex(virtualAddress, 0)];
        }

        /// <summary>
        /// Frees every owned frame and every user page table, then the PML4. Call once no processor runs
        /// with this space loaded (its threads have all switched away for the last time).
        /// </summary>
        public void Destroy()
        {
            ulong* pml4 = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int i3 = 0; i3 < KernelPageTables.KernelHalfFirstEntry; i3++)
            {
                if ((pml4[i3] & Present) == 0) continue;
                ulong* pdpt = (ulong*)PhysicalMemory.ToVirtual(pml4[i3] & AddressMask);
                for (int i2 = 0; i2 < 512; i2++)
                {
                    if ((pdpt[i2] & Present) == 0) continue;
                    ulong* directory = (ulong*)PhysicalMemory.ToVirtual(pdpt[i2] & AddressMask);
                    for (int i1 = 0; i1 < 512; i1++)
                    {
                        if ((directory[i1] & Present) == 0) continue;
                        ulong* table = (ulong*)PhysicalMemory.ToVirtual(directory[i1] & AddressMask);
                        for (int i0 = 0; i0 < 512; i0++)
                            if ((table[i0] & (Present | Owned)) == (Present | Owned))
                                PhysicalMemory.FreeFrame(table[i0] & AddressMask);
                        PhysicalMemory.FreeFrame(directory[i1] & AddressMask);
                    }
                    PhysicalMemory.FreeFrame(pdpt[i2] & AddressMask);
                }
                PhysicalMemory.FreeFrame(pml4[i3] & AddressMask);
            }
            PhysicalMemory.FreeFrame(Root);
            _mappedPages = 0;
        }
    }
}
