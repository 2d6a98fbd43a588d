namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// Level 3 of the allocator: a buddy allocator of 4 KiB pages, orders 0 (4 KiB) to <see cref="MaximumOrder"/>
    /// (4 MiB), with coalescing. It manages a span of address space (the kernel's direct map of physical memory,
    /// or a test buffer on the host) of which only the ranges given to <see cref="AddFreeRange"/> are usable.
    /// Every block is aligned to its own size, which the slab level relies on. One state byte per page
    /// records whether the page starts a free block, an allocated block, or is inside one, and the block's
    /// order: freeing checks it, so a double free or a pointer that is not a block start is reported.
    /// </summary>
    public unsafe struct PageAllocator
    {
        public const int PageSize = 4096;
        public const int MaximumOrder = 10;
        private const byte StateUnusable = 0x00;      // not memory we manage (a hole), or inside a block
        private const byte StateFreeHead = 0x40;      // | order: first page of a free block
        private const byte StateAllocatedHead = 0x80; // | order: first page of an allocated block
        private const byte OrderMask = 0x0F;

        private struct FreeBlock
        {
            public FreeBlock* Next;
            public FreeBlock* Previous;
        }

        private struct FreeLists { public fixed ulong Heads[MaximumOrder + 1]; public fixed ulong Counts[MaximumOrder + 1]; }

        private byte* _spanStart;
        private ulong _spanPages;
        private byte* _states;          // _spanPages bytes
        private FreeLists _free;
        private ulong _freePages;
        private ulong _managedPages;

        public ulong FreePages => _freePages;
        public ulong ManagedPages => _managedPages;
        public ulong FreeBlocks(int order) => _free.Counts[order];
        public static ulong StateBytesFor(ulong spanPages) => spanPages;

        /// <summary>Manages [spanStart, spanStart + spanPages pages); 'states' holds one byte per page.</summary>
        public void Initialize(byte* spanStart, ulong spanPages, byte* states)
        {
            _spanStart = spanStart;
            _spanPages = spanPages;
            _states = states;
            for (ulong i = 0; i < spanPages; i++)
                states[i] = StateUnusable;
            for (int order = 0; order <= MaximumOrder; order++)
            {
                _free.Heads[order] = 0;
                _free.Counts[order] = 0;
            }
            _freePages = 0;
            _managedPages = 0;
        }

        /// <summary>Adds usable memory [start, end) (page-aligned, inside the span) in the largest aligned blocks.</summary>
        public void AddFreeRange(byte* start, byte* end)
        {
            ulong page = PageIndex(start);
            ulong last = PageIndex(end);
            while (page < last)
            {
                int order = MaximumOrder;
                while (order > 0 && ((page & ((1UL << order) - 1)) != 0 || page + (1UL << order) > last))
                    order--;
                _managedPages += 1UL << order;
                InsertFree(page, order);
                _freePages += 1UL << order;
                page += 1UL << order;
            }
        }

        /// <summary>A block of 2^order pages aligned to its size, or null when none is left.</summary>
        public void* Allocate(int order)
        {
            if ((uint)order > MaximumOrder)
                return null;
            int found = order;
            while (found <= MaximumOrder && _free.Heads[found] == 0)
                found++;
            if (found > MaximumOrder)
                return null;
            ulong page = PageIndex((void*)_free.Heads[found]);
            RemoveFree(page, found);
            // Split down to the order asked for; the upper halves go back on the free lists.
            while (found > order)
            {
                found--;
                InsertFree(page + (1UL << found), found);
            }
            _states[page] = (byte)(StateAllocatedHead | order);
            _freePages -= 1UL << order;
            return PageAddress(page);
        }

        /// <summary>
        /// Frees a block; returns null on success or what was wrong (the block is then left alone).
        /// 'order' must be the order it was allocated with, or -1 to take it from the page state.
        /// </summary>
        public string Free(void* block, int order)
        {
            if ((byte*)block < _spanStart || (byte*)block >= _spanStart + _spanPages * PageSize || ((ulong)block & (PageSize - 1)) != 0)
                return "freed an address the page allocator never handed out";
            ulong page = PageIndex(block);
            byte state = _states[page];
            if ((state & StateFreeHead) != 0)
                return "double free of a page block";
            if ((state & StateAllocatedHead) == 0)
                return "freed an address the page allocator never handed out";
            int allocatedOrder = state & OrderMask;
            if (order >= 0 && order != allocatedOrder)
                return "freed a page block with the wrong size";
            _freePages += 1UL << allocatedOrder;
            order = allocatedOrder;
            // Coalesce with the buddy while it is a free block of the same order.
            while (order < MaximumOrder)
            {
                ulong buddy = page ^ (1UL << order);
                if (buddy >= _spanPages || _states[buddy] != (byte)(StateFreeHead | order))
                    break;
                RemoveFree(buddy, order);
                if (buddy < page)
                    page = buddy;
                order++;
            }
            InsertFree(page, order);
            return null;
        }

        /// <summary>The order of the allocated block starting at 'block', or -1 if it is not one.</summary>
        public int AllocatedOrder(void* block)
        {
            if ((byte*)block < _spanStart || (byte*)block >= _spanStart + _spanPages * PageSize || ((ulong)block & (PageSize - 1)) != 0)
                return -1;
            byte state = _states[PageIndex(block)];
            return (state & StateAllocatedHead) != 0 ? state & OrderMask : -1;
        }

        public bool Contains(void* address) => (byte*)address >= _spanStart && (byte*)address < _spanStart + _spanPages * PageSize;

        private ulong PageIndex(void* address) => (ulong)((byte*)address - _spanStart) / PageSize;
        private byte* PageAddress(ulong page) => _spanStart + page * PageSize;

        private void InsertFree(ulong page, int order)
        {
            FreeBlock* block = (FreeBlock*)PageAddress(page);
            FreeBlock* head = (FreeBlock*)_free.Heads[order];
            block->Next = head;
            block->Previous = null;
            if (head != null)
                head->Previous = block;
            _free.Heads[order] = (ulong)block;
            _free.Counts[order]++;
            _states[page] = (byte)(StateFreeHead | order);
        }

        private void RemoveFree(ulong page, int order)
        {
            FreeBlock* block = (FreeBlock*)PageAddress(page);
            if (block->Previous != null)
                block->Previous->Next = block->Next;
            else
                _free.Heads[order] = (ulong)block->Next;
            if (block->Next != null)
                block->Next->Previous = block->Previous;
            _free.Counts[order]--;
            _states[page] = StateUnusable;
        }
    }
}
