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
    /// Demand paging: anonymous memory is first only reserved, as a non-present leaf entry with the Reserved
    /// bit (and the Writable bit saying what the reservation allows; the MMU ignores every bit of a
    /// non-present entry but bit 0). The first touch faults, and FaultIn puts a zeroed frame there. A large private
    /// reservation (ReserveRange of at least a page table's worth: a Linux stack) is kept as a range instead, with no
    /// entries until a page is touched (DeferredReservations): a page whose entry is empty is reserved if a range
    /// holds it. Every operation on one page takes it out of its range first (Unmap, Protect, MovePage), so a page
    /// is described by its entry or by a range, never both in disagreement.
    /// Locking: every change to a leaf entry (Map, Reserve, Unmap, FaultIn) holds _lock, so a fault on one
    /// processor and an unmap on another cannot both act on the same entry. Today a process has one thread, so
    /// they never race; the lock makes that an enforced rule rather than an assumption. Shoot-downs and frame
    /// frees run after the lock is dropped (a shoot-down waits for other processors, which may be spinning on
    /// this lock with interrupts masked). Page tables are only ever added while the space lives, never removed.
    /// </summary>
    public sealed unsafe class AddressSpace
    {
        private const ulong Present = KernelPageTables.Present, Writable = KernelPageTables.Writable,
            User = KernelPageTables.User, Owned = KernelPageTables.Available0, Reserved = KernelPageTables.Available1,
            NoAccess = KernelPageTables.Available2, CopyOnWrite = KernelPageTables.CopyOnWrite, SharedMapping = KernelPageTables.SharedMapping,
            ImageFrame = KernelPageTables.ImageFrame, AddressMask = KernelPageTables.AddressMask;
        // Page-fault error code bits.
        /// <summary>
        /// In the entry of a leaf table (a level-1 entry; ignored by the MMU): no entry of that table holds a frame. Set by
        /// a scan that found none (NextBacked), cleared whenever a frame may be written into the table (LeafTable,
        /// FaultIn), so that a thread stack's untouched megabytes are skipped whole the next time.
        /// </summary>
        private const ulong NoFramesBelow = KernelPageTables.Available0;
        private const ulong FaultPresent = 1 << 0, FaultWrite = 1 << 1, FaultReservedBit = 1 << 3, FaultFetch = 1 << 4;

        /// <summary>Physical address of the PML4 (the value for CR3).</summary>
        public readonly ulong Root;
        private ulong _mappedPages;
        private Sync.SpinLock _lock;
        // Large private reservations kept as ranges, not entries (see DeferredReservations); guarded by _lock.
        private DeferredReservations _deferred;
        // Its user page tables, for fork and Destroy to visit without scanning directories (UserTableList); guarded by _lock.
        private UserTableList _tables;
        // The program image's read-only frames this space maps (ImageFrames), shared with its forks; null if none.
        private ImageFrames _image;

        public ulong MappedPages => _mappedPages;
        /// <summary>The most pages mapped at once (getrusage's ru_maxrss).</summary>
        public ulong PeakMappedPages => _peakMappedPages;
        private ulong _peakMappedPages;

        private void CountMappedPage()
        {
            _mappedPages++;
            if (_mappedPages > _peakMappedPages)
                _peakMappedPages = _mappedPages;
        }

        // Processes running on this space: 1, or more while a vfork child borrows its parent's (Linux's shared mm).
        private int _users = 1;

        /// <summary>One more process runs on this space (vfork's child borrowing its parent's memory).</summary>
        public void AddUser() => System.Threading.Interlocked.Increment(ref _users);

        /// <summary>
        /// A process no longer runs on this space (it ended or exec'd): the last one destroys it and frees the object.
        /// As for Destroy, the caller's threads have all left it.
        /// </summary>
        public void ReleaseUser()
        {
            if (System.Threading.Interlocked.Decrement(ref _users) != 0)
                return;
            Destroy();
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        private AddressSpace(ulong root)
        {
            Root = root;
            _lock.Rank = Sync.LockRank.AddressSpace;
        }

        /// <summary>A new, empty user half over the shared kernel half; null when memory is exhausted.</summary>
        public static AddressSpace Create()
        {
            ulong root = PhysicalMemory.AllocateFrame();
            if (root == 0)
                return null;
            ulong* entries = (ulong*)PhysicalMemory.ToVirtual(root);
            ulong* kernel = (ulong*)PhysicalMemory.ToVirtual(KernelPageTables.Root);
            BlockMemory.Copy((byte*)(entries + KernelPageTables.KernelHalfFirstEntry), (byte*)(kernel + KernelPageTables.KernelHalfFirstEntry),
                (512 - KernelPageTables.KernelHalfFirstEntry) * sizeof(ulong));
            return new AddressSpace(root);
        }

        /// <summary>
        /// Maps one user page to 'physical'. False if the address is outside the user range, already mapped or
        /// reserved, or a page table could not be allocated. 'owned': the frame is freed with the address space.
        /// </summary>
        public bool Map(ulong virtualAddress, ulong physical, bool writable, bool executable, bool owned)
            => Map(virtualAddress, physical, writable, executable, owned, 0);

        /// <summary>Maps one page of device memory (never owned, never executable) uncached: PCD and PWT select
        /// PAT entry 3, which is UC at reset and which the kernel leaves alone.</summary>
        public bool MapDevice(ulong virtualAddress, ulong physical, bool writable)
            => Map(virtualAddress, physical, writable, executable: false, owned: false, KernelPageTables.CacheDisable | KernelPageTables.WriteThrough);

        private bool Map(ulong virtualAddress, ulong physical, bool writable, bool executable, bool owned, ulong cacheFlags)
        {
            _lock.Enter();
            bool mapped = SetEmptyLeaf(virtualAddress, PageEntry(physical, writable, executable, owned) | cacheFlags);
            _lock.Exit();
            return mapped;
        }

        /// <summary>
        /// Maps 'count' frames (not owned: a memory object's) at consecutive pages from 'virtualAddress', under
        /// one hold of the lock; false, with nothing left mapped, if any page fails.
        /// </summary>
        public bool MapShared(ulong virtualAddress, ulong* frames, int count, bool writable)
        {
            int mapped = 0;
            _lock.Enter();
            while (mapped < count && SetEmptyLeaf(virtualAddress + ((ulong)mapped << 12), PageEntry(frames[mapped], writable, false, false)))
                mapped++;
            _lock.Exit();
            if (mapped == count)
                return true;
            for (int undo = 0; undo < mapped; undo++)
                Unmap(virtualAddress + ((ulong)undo << 12));
            return false;
        }

        /// <summary>
        /// Reserves one user page for demand paging: nothing is allocated but the page tables down to it; the
        /// first touch maps a zeroed frame (FaultIn) with the reservation's permissions. Same refusals as Map.
        /// A non-executable reservation keeps the no-execute bit in its (non-present) entry.
        /// </summary>
        public bool Reserve(ulong virtualAddress, bool writable, bool executable = false, bool shared = false)
        {
            _lock.Enter();
            bool reserved = SetEmptyLeaf(virtualAddress, Reserved | (writable ? Writable : 0) | (executable ? 0 : KernelPageTables.NoExecute)
                | (shared ? SharedMapping : 0));
            _lock.Exit();
            return reserved;
        }

        /// <summary>
        /// Reserves 'pages' consecutive user pages from 'virtualAddress' as <see cref="Reserve"/> does one, under one
        /// hold of the lock, filling each page table in one pass (an 8 MiB stack is 2,048 reservations: one walk
        /// from the root per 512 of them instead of one each). Returns how many were reserved from the start; fewer
        /// than 'pages' where one was already in use or a page table could not be allocated (the caller undoes).
        /// Not 'readable' (PROT_NONE): every access faults until Protect opens the page (a runtime's reserved heap: a
        /// large one stays one deferred range, however many gigabytes).
        /// </summary>
        public ulong ReserveRange(ulong virtualAddress, ulong pages, bool writable, bool executable = false, bool shared = false, bool readable = true)
        {
            if ((virtualAddress & 0xFFF) != 0 || pages == 0 || pages > (1UL << 36)
                || !UserMemory.IsUserRange(virtualAddress, pages << 12))
                return 0;
            ulong value = Reserved | (writable ? Writable : 0) | (executable ? 0 : KernelPageTables.NoExecute) | (shared ? SharedMapping : 0)
                | (readable ? 0 : NoAccess);
            ulong done = 0, rangeEnd = virtualAddress + (pages << 12);
            _lock.Enter();
            if (_deferred.Overlaps(virtualAddress, rangeEnd))
            {
                _lock.Exit();
                return 0;   // its first page (or a later one) is in use
            }
            // A shared reservation stays entries: fork gives each of its untouched pages a frame (CloneEntry).
            if (!shared && pages >= DeferredReservations.MinimumPages && !_deferred.IsFull && NoEntriesIn(virtualAddress, rangeEnd))
            {
                _deferred.Add(virtualAddress, rangeEnd, value);
                _lock.Exit();
                return pages;
            }
            while (done < pages)
            {
                ulong address = virtualAddress + (done << 12);
                ulong* table = LeafTable(address, out bool fresh);
                if (table == null)
                    break;
                int index = KernelPageTables.PageIndex(address, 0);
                ulong inTable = (ulong)(512 - index);
                ulong end = pages - done < inTable ? pages - done : inTable;
                ulong filled = 0;
                if (fresh && index == 0 && end == 512)
                {
                    BlockMemory.Fill(table, 512, value);   // a whole new table: nothing in it to refuse
                    filled = 512;
                }
                while (filled < end && table[index + (int)filled] == 0)
                {
                    table[index + (int)filled] = value;
                    filled++;
                }
                done += filled;
                if (filled < end)
                    break;   // a page already in use
            }
            _lock.Exit();
            return done;
        }

        // With the lock held: the leaf page table covering 'virtualAddress' (a user address), page tables added on
        // the way down; null when one could not be allocated.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]   // SetEmptyLeaf: every Map
        private ulong* LeafTable(ulong virtualAddress, out bool fresh)
        {
            fresh = false;
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int level = 3; level > 0; level--)
            {
                ref ulong entry = ref table[KernelPageTables.PageIndex(virtualAddress, level)];
                if ((entry & Present) == 0)
                {
                    ulong newTable = PhysicalMemory.AllocateFrame();
                    if (newTable == 0)
                        return null;
                    entry = newTable | Present | Writable | User;
                    _tables.Add(newTable, virtualAddress & ~((1UL << (12 + 9 * level)) - 1), level);
                    fresh = level == 1;   // the leaf table itself is new (zeroed)
                }
                else if (level == 1)
                {
                    entry &= ~NoFramesBelow;   // the caller may write a frame into it
                }
                table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
            }
            return table;
        }

        // Lock held: whether no page of [start, end) (user addresses) has an entry; absent page tables are skipped whole.
        private bool NoEntriesIn(ulong start, ulong end) => FirstEntryIn(start, end, ulong.MaxValue, frames: false) == end;

        /// <summary>
        /// The first page at or after 'start' (page-aligned) and before 'end' that holds a frame (present, or made
        /// inaccessible after it had one), or 'end': what needs undoing in a range most of which was never touched
        /// (madvise's MADV_DONTNEED over a thread's stack and its guard page); absent page tables are skipped whole.
        /// </summary>
        public ulong NextBacked(ulong start, ulong end)
        {
            if (!UserMemory.IsUserRange(start, end > start ? end - start : 0x1000))
                return end;
            _lock.Enter();
            ulong found;
            while ((found = FirstEntryIn(start, end, Present | NoAccess, frames: true)) != end)
            {
                ulong entry = *Leaf(found);
                if ((entry & Present) != 0 || (entry & Reserved) == 0)
                    break;   // mapped, or inaccessible with its frame kept
                start = found + 0x1000;   // an inaccessible reservation (a guard page): nothing to give back
            }
            _lock.Exit();
            return found;
        }

        // Lock held: the first page of [start, end) (user addresses) whose entry has a bit of 'mask', or 'end'; absent
        // page tables are skipped whole. 'frames' (the mask finds frame-holding entries): leaf tables marked
        // NoFramesBelow are skipped too, and a leaf table found to have none is marked.
        private ulong FirstEntryIn(ulong start, ulong end, ulong mask, bool frames)
        {
            ulong address = start;
            while (address < end)
            {
                ulong* table = (ulong*)PhysicalMemory.ToVirtual(Root);
                ulong* leafTableEntry = null;
                int level = 3;
                for (; level > 0; level--)
                {
                    ulong* at = table + KernelPageTables.PageIndex(address, level);
                    ulong entry = *at;
                    if ((entry & Present) == 0 || (frames && level == 1 && (entry & NoFramesBelow) != 0))
                        break;
                    leafTableEntry = at;
                    table = (ulong*)PhysicalMemory.ToVirtual(entry & AddressMask);
                }
                // What the entry that ended the walk covers: a missing table's whole reach, or the leaf table's 2 MiB.
                ulong span = 1UL << (12 + 9 * (level > 0 ? level : 1));
                ulong next = (address & ~(span - 1)) + span;
                if (level == 0)
                {
                    ulong stop = next < end ? next : end;
                    ulong* first = table + KernelPageTables.PageIndex(address, 0), entry = first, last = entry + ((stop - address) >> 12);
                    // 16 at a time in two chains (a thread's stack is 2,048 reserved entries, nearly none of them mapped).
                    for (; entry + 16 <= last; entry += 16)
                    {
                        ulong low = entry[0] | entry[1] | entry[2] | entry[3] | entry[4] | entry[5] | entry[6] | entry[7];
                        ulong high = entry[8] | entry[9] | entry[10] | entry[11] | entry[12] | entry[13] | entry[14] | entry[15];
                        if (((low | high) & mask) != 0)
                            break;
                    }
                    for (; entry < last; entry++)
                        if ((*entry & mask) != 0)
                            return address + ((ulong)(entry - first) << 12);
                    if (frames && first == table && last == table + 512)
                        *leafTableEntry |= NoFramesBelow;   // the whole table looked at: nothing in it holds a frame
                }
                if (next <= address)
                    break;   // the top of the address range
                address = next;
            }
            return end;
        }

        // Lock held: takes 'page' out of the deferred range holding it, if any ('deferred' says whether one did), its entry
        // written from the range first when 'writeEntry' and it has none. False when a page table could not be had:
        // nothing that anyone could see has changed then (an entry written holds what the range said).
        private bool TakeDeferred(ulong page, bool writeEntry, out bool deferred)
        {
            deferred = false;
            int index = _deferred.Find(page);
            if (index < 0)
                return true;
            if (writeEntry)
            {
                ulong* table = LeafTable(page, out _);
                if (table == null)
                    return false;
                ref ulong leaf = ref table[KernelPageTables.PageIndex(page, 0)];
                if (leaf == 0)
                    leaf = _deferred.ValueOf(index);
            }
            if (!_deferred.Carve(index, page) && !Materialize(index))
                return false;
            deferred = true;
            return true;
        }

        // Lock held: range 'index' becomes entries (touched pages keep theirs), as an eager reservation would have made
        // it, and is forgotten (a split found no free slot). False when a page table could not be had: the range stays,
        // and the entries written meanwhile say what it says.
        private bool Materialize(int index)
        {
            ulong value = _deferred.ValueOf(index), end = _deferred.EndOf(index);
            for (ulong page = _deferred.StartOf(index); page < end;)
            {
                ulong* table = LeafTable(page, out _);
                if (table == null)
                    return false;
                ulong tableEnd = (page | 0x1FFFFFUL) + 1;
                ulong stop = end < tableEnd ? end : tableEnd;
                for (ulong* entry = table + KernelPageTables.PageIndex(page, 0), last = entry + ((stop - page) >> 12); entry < last; entry++)
                    if (*entry == 0)
                        *entry = value;
                page = stop;
            }
            _deferred.Remove(index);
            return true;
        }

        /// <summary>
        /// Changes the permissions of one user page, mapped or reserved (mprotect). Not readable means no access at
        /// all (PROT_NONE): a mapped page keeps its frame in a non-present entry marked NoAccess, a reservation
        /// is marked the same, and a touch faults until access is given back. False if nothing is there. The old
        /// translation is dropped everywhere.
        /// </summary>
        public bool Protect(ulong virtualAddress, bool writable, bool executable, bool readable = true)
        {
            _lock.Enter();
            if (_deferred.Count != 0 && !TakeDeferred(virtualAddress & ~0xFFFUL, writeEntry: true, out _))
            {
                _lock.Exit();
                return false;
            }
            ulong* leaf = Leaf(virtualAddress);
            ulong entry = leaf == null ? 0 : *leaf;
            if (entry == 0)
            {
                _lock.Exit();
                return false;
            }
            bool hasFrame = (entry & Present) != 0 || (entry & (NoAccess | Reserved)) == NoAccess;
            ulong updated = entry & ~(Writable | KernelPageTables.NoExecute | Present | NoAccess | CopyOnWrite);
            // A copy-on-write page stays read-only in hardware while writable in intent: the write fault copies it.
            bool copyOnWrite = (entry & CopyOnWrite) != 0;
            // A private page whose frame another holds too (a fork's, a file's) must not become writable in place:
            // the first write copies it.
            if (hasFrame && writable && (entry & (Owned | SharedMapping)) == Owned && PhysicalMemory.IsShared(entry & AddressMask))
                copyOnWrite = true;
            if ((entry & ImageFrame) != 0 && writable)
            {
                // The image's frame, made writable: this space's own copy-on-write page from now on, one more sharer of it.
                PhysicalMemory.ShareFrame(entry & AddressMask);
                updated = (updated & ~ImageFrame) | Owned;
                copyOnWrite = true;
            }
            updated |= (writable ? (copyOnWrite ? CopyOnWrite : Writable) : 0)
                | (executable || !KernelPageTables.NoExecuteEnabled ? 0 : KernelPageTables.NoExecute);
            if (!readable)
                updated |= NoAccess;
            else if (hasFrame)
                updated |= Present;
            *leaf = updated;
            if ((entry & Present) != 0 && (updated & Present) == 0)
                _mappedPages--;
            else if ((entry & Present) == 0 && (updated & Present) != 0)
                CountMappedPage();
            _lock.Exit();
            if ((entry & Present) != 0)
                InvalidateEverywhere(virtualAddress & ~0xFFFUL);
            return true;
        }

        /// <summary>
        /// Moves what one user page holds (a frame, a reservation) to another page that holds nothing (mremap):
        /// no copy, the same frame. True if there was nothing to move or it moved; false if the target is in use
        /// or a page table could not be had.
        /// </summary>
        public bool MovePage(ulong from, ulong to)
        {
            _lock.Enter();
            if (_deferred.Count != 0 && !TakeDeferred(from & ~0xFFFUL, writeEntry: true, out _))
            {
                _lock.Exit();
                return false;
            }
            ulong* source = Leaf(from);
            ulong entry = source == null ? 0 : *source;
            if (entry == 0)
            {
                _lock.Exit();
                return true;
            }
            if (!SetEmptyLeaf(to, entry))
            {
                _lock.Exit();
                return false;
            }
            *Leaf(from) = 0;   // page tables never move: the source's leaf is where it was
            _lock.Exit();
            if ((entry & Present) != 0)
                InvalidateEverywhere(from & ~0xFFFUL);
            return true;
        }

        /// <summary>Whether a user page is mapped or reserved here (placing a mapping must not overlap one).</summary>
        public bool IsInUse(ulong virtualAddress)
        {
            _lock.Enter();
            ulong* leaf = Leaf(virtualAddress);
            bool used = (leaf != null && *leaf != 0) || (_deferred.Count != 0 && _deferred.Find(virtualAddress) >= 0);
            _lock.Exit();
            return used;
        }

        private static ulong PageEntry(ulong physical, bool writable, bool executable, bool owned)
            => (physical & AddressMask) | Present | User | (writable ? Writable : 0)
                | (executable || !KernelPageTables.NoExecuteEnabled ? 0 : KernelPageTables.NoExecute) | (owned ? Owned : 0);

        // With the lock held: writes 'value' into the leaf entry of 'virtualAddress' if that entry is empty
        // (neither mapped nor reserved), adding page tables on the way down.
        private bool SetEmptyLeaf(ulong virtualAddress, ulong value)
        {
            if ((virtualAddress & 0xFFF) != 0 || !UserMemory.IsUserRange(virtualAddress, 0x1000)
                || (_deferred.Count != 0 && _deferred.Find(virtualAddress) >= 0))
                return false;
            ulong* table = LeafTable(virtualAddress, out _);
            if (table == null)
                return false;
            ref ulong leaf = ref table[KernelPageTables.PageIndex(virtualAddress, 0)];
            if (leaf != 0)
                return false;
            leaf = value;
            if ((value & Present) != 0)
                CountMappedPage();
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

        /// <summary>
        /// Maps a fresh zeroed read-only frame at 'virtualAddress' held by this space's program image (ImageFrames: not
        /// counted per mapping, shared with every fork as it is); its physical address for the loader to fill, or 0 on
        /// failure. Only while the space is being loaded, before any thread runs in it.
        /// </summary>
        public ulong MapImagePage(ulong virtualAddress, bool executable) => MapImageFrame(virtualAddress, executable, 0);

        /// <summary>
        /// As MapImagePage, with 'fileFrame' (not 0: a file system's frame the caller holds a share of, which the image's
        /// set takes over, given back if the page cannot be mapped) instead of a new zeroed frame: a program's read-only
        /// page mapped straight from its file, held once for the image and every fork of it like the loader's own.
        /// </summary>
        public ulong MapImageFrame(ulong virtualAddress, bool executable, ulong fileFrame)
        {
            if (_image == null && (_image = new ImageFrames()) == null)
            {
                if (fileFrame != 0)
                    PhysicalMemory.ReleaseFrame(fileFrame);
                return 0;
            }
            ulong frame = fileFrame != 0 ? fileFrame : PhysicalMemory.AllocateFrame();
            if (frame == 0)
                return 0;
            _lock.Enter();
            bool mapped = SetEmptyLeaf(virtualAddress, PageEntry(frame, writable: false, executable, owned: false) | ImageFrame);
            _lock.Exit();
            if (!mapped || !_image.Add(frame))
            {
                if (mapped)
                    Unmap(virtualAddress);
                PhysicalMemory.ReleaseFrame(frame);   // a new frame (no sharer): freed; a file's: the share given back
                return 0;
            }
            return frame;
        }

        /// <summary>
        /// Maps a file's frame (one the caller holds a share of, PhysicalMemory.ShareFrame, which this space lets go with
        /// the page) at an empty page. 'shared': every mapper writes the one frame (MAP_SHARED; fork shares it too);
        /// otherwise the page is private (MAP_PRIVATE): read-only in hardware, and if 'writable' the first write copies it.
        /// False if the page is in use or outside the user range, or a page table could not be had.
        /// </summary>
        public bool MapFileFrame(ulong virtualAddress, ulong frame, bool writable, bool executable, bool shared)
        {
            ulong entry = PageEntry(frame, writable && shared, executable, owned: true)
                | (shared ? SharedMapping : writable ? CopyOnWrite : 0);
            _lock.Enter();
            bool mapped = SetEmptyLeaf(virtualAddress, entry);
            _lock.Exit();
            return mapped;
        }

        /// <summary>
        /// MapFileFrame of 'count' frames at consecutive empty pages from 'virtualAddress', under one hold of the lock and
        /// one walk from the root per page table (a shared library's pages: thousands per program). Not 'readable'
        /// (PROT_NONE): each page keeps its frame in an inaccessible entry, as Protect makes it. Returns how many were
        /// mapped from the start; fewer where a page was in use or a page table could not be had (the caller undoes,
        /// and gives back the shares of the frames not mapped).
        /// </summary>
        public ulong MapFileFrames(ulong virtualAddress, ulong* frames, ulong count, bool writable, bool executable, bool shared, bool readable)
        {
            if ((virtualAddress & 0xFFF) != 0 || count == 0 || count > (1UL << 36) || !UserMemory.IsUserRange(virtualAddress, count << 12))
                return 0;
            ulong flags = readable
                ? (PageEntry(0, writable && shared, executable, owned: true) | (shared ? SharedMapping : writable ? CopyOnWrite : 0))
                : User | Owned | (shared ? SharedMapping : 0) | (KernelPageTables.NoExecuteEnabled ? KernelPageTables.NoExecute : 0) | NoAccess;
            return SetEmptyLeaves(virtualAddress, frames, count, flags, counted: readable);
        }

        /// <summary>
        /// MapImageFrame of 'count' file frames (each a share the caller holds, which the image's set takes over) at
        /// consecutive empty pages from 'virtualAddress', read-only, under one hold of the lock and one walk per page table.
        /// Returns how many were mapped from the start; fewer where a page was in use or memory ran out (the caller gives
        /// back the shares of the frames not mapped, and maps the rest one at a time).
        /// </summary>
        public ulong MapImageFrames(ulong virtualAddress, ulong* frames, ulong count, bool executable)
        {
            if ((virtualAddress & 0xFFF) != 0 || count == 0 || count > (1UL << 36) || !UserMemory.IsUserRange(virtualAddress, count << 12)
                || (_image == null && (_image = new ImageFrames()) == null))
                return 0;
            ulong done = SetEmptyLeaves(virtualAddress, frames, count, PageEntry(0, writable: false, executable, owned: false) | ImageFrame, counted: true);
            for (ulong i = 0; i < done; i++)
            {
                if (!_image.Add(frames[i]))
                {
                    UnmapRange(virtualAddress + (i << 12), virtualAddress + (done << 12));   // image entries: no share given back
                    return i;
                }
            }
            return done;
        }

        // Writes frames[i] | 'flags' into the empty leaf entries of 'count' pages from 'virtualAddress' (checked user
        // addresses), table by table under the lock; 'counted': they are present (mapped pages). How many from the start.
        private ulong SetEmptyLeaves(ulong virtualAddress, ulong* frames, ulong count, ulong flags, bool counted)
        {
            ulong done = 0;
            _lock.Enter();
            if (_deferred.Count != 0 && _deferred.Overlaps(virtualAddress, virtualAddress + (count << 12)))
            {
                _lock.Exit();
                return 0;
            }
            while (done < count)
            {
                ulong address = virtualAddress + (done << 12);
                ulong* table = LeafTable(address, out _);
                if (table == null)
                    break;
                int index = KernelPageTables.PageIndex(address, 0);
                ulong inTable = (ulong)(512 - index);
                ulong end = count - done < inTable ? count - done : inTable;
                ulong filled = 0;
                for (; filled < end && table[index + (int)filled] == 0; filled++)
                    table[index + (int)filled] = (frames[done + filled] & AddressMask) | flags;
                if (counted)
                {
                    _mappedPages += filled;
                    if (_mappedPages > _peakMappedPages)
                        _peakMappedPages = _mappedPages;
                }
                done += filled;
                if (filled < end)
                    break;   // a page already in use
            }
            _lock.Exit();
            return done;
        }

        /// <summary>Removes a mapping (and frees the frame if this space owns it); false if nothing was mapped.</summary>
        public bool Unmap(ulong virtualAddress) => Unmap(virtualAddress, out _);

        /// <summary>
        /// As above; 'owned' says whether the page was this space's own anonymous memory (a frame it allocated,
        /// now freed, or a reservation never touched), as opposed to a shared memory object's frame.
        /// </summary>
        public bool Unmap(ulong virtualAddress, out bool owned)
        {
            owned = false;
            _lock.Enter();
            bool deferred = false;
            bool taken = _deferred.Count == 0 || TakeDeferred(virtualAddress & ~0xFFFUL, writeEntry: false, out deferred);
            ulong* leaf = Leaf(virtualAddress);
            ulong entry = leaf == null ? 0 : *leaf;
            if (entry == 0 || !taken)
            {
                _lock.Exit();
                owned = deferred;   // an untouched page of a deferred range: a reservation, now gone
                return deferred;
            }
            *leaf = 0;
            if ((entry & Present) != 0)
                _mappedPages--;
            _lock.Exit();
            owned = (entry & (Owned | Reserved)) != 0;
            if ((entry & Present) == 0)
            {
                if ((entry & (NoAccess | Reserved | Owned)) == (NoAccess | Owned))
                    PhysicalMemory.ReleaseFrame(entry & AddressMask);   // a page made inaccessible keeps its frame until now
                return true;   // never cached as a translation while not present
            }
            InvalidateEverywhere(virtualAddress & ~0xFFFUL);
            if ((entry & Owned) != 0)
                PhysicalMemory.ReleaseFrame(entry & AddressMask);
            return true;
        }

        /// <summary>
        /// Removes every mapping of [start, end) (page-aligned), as <see cref="Unmap(ulong)"/> of each page would: the
        /// deferred reservations in it go as ranges, and only pages with an entry are visited (absent page tables are
        /// skipped whole), so unmapping a thread's 8 MiB stack or an arena's 64 MiB reservation costs what was touched.
        /// </summary>
        public void UnmapRange(ulong start, ulong end)
        {
            if (end <= start || !UserMemory.IsUserRange(start, end - start))
                return;
            _lock.Enter();
            int index;
            while ((index = _deferred.FirstOverlapping(start, end)) >= 0)
                if (!_deferred.Carve(index, start, end) && !Materialize(index))
                    break;   // no page table for its entries: the pages below are taken one at a time, as Unmap does
            bool deferredLeft = index >= 0;
            _lock.Exit();
            if (deferredLeft)
            {
                for (ulong page = start; page < end; page += 0x1000)
                    Unmap(page);
                return;
            }
            // Table by table under the lock, at most UnmapBatch pages at a time: their translations are dropped and their
            // frames given back after it is released, as Unmap does for one.
            ulong* invalidated = stackalloc ulong[UnmapBatch];
            ulong* released = stackalloc ulong[UnmapBatch];
            for (ulong page = start; page < end;)
            {
                int invalidatedCount = 0, releasedCount = 0;
                _lock.Enter();
                while (invalidatedCount < UnmapBatch && releasedCount < UnmapBatch
                    && (page = FirstEntryIn(page, end, ulong.MaxValue, frames: false)) < end)
                {
                    ulong tableEnd = (page | 0x1FFFFFUL) + 1, stop = end < tableEnd ? end : tableEnd;
                    for (ulong* leaf = Leaf(page); page < stop && invalidatedCount < UnmapBatch && releasedCount < UnmapBatch; page += 0x1000, leaf++)
                    {
                        ulong entry = *leaf;
                        if (entry == 0)
                            continue;
                        *leaf = 0;
                        if ((entry & Present) != 0)
                        {
                            _mappedPages--;
                            invalidated[invalidatedCount++] = page;
                            if ((entry & Owned) != 0)
                                released[releasedCount++] = entry & AddressMask;
                        }
                        else if ((entry & (NoAccess | Reserved | Owned)) == (NoAccess | Owned))
                        {
                            released[releasedCount++] = entry & AddressMask;   // a page made inaccessible keeps its frame until now
                        }
                    }
                }
                _lock.Exit();
                if (invalidatedCount != 0)
                {
                    if ((Cpu.ReadCr3() & AddressMask) == Root)
                        for (int i = 0; i < invalidatedCount; i++)
                            Cpu.InvalidatePage(invalidated[i]);
                    if (invalidatedCount == 1)
                        Smp.Processors.ShootDown(invalidated[0], Root);
                    else
                        Smp.Processors.ShootDownAll(Root);
                }
                for (int i = 0; i < releasedCount; i++)
                    PhysicalMemory.ReleaseFrame(released[i]);
                if (page >= end)
                    break;
            }
        }

        /// <summary>UnmapRange's pages cleared per hold of the lock (their frames are held on the kernel stack meanwhile).</summary>
        private const int UnmapBatch = 64;

        // Drops the translation of 'page' on this processor (if this space is loaded) and on every other one.
        private void InvalidateEverywhere(ulong page)
        {
            if ((Cpu.ReadCr3() & AddressMask) == Root)
                Cpu.InvalidatePage(page);
            Smp.Processors.ShootDown(page, Root);
        }

        /// <summary>What FaultIn did with a page fault.</summary>
        public enum FaultOutcome : byte { NotReserved, Mapped, OutOfMemory, Copied }

        /// <summary>
        /// Demand paging: a fault at 'address' with page-fault error code 'errorCode' in this (loaded) space.
        /// Mapped: a zeroed frame now backs a reserved page the access was allowed on (or another processor
        /// already did it); the faulting instruction may run again. NotReserved: a real fault (not reserved,
        /// a protection violation, a write to a read-only reservation, an instruction fetch). OutOfMemory: no
        /// frame. Allocates no object; runs with interrupts masked (it is called from the fault handler).
        /// </summary>
        public FaultOutcome FaultIn(ulong address, ulong errorCode)
        {
            if ((errorCode & FaultReservedBit) != 0 || ((errorCode & FaultPresent) != 0 && (errorCode & FaultWrite) == 0))
                return FaultOutcome.NotReserved;
            _lock.Enter();
            ulong* leaf = Leaf(address, out ulong* leafTableEntry);
            ulong entry = leaf == null ? 0 : *leaf;
            int deferredIndex = entry == 0 && _deferred.Count != 0 ? _deferred.Find(address) : -1;
            if (deferredIndex >= 0)
                entry = _deferred.ValueOf(deferredIndex);   // untouched in a deferred range: its entry is written below
            FaultOutcome outcome = FaultOutcome.NotReserved;
            if ((entry & Present) != 0 && (errorCode & FaultWrite) != 0 && (entry & CopyOnWrite) != 0)
                outcome = BreakCopyOnWrite(leaf, entry);
            else if ((entry & Present) != 0 && ((errorCode & FaultWrite) == 0 || (entry & Writable) != 0))
                outcome = FaultOutcome.Mapped;   // mapped meanwhile: the access simply runs again
            else if ((entry & Present) != 0)
                outcome = FaultOutcome.NotReserved;   // a write to a read-only page
            else if ((entry & NoAccess) != 0)
                outcome = FaultOutcome.NotReserved;   // PROT_NONE: a real fault
            else if ((entry & Reserved) != 0 && ((errorCode & FaultWrite) == 0 || (entry & Writable) != 0)
                && ((errorCode & FaultFetch) == 0 || (entry & KernelPageTables.NoExecute) == 0))
            {
                if (leaf == null)
                {
                    ulong* table = LeafTable(address, out _);
                    leaf = table == null ? null : table + KernelPageTables.PageIndex(address, 0);
                }
                else
                {
                    *leafTableEntry &= ~NoFramesBelow;   // a frame goes into this table
                }
                ulong frame = leaf == null ? 0 : PhysicalMemory.AllocateFrame();   // zeroed
                if (frame == 0)
                    outcome = FaultOutcome.OutOfMemory;
                else
                {
                    *leaf = frame | Present | User | Owned | (entry & (Writable | SharedMapping))
                        | (KernelPageTables.NoExecuteEnabled ? entry & KernelPageTables.NoExecute : 0);
                    CountMappedPage();
                    outcome = FaultOutcome.Mapped;
                }
            }
            _lock.Exit();
            if (outcome == FaultOutcome.Copied)
            {
                // Another processor running this space may still cache the shared frame's translation.
                InvalidateEverywhere(address & ~0xFFFUL);
                outcome = FaultOutcome.Mapped;
            }
            return outcome;
        }

        // A write to a copy-on-write page (lock held): a private copy, unless this space is the frame's only user left.
        private FaultOutcome BreakCopyOnWrite(ulong* leaf, ulong entry)
        {
            ulong frame = entry & AddressMask;
            ulong flags = (entry & ~(AddressMask | CopyOnWrite)) | Writable;
            if (!PhysicalMemory.IsShared(frame))
            {
                *leaf = frame | flags;   // the other sharers are gone: it is ours to write
            }
            else
            {
                ulong copy = PhysicalMemory.AllocateFrameUninitialized();   // every byte is copied over
                if (copy == 0)
                    return FaultOutcome.OutOfMemory;
                BlockMemory.CopyPage((void*)PhysicalMemory.ToVirtual(copy), (void*)PhysicalMemory.ToVirtual(frame));
                *leaf = copy | flags | Owned;
                PhysicalMemory.ReleaseFrame(frame);
            }
            return FaultOutcome.Copied;
        }

        /// <summary>
        /// fork's copy of this space: the same mappings, every page this space owns shared with the child and made
        /// copy-on-write in both (the first write in either copies it), reservations copied as reservations,
        /// shared mappings (memory objects, devices) shared as they are. Null when memory runs out (nothing is
        /// left half-done). Every processor's cached translations of this space are dropped afterwards.
        /// </summary>
        public AddressSpace CloneForFork()
        {
            AddressSpace child = Create();
            if (child == null)
                return null;
            bool complete = true;
            _lock.Enter();
            child._deferred = _deferred;   // untouched ranges stay ranges in the copy
            if (_image != null)
            {
                _image.AddReference();   // its entries are copied as they are (CloneTable)
                child._image = _image;
            }
            // Table by table, the child's tables built beside the parent's (each linked into the child as soon as it
            // is allocated, so that Destroy frees a half-built copy): no walk from the root per entry.
            ulong* childPml4 = (ulong*)PhysicalMemory.ToVirtual(child.Root);
            if (!_tables.Overflowed)
            {
                // The tables this space has, in the order they were added: each one's parent table is copied before it.
                for (int i = 0; i < _tables.Count && complete; i++)
                {
                    ulong address = _tables.AddressOf(i);
                    int level = _tables.LevelOf(i);
                    ulong* childParent = childPml4;
                    for (int above = 3; above > level; above--)
                        childParent = (ulong*)PhysicalMemory.ToVirtual(childParent[KernelPageTables.PageIndex(address, above)] & AddressMask);
                    ulong* childTable = child.NewTable(ref childParent[KernelPageTables.PageIndex(address, level)], address, level);
                    if (childTable == null)
                        complete = false;
                    else if (level == 1)
                    {
                        complete = CloneTable((ulong*)PhysicalMemory.ToVirtual(_tables.PhysicalOf(i)), childTable, child);
                        ulong* directory = (ulong*)PhysicalMemory.ToVirtual(Root);
                        for (int above = 3; above > 1; above--)
                            directory = (ulong*)PhysicalMemory.ToVirtual(directory[KernelPageTables.PageIndex(address, above)] & AddressMask);
                        // An untouched shared page of this table may have got its frame (CloneEntry).
                        directory[KernelPageTables.PageIndex(address, 1)] &= ~NoFramesBelow;
                    }
                }
            }
            else
            {
                ulong* pml4 = (ulong*)PhysicalMemory.ToVirtual(Root);
                for (int i3 = NextPresent(pml4, 0, KernelPageTables.KernelHalfFirstEntry); i3 < KernelPageTables.KernelHalfFirstEntry && complete;
                    i3 = NextPresent(pml4, i3 + 1, KernelPageTables.KernelHalfFirstEntry))
                {
                    ulong pdptAddress = (ulong)i3 << 39;
                    ulong* childPdpt = child.NewTable(ref childPml4[i3], pdptAddress, 3);
                    if (childPdpt == null) { complete = false; break; }
                    ulong* pdpt = (ulong*)PhysicalMemory.ToVirtual(pml4[i3] & AddressMask);
                    for (int i2 = NextPresent(pdpt, 0, 512); i2 < 512 && complete; i2 = NextPresent(pdpt, i2 + 1, 512))
                    {
                        ulong directoryAddress = pdptAddress | ((ulong)i2 << 30);
                        ulong* childDirectory = child.NewTable(ref childPdpt[i2], directoryAddress, 2);
                        if (childDirectory == null) { complete = false; break; }
                        ulong* directory = (ulong*)PhysicalMemory.ToVirtual(pdpt[i2] & AddressMask);
                        for (int i1 = NextPresent(directory, 0, 512); i1 < 512 && complete; i1 = NextPresent(directory, i1 + 1, 512))
                        {
                            ulong* childTable = child.NewTable(ref childDirectory[i1], directoryAddress | ((ulong)i1 << 21), 1);
                            if (childTable == null) { complete = false; break; }
                            ulong* table = (ulong*)PhysicalMemory.ToVirtual(directory[i1] & AddressMask);
                            complete = CloneTable(table, childTable, child);
                            directory[i1] &= ~NoFramesBelow;   // an untouched shared page may have got its frame (CloneEntry)
                        }
                    }
                }
            }
            _lock.Exit();
            Cpu.WriteCr3(Cpu.ReadCr3());   // this processor's translations (it runs the parent)
            Smp.Processors.ShootDownAll(Root);   // the parent's other threads, where they run
            if (!complete)
            {
                child.Destroy();
                Exo.Runtime.ObjectAllocator.Free(child);
                return null;
            }
            if (child._mappedPages > child._peakMappedPages)
                child._peakMappedPages = child._mappedPages;
            return child;
        }

        // The index of the first entry of 'table' in [from, limit) with the present bit, or 'limit'. Page tables are
        // sparse (a process uses a few of each table's 512 entries): eight entries are tested per turn.
        private static int NextPresent(ulong* table, int from, int limit)
        {
            ulong* entry = table + from, end = table + limit;
            while (entry < end && ((ulong)entry & 63) != 0)
            {
                if ((*entry & Present) != 0)
                    return (int)(entry - table);
                entry++;
            }
            while (entry + 8 <= end
                && ((entry[0] | entry[1] | entry[2] | entry[3] | entry[4] | entry[5] | entry[6] | entry[7]) & Present) == 0)
                entry += 8;
            for (; entry < end; entry++)
                if ((*entry & Present) != 0)
                    return (int)(entry - table);
            return limit;
        }

        // fork, lock held: a new zeroed page table (at 'level', covering from 'address') linked into this (the child's)
        // 'entry'; null without memory.
        private ulong* NewTable(ref ulong entry, ulong address, int level)
        {
            ulong table = PhysicalMemory.AllocateFrame();
            if (table == 0)
                return null;
            entry = table | Present | Writable | User;
            _tables.Add(table, address, level);
            return (ulong*)PhysicalMemory.ToVirtual(table);
        }

        // fork, lock held: one leaf table's entries into the child's (empty) table. Reservations are copied as
        // they are; owned frames are shared and made copy-on-write; an untouched shared reservation gets its
        // frame first. False when a frame could not be allocated (the entries copied so far are the child's).
        private bool CloneTable(ulong* table, ulong* childTable, AddressSpace child)
        {
            const ulong NeedsWork = Present | SharedMapping | NoAccess | Owned;
            ulong mapped = 0;
            for (ulong* block = table, end = table + 512; block < end; block += 8)
            {
                // Eight empty entries (most of a table): nothing to copy, the child's table is zeroed.
                if ((block[0] | block[1] | block[2] | block[3] | block[4] | block[5] | block[6] | block[7]) == 0)
                    continue;
                for (ulong* group = block, to = childTable + (block - table); group < block + 8; group += 4, to += 4)
                {
                    if (((group[0] | group[1] | group[2] | group[3]) & NeedsWork) == 0)
                    {
                        // Four private reservations or empty entries: copied as they are.
                        to[0] = group[0];
                        to[1] = group[1];
                        to[2] = group[2];
                        to[3] = group[3];
                        continue;
                    }
                    if ((group[0] & group[1] & group[2] & group[3] & (Present | ImageFrame)) == (Present | ImageFrame))
                    {
                        // Four pages of the program's text: the image's frames, held by the ImageFrames both spaces reference.
                        to[0] = group[0];
                        to[1] = group[1];
                        to[2] = group[2];
                        to[3] = group[3];
                        mapped += 4;
                        continue;
                    }
                    for (int i = 0; i < 4; i++)
                    {
                        ulong entry = group[i];
                        if ((entry & (Present | Owned | SharedMapping)) == (Present | Owned))
                        {
                            // The common case inline (a program's own page, shared copy-on-write from here on): no call per page.
                            if ((entry & Writable) != 0)
                                group[i] = entry = (entry & ~Writable) | CopyOnWrite;
                            PhysicalMemory.ShareFrame(entry & AddressMask);
                            to[i] = entry;
                            mapped++;
                        }
                        else if ((entry & (Present | ImageFrame)) == (Present | ImageFrame))
                        {
                            to[i] = entry;   // the image's frame: held by the ImageFrames both spaces reference
                            mapped++;
                        }
                        else if (entry != 0 && !CloneEntry(group + i, to + i, child))
                        {
                            child._mappedPages += mapped;
                            return false;
                        }
                    }
                }
            }
            child._mappedPages += mapped;
            return true;
        }

        // fork, lock held: one non-empty entry of the parent's into the child's; false without a frame.
        private bool CloneEntry(ulong* parentEntry, ulong* childEntry, AddressSpace child)
        {
            ulong entry = *parentEntry;
            if ((entry & (SharedMapping | Present | Reserved)) == (SharedMapping | Reserved))
            {
                // A shared page nobody touched yet: it gets its frame now, so both copies see one page.
                ulong frame = PhysicalMemory.AllocateFrame();
                if (frame == 0)
                    return false;
                entry = frame | Present | User | Owned | (entry & (Writable | SharedMapping | NoAccess))
                    | (KernelPageTables.NoExecuteEnabled ? entry & KernelPageTables.NoExecute : 0);
                if ((entry & NoAccess) != 0)
                    entry &= ~Present;   // PROT_NONE keeps its frame in a non-present entry
                *parentEntry = entry;
                CountMappedPage();
            }
            bool hasFrame = (entry & Present) != 0 || (entry & (NoAccess | Reserved)) == NoAccess;
            if (hasFrame && (entry & Owned) != 0)
            {
                if ((entry & Writable) != 0 && (entry & SharedMapping) == 0)
                {
                    entry = (entry & ~Writable) | CopyOnWrite;
                    *parentEntry = entry;
                }
                PhysicalMemory.ShareFrame(entry & AddressMask);
            }
            *childEntry = entry;
            if ((entry & Present) != 0)
                child._mappedPages++;
            return true;
        }

        public bool TryTranslate(ulong virtualAddress, out ulong physical, out ulong entryFlags)
            => KernelPageTables.TryTranslate(Root, virtualAddress, out physical, out entryFlags);

        /// <summary>
        /// Copies 'count' bytes to 'address' in this space through the kernel's view of its frames (a space no
        /// thread runs in yet: a new program's start stack). A reserved writable page on the way gets its frame; false
        /// if a page is neither mapped nor that.
        /// </summary>
        public bool CopyInto(ulong address, byte* source, ulong count)
        {
            while (count > 0)
            {
                if (!TryTranslate(address, out ulong physical, out _)
                    && (FaultIn(address, FaultWrite) != FaultOutcome.Mapped || !TryTranslate(address, out physical, out _)))
                    return false;
                ulong inPage = 0x1000 - (address & 0xFFF);
                ulong chunk = count < inPage ? count : inPage;
                BlockMemory.Copy((byte*)PhysicalMemory.ToVirtual(physical), source, chunk);
                address += chunk;
                source += chunk;
                count -= chunk;
            }
            return true;
        }

        /// <summary>
        /// Writes into this space as its program's own store would (another process's, before it runs: fork's
        /// CLONE_CHILD_SETTID): a reserved page is mapped, a copy-on-write page copied first. False where the
        /// program could not write.
        /// </summary>
        public bool WriteAsProgram(ulong address, byte* source, ulong count)
        {
            while (count > 0)
            {
                bool present = TryTranslate(address, out ulong physical, out ulong flags);
                if (!present || (flags & Writable) == 0)
                {
                    if (FaultIn(address, FaultWrite | (present ? FaultPresent : 0)) != FaultOutcome.Mapped
                        || !TryTranslate(address, out physical, out flags) || (flags & Writable) == 0)
                        return false;
                }
                ulong inPage = 0x1000 - (address & 0xFFF);
                ulong chunk = count < inPage ? count : inPage;
                BlockMemory.Copy((byte*)PhysicalMemory.ToVirtual(physical), source, chunk);
                address += chunk;
                source += chunk;
                count -= chunk;
            }
            return true;
        }

        private ulong* Leaf(ulong virtualAddress) => Leaf(virtualAddress, out _);

        // The leaf entry of 'virtualAddress', and the entry of its leaf table (a level-1 entry), or null.
        private ulong* Leaf(ulong virtualAddress, out ulong* leafTableEntry)
        {
            leafTableEntry = null;
            if (!UserMemory.IsUserRange(virtualAddress & ~0xFFFUL, 0x1000))
                return null;
            ulong* table = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int level = 3; level > 0; level--)
            {
                ulong* at = table + KernelPageTables.PageIndex(virtualAddress, level);
                if ((*at & Present) == 0)
                    return null;
                leafTableEntry = at;
                table = (ulong*)PhysicalMemory.ToVirtual(*at & AddressMask);
            }
            return &table[KernelPageTables.PageIndex(virtualAddress, 0)];
        }

        /// <summary>
        /// Frees every owned frame and every user page table, then the PML4. Call once no processor runs
        /// with this space loaded (its threads have all switched away for the last time).
        /// </summary>
        public void Destroy()
        {
            if (!_tables.Overflowed)
            {
                for (int i = 0; i < _tables.Count; i++)
                {
                    if (_tables.LevelOf(i) == 1)
                        ReleaseFrames((ulong*)PhysicalMemory.ToVirtual(_tables.PhysicalOf(i)));
                    PhysicalMemory.FreeFrame(_tables.PhysicalOf(i));
                }
                Destroyed();
                return;
            }
            ulong* pml4 = (ulong*)PhysicalMemory.ToVirtual(Root);
            for (int i3 = NextPresent(pml4, 0, KernelPageTables.KernelHalfFirstEntry); i3 < KernelPageTables.KernelHalfFirstEntry;
                i3 = NextPresent(pml4, i3 + 1, KernelPageTables.KernelHalfFirstEntry))
            {
                ulong* pdpt = (ulong*)PhysicalMemory.ToVirtual(pml4[i3] & AddressMask);
                for (int i2 = NextPresent(pdpt, 0, 512); i2 < 512; i2 = NextPresent(pdpt, i2 + 1, 512))
                {
                    ulong* directory = (ulong*)PhysicalMemory.ToVirtual(pdpt[i2] & AddressMask);
                    for (int i1 = NextPresent(directory, 0, 512); i1 < 512; i1 = NextPresent(directory, i1 + 1, 512))
                    {
                        ReleaseFrames((ulong*)PhysicalMemory.ToVirtual(directory[i1] & AddressMask));
                        PhysicalMemory.FreeFrame(directory[i1] & AddressMask);
                    }
                    PhysicalMemory.FreeFrame(pdpt[i2] & AddressMask);
                }
                PhysicalMemory.FreeFrame(pml4[i3] & AddressMask);
            }
            Destroyed();
        }

        // Destroy's end: the root goes, and nothing is left to count.
        private void Destroyed()
        {
            PhysicalMemory.FreeFrame(Root);
            _image?.Release();
            _image = null;
            _mappedPages = 0;
            _deferred.Clear();
            _tables.Clear();
        }

        // Destroy: lets go of every frame of this space's that one leaf table maps.
        private static void ReleaseFrames(ulong* table)
        {
            for (ulong* block = table, end = table + 512; block < end; block += 8)
            {
                if (((block[0] | block[1] | block[2] | block[3] | block[4] | block[5] | block[6] | block[7]) & Owned) == 0)
                    continue;   // eight entries without a frame of this space's (empty, reservations, the image's frames)
                for (int i = 0; i < 8; i++)
                {
                    ulong entry = block[i];
                    if ((entry & Owned) != 0 && ((entry & Present) != 0 || (entry & (NoAccess | Reserved)) == NoAccess))
                        PhysicalMemory.ReleaseFrame(entry & AddressMask);
                }
            }
        }
    }
}
