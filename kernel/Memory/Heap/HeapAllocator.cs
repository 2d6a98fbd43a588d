using Exo.Kernel.Sync;
using System.Runtime.CompilerServices;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The three-level allocator.
    /// Level 1: per CPU (later per thread), per size class, a magazine of free objects. Allocation is a
    ///   bounds check and a pop; free is a cheap check and a push. No lock, no atomic, no call.
    /// Level 2: per size class, slabs (level-3 blocks aligned to their size) on partial / full / empty lists.
    ///   Refill and flush move batches between level 1 and level 2 under the class's lock.
    /// Level 3: <see cref="PageAllocator"/>, buddy pages; slabs and large objects come from it, and empty
    ///   slabs beyond a small reserve go back to it.
    ///
    /// Safety. A free object's first word holds <see cref="FreeTag"/> XOR its address: freeing an object that
    /// already carries it is a double free. A page-owner byte per page says which size class (or large block)
    /// owns it: a pointer into a page no class owns, or of another class than the caller says, is reported.
    /// Level 2 checks that every object it takes back is exactly at an object boundary; a Debug build also
    /// checks that on the fast path and scans the magazine for duplicates. Failures go to the report hook
    /// (the kernel panics with the address and a backtrace that names the caller); nothing is corrupted.
    ///
    /// Exhaustion returns null; callers handle it.
    /// </summary>
    public unsafe struct HeapAllocator
    {
        public const ulong FreeTag = 0xF4EE0B1EC7F4EE0D;
        public const int CacheCapacity = 32;
        public const int TransferBatch = 16;
        public const int EmptySlabReserve = 1;
        private const byte OwnerNone = 0;
        private const byte OwnerLarge = 0xFF;

        /// <summary>Level 1: one per CPU. Counts and object pointers per class.</summary>
        public struct CpuCache
        {
            public fixed long Counts[SizeClasses.Count];   // 64-bit: indexing needs no sign extension
            public fixed ulong Objects[SizeClasses.Count * CacheCapacity];
            public ulong Refills, Flushes;
        }

        private struct SlabClass
        {
            public AllocatorLock Lock;
            public SlabHeader* Partial, Full, Empty;
            public ulong PartialCount, FullCount, EmptyCount;
            public ulong InUse;          // sum of the slabs' InUse: objects out of level 2
            public ulong SlabMask;       // ~(slab bytes - 1)
            public int SlabOrder;
            public int Capacity;
            public int ObjectSize;
        }

        private const int ListPartial = 1, ListFull = 2, ListEmpty = 3;

        private PageAllocator _pages;
        private AllocatorLock _pagesLock;         // level 3 and the owner bytes; taken after a class lock, never before
        private fixed byte _classStorage[SizeClasses.Count * 128];
        private byte* _owners;                // one byte per page of the span
        private byte* _spanStart;
        private ulong _spanPages;
        private ulong _spanBytes;
        private ulong _largePages;
        private ulong _largeBlocks;
        private ulong _failedAllocations;
        private delegate*<string, ulong, void> _report;

        public ulong FailedAllocations => _failedAllocations;
        public ulong LargePages => _largePages;
        public ulong LargeBlocks => _largeBlocks;
        public ulong FreePageCount => _pages.FreePages;
        public ulong ManagedPages => _pages.ManagedPages;
        public ulong FreeBlocks(int order) => _pages.FreeBlocks(order);

        private SlabClass* Class(int sizeClass) => (SlabClass*)Unsafe.AsPointer(ref _classStorage[sizeClass * 128]);

        /// <summary>Bytes of bookkeeping (page states and owners) to pass to <see cref="Initialize"/>.</summary>
        public static ulong MetadataBytesFor(ulong spanPages) => 2 * spanPages;

        public void Initialize(byte* spanStart, ulong spanPages, byte* metadata, delegate*<string, ulong, void> report)
        {
            if (sizeof(SlabClass) > 128)
                report("allocator size-class record outgrew its storage", 0);
            _spanStart = spanStart;
            _spanPages = spanPages;
            _spanBytes = spanPages * PageAllocator.PageSize;
            _report = report;
            _pages.Initialize(spanStart, spanPages, metadata);
            _owners = metadata + spanPages;
            for (ulong i = 0; i < spanPages; i++)
                _owners[i] = OwnerNone;
            for (int sizeClass = 0; sizeClass < SizeClasses.Count; sizeClass++)
            {
                SlabClass* slabClass = Class(sizeClass);
                *slabClass = default;
                slabClass->SlabOrder = SizeClasses.SlabOrder(sizeClass);
                slabClass->ObjectSize = SizeClasses.Size(sizeClass);
                slabClass->Capacity = ((PageAllocator.PageSize << slabClass->SlabOrder) - SlabHeader.Size) / slabClass->ObjectSize;
                slabClass->SlabMask = ~((ulong)(PageAllocator.PageSize << slabClass->SlabOrder) - 1);
                slabClass->Lock.Rank = LockRank.AllocatorClass;
            }
            _pagesLock.Rank = LockRank.AllocatorPages;
        }

        public void AddFreeRange(byte* start, byte* end) => _pages.AddFreeRange(start, end);

        // ------------------------------------------------------------------ level 1: the fast paths

        /// <summary>An object of 'sizeClass' (not zeroed), or null when memory is exhausted.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void* Allocate(CpuCache* cache, int sizeClass)
        {
            long* count = &cache->Counts[sizeClass];
            long remaining = *count - 1;
            if (remaining < 0)
                return RefillAndAllocate(cache, sizeClass);
            // Point of no return.
            *count = remaining;
            ulong* item = (ulong*)(&cache->Objects[sizeClass * CacheCapacity])[remaining];
            item[0] = 0;   // clear the free tag
            return item;
        }

        /// <summary>Frees an object of 'sizeClass' (typed free: the class is checked against the owner).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Free(CpuCache* cache, void* pointer, int sizeClass)
        {
            ulong* item = (ulong*)pointer;
            ulong offset = (ulong)((byte*)pointer - _spanStart);
            if (offset >= _spanBytes || _owners[offset >> 12] != (byte)(sizeClass + 1))
            {
                ReportBadFree(pointer, sizeClass);
                return;
            }
            ulong tag = FreeTag ^ (ulong)pointer;
            if (item[0] == tag)
            {
                _report("double free", (ulong)pointer);
                return;
            }
#if DEBUG
            if (!FullCheck(cache, pointer, sizeClass))
                return;
#endif
            long* count = &cache->Counts[sizeClass];
            long used = *count;
            if (used == CacheCapacity)
            {
                FlushAndFree(cache, pointer, sizeClass);
                return;
            }
            // Point of no return.
            item[0] = tag;
            (&cache->Objects[sizeClass * CacheCapacity])[used] = (ulong)pointer;
            *count = used + 1;
        }

        // ------------------------------------------------------------------ sized and untyped entry points

        /// <summary>'bytes' bytes, zeroed if asked; slab objects up to <see cref="SizeClasses.MaximumSize"/>, pages above.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void* Allocate(CpuCache* cache, ulong bytes, bool zeroed)
        {
            int sizeClass = SizeClasses.ForSize(bytes);
            if (sizeClass < 0)
                return AllocateLarge(bytes, zeroed);
            // Point of no return for the slab path.
            ulong* item = (ulong*)Allocate(cache, sizeClass);
            if (item != null && zeroed)
                Clear((byte*)item, (ulong)SizeClasses.Size(sizeClass));
            return item;
        }

        /// <summary>Frees anything this allocator handed out, finding its size from the page owner.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Free(CpuCache* cache, void* pointer)
        {
            if (pointer == null)
                return;
            ulong offset = (ulong)((byte*)pointer - _spanStart);
            byte owner = offset < _spanBytes ? _owners[offset >> 12] : OwnerNone;
            if ((uint)(owner - 1) < SizeClasses.Count)   // 0 (no owner) wraps around and fails
            {
                Free(cache, pointer, owner - 1);
                return;
            }
            FreeOther(pointer, owner);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void FreeOther(void* pointer, byte owner)
        {
            if (owner == OwnerLarge)
                FreeLarge(pointer);
            else
                _report("freed a pointer the allocator never handed out", (ulong)pointer);
        }

        /// <summary>The usable size of a live allocation, or 0 if the pointer is not one.</summary>
        public ulong UsableSize(void* pointer)
        {
            ulong offset = (ulong)((byte*)pointer - _spanStart);
            if (offset >= _spanPages << 12)
                return 0;
            byte owner = _owners[offset >> 12];
            if (owner == OwnerLarge)
            {
                int order = _pages.AllocatedOrder(pointer);
                return order < 0 ? 0 : (ulong)PageAllocator.PageSize << order;
            }
            if (owner == OwnerNone || owner > SizeClasses.Count || ((ulong*)pointer)[0] == (FreeTag ^ (ulong)pointer))
                return 0;
            return (ulong)SizeClasses.Size(owner - 1);
        }

        // ------------------------------------------------------------------ level 3 directly: pages and large objects

        /// <summary>A block of 2^order pages from level 3 (page tables, stacks, DMA), not zeroed; null if none.</summary>
        public void* AllocatePages(int order)
        {
            _pagesLock.Enter();
            void* block = _pages.Allocate(order);
            _pagesLock.Exit();
            if (block == null)
                _failedAllocations++;
            return block;
        }

        public void FreePages(void* block, int order)
        {
            _pagesLock.Enter();
            string error = _pages.Free(block, order);
            _pagesLock.Exit();
            if (error != null)
                _report(error, (ulong)block);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void* AllocateLarge(ulong bytes, bool zeroed)
        {
            int order = 0;
            while (order <= PageAllocator.MaximumOrder && ((ulong)PageAllocator.PageSize << order) < bytes)
                order++;
            if (order > PageAllocator.MaximumOrder)
            {
                _failedAllocations++;
                return null;
            }
            _pagesLock.Enter();
            byte* block = (byte*)_pages.Allocate(order);
            if (block != null)
            {
                _owners[(ulong)(block - _spanStart) >> 12] = OwnerLarge;
                _largePages += 1UL << order;
                _largeBlocks++;
            }
            _pagesLock.Exit();
            if (block == null)
            {
                _failedAllocations++;
                return null;
            }
            if (zeroed)
                Clear(block, (ulong)PageAllocator.PageSize << order);
            return block;
        }

        private void FreeLarge(void* block)
        {
            _pagesLock.Enter();
            int order = _pages.AllocatedOrder(block);
            if (order >= 0)
            {
                _owners[(ulong)((byte*)block - _spanStart) >> 12] = OwnerNone;
                _pages.Free(block, order);
                _largePages -= 1UL << order;
                _largeBlocks--;
            }
            _pagesLock.Exit();
            if (order < 0)
                _report("freed a pointer inside a large block, or freed it twice", (ulong)block);
        }

        // ------------------------------------------------------------------ level 2: the slow paths

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void* RefillAndAllocate(CpuCache* cache, int sizeClass)
        {
            SlabClass* slabClass = Class(sizeClass);
            slabClass->Lock.Enter();
            int moved = 0;
            while (moved < TransferBatch)
            {
                SlabHeader* slab = slabClass->Partial != null ? slabClass->Partial : slabClass->Empty;
                if (slab == null)
                {
                    slab = NewSlab(slabClass, sizeClass);
                    if (slab == null)
                        break;
                }
                while (moved < TransferBatch && slab->FreeObjects != null)
                {
                    byte* item = slab->FreeObjects;
                    slab->FreeObjects = (byte*)((ulong*)item)[1];
                    ((ulong*)item)[1] = 0;
                    slab->InUse++;
                    slabClass->InUse++;
                    cache->Objects[sizeClass * CacheCapacity + moved] = (ulong)item;
                    moved++;
                }
                Relist(slabClass, slab);
            }
            slabClass->Lock.Exit();
            cache->Refills++;
            if (moved == 0)
            {
                _failedAllocations++;
                return null;
            }
            cache->Counts[sizeClass] = moved;
            return Allocate(cache, sizeClass);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void FlushAndFree(CpuCache* cache, void* pointer, int sizeClass)
        {
            SlabClass* slabClass = Class(sizeClass);
            slabClass->Lock.Enter();
            int count = (int)cache->Counts[sizeClass];
            for (int i = 0; i < TransferBatch; i++)
            {
                count--;
                ReturnToSlab(slabClass, (byte*)cache->Objects[sizeClass * CacheCapacity + count], sizeClass);
            }
            cache->Counts[sizeClass] = count;
            ReleaseSurplusEmptySlabs(slabClass);
            slabClass->Lock.Exit();
            cache->Flushes++;
            Free(cache, pointer, sizeClass);
        }

        /// <summary>Gives every object in this CPU's caches back to level 2 (and surplus slabs to level 3).</summary>
        public void Drain(CpuCache* cache)
        {
            for (int sizeClass = 0; sizeClass < SizeClasses.Count; sizeClass++)
            {
                SlabClass* slabClass = Class(sizeClass);
                slabClass->Lock.Enter();
                int count = (int)cache->Counts[sizeClass];
                while (count > 0)
                {
                    count--;
                    ReturnToSlab(slabClass, (byte*)cache->Objects[sizeClass * CacheCapacity + count], sizeClass);
                }
                cache->Counts[sizeClass] = 0;
                ReleaseSurplusEmptySlabs(slabClass);
                slabClass->Lock.Exit();
            }
        }

        private void ReturnToSlab(SlabClass* slabClass, byte* item, int sizeClass)
        {
            SlabHeader* slab = (SlabHeader*)((ulong)item & slabClass->SlabMask);
            if (slab->Tag != SlabHeader.Magic || slab->SizeClass != sizeClass
                || (ulong)(item - slab->FirstObject) % (ulong)slabClass->ObjectSize != 0)
            {
                _report("freed a pointer that is not the start of an object", (ulong)item);
                return;
            }
            ((ulong*)item)[1] = (ulong)slab->FreeObjects;
            slab->FreeObjects = item;
            slab->InUse--;
            slabClass->InUse--;
            Relist(slabClass, slab);
        }

        private SlabHeader* NewSlab(SlabClass* slabClass, int sizeClass)
        {
            _pagesLock.Enter();
            byte* block = (byte*)_pages.Allocate(slabClass->SlabOrder);
            if (block != null)
            {
                ulong firstPage = (ulong)(block - _spanStart) >> 12;
                for (ulong page = 0; page < 1UL << slabClass->SlabOrder; page++)
                    _owners[firstPage + page] = (byte)(sizeClass + 1);
            }
            _pagesLock.Exit();
            if (block == null)
                return null;
            SlabHeader* slab = (SlabHeader*)block;
            *slab = default;
            slab->Tag = SlabHeader.Magic;
            slab->SizeClass = (ushort)sizeClass;
            slab->Capacity = (ushort)slabClass->Capacity;
            slab->FirstObject = block + SlabHeader.Size;
            // Link the objects in address order; each carries the free tag.
            byte* previous = null;
            for (int i = slabClass->Capacity - 1; i >= 0; i--)
            {
                byte* item = slab->FirstObject + i * slabClass->ObjectSize;
                ((ulong*)item)[0] = FreeTag ^ (ulong)item;
                ((ulong*)item)[1] = (ulong)previous;
                previous = item;
            }
            slab->FreeObjects = previous;
            Link(slabClass, slab, ListEmpty);
            return slab;
        }

        /// <summary>
        /// Gives every empty slab of every class back to level 3, the reserve too (objects still in a processor's
        /// level 1 keep their slabs: drain those first). What a leak check does before it measures free pages:
        /// a reserve slab is there or not depending on which frees came last.
        /// </summary>
        public void ReleaseEmptySlabs()
        {
            for (int sizeClass = 0; sizeClass < SizeClasses.Count; sizeClass++)
            {
                SlabClass* slabClass = Class(sizeClass);
                slabClass->Lock.Enter();
                ReleaseEmptySlabsBeyond(slabClass, 0);
                slabClass->Lock.Exit();
            }
        }

        private void ReleaseSurplusEmptySlabs(SlabClass* slabClass) => ReleaseEmptySlabsBeyond(slabClass, EmptySlabReserve);

        private void ReleaseEmptySlabsBeyond(SlabClass* slabClass, ulong keep)
        {
            while (slabClass->EmptyCount > keep)
            {
                SlabHeader* slab = slabClass->Empty;
                Unlink(slabClass, slab);
                slab->Tag = 0;
                ulong firstPage = (ulong)((byte*)slab - _spanStart) >> 12;
                _pagesLock.Enter();
                for (ulong page = 0; page < 1UL << slabClass->SlabOrder; page++)
                    _owners[firstPage + page] = OwnerNone;
                _pages.Free(slab, slabClass->SlabOrder);
                _pagesLock.Exit();
            }
        }

        private void Relist(SlabClass* slabClass, SlabHeader* slab)
        {
            int list = slab->InUse == 0 ? ListEmpty : slab->InUse == slab->Capacity ? ListFull : ListPartial;
            if (list == slab->List)
                return;
            Unlink(slabClass, slab);
            Link(slabClass, slab, list);
        }

        private static SlabHeader** ListHead(SlabClass* slabClass, int list)
            => list == ListPartial ? &slabClass->Partial : list == ListFull ? &slabClass->Full : &slabClass->Empty;

        private static ulong* ListCount(SlabClass* slabClass, int list)
            => list == ListPartial ? &slabClass->PartialCount : list == ListFull ? &slabClass->FullCount : &slabClass->EmptyCount;

        private static void Link(SlabClass* slabClass, SlabHeader* slab, int list)
        {
            SlabHeader** head = ListHead(slabClass, list);
            slab->List = (ushort)list;
            slab->Previous = null;
            slab->Next = *head;
            if (*head != null)
                (*head)->Previous = slab;
            *head = slab;
            (*ListCount(slabClass, list))++;
        }

        private static void Unlink(SlabClass* slabClass, SlabHeader* slab)
        {
            if (slab->List == 0)
                return;
            if (slab->Previous != null)
                slab->Previous->Next = slab->Next;
            else
                *ListHead(slabClass, slab->List) = slab->Next;
            if (slab->Next != null)
                slab->Next->Previous = slab->Previous;
            (*ListCount(slabClass, slab->List))--;
            slab->List = 0;
        }

        private void ReportBadFree(void* pointer, int sizeClass)
        {
            ulong offset = (ulong)((byte*)pointer - _spanStart);
            byte owner = offset < _spanPages << 12 ? _owners[offset >> 12] : OwnerNone;
            _report(owner == OwnerNone || owner > SizeClasses.Count
                ? "freed a pointer the allocator never handed out"
                : "freed an object into the wrong size class", (ulong)pointer);
        }

#if DEBUG
        // Debug builds: the object must be exactly at an object boundary and not already in the magazine.
        private bool FullCheck(CpuCache* cache, void* pointer, int sizeClass)
        {
            SlabClass* slabClass = Class(sizeClass);
            SlabHeader* slab = (SlabHeader*)((ulong)pointer & slabClass->SlabMask);
            if (slab->Tag != SlabHeader.Magic || (ulong)((byte*)pointer - slab->FirstObject) % (ulong)slabClass->ObjectSize != 0)
            {
                _report("freed a pointer that is not the start of an object", (ulong)pointer);
                return false;
            }
            for (int i = 0; i < cache->Counts[sizeClass]; i++)
            {
                if (cache->Objects[sizeClass * CacheCapacity + i] == (ulong)pointer)
                {
                    _report("double free", (ulong)pointer);
                    return false;
                }
            }
            return true;
        }
#endif

        // ------------------------------------------------------------------ statistics

        public struct ClassStatistics
        {
            public int ObjectSize;
            public ulong InUse, Cached, Slabs, Pages, PartialSlabs, FullSlabs, EmptySlabs;
        }

        public ClassStatistics Statistics(int sizeClass, CpuCache* cache)
        {
            SlabClass* slabClass = Class(sizeClass);
            ulong cached = cache == null ? 0 : (ulong)cache->Counts[sizeClass];
            ulong slabs = slabClass->PartialCount + slabClass->FullCount + slabClass->EmptyCount;
            return new ClassStatistics
            {
                ObjectSize = slabClass->ObjectSize,
                InUse = slabClass->InUse - cached,
                Cached = cached,
                Slabs = slabs,
                Pages = slabs << slabClass->SlabOrder,
                PartialSlabs = slabClass->PartialCount,
                FullSlabs = slabClass->FullCount,
                EmptySlabs = slabClass->EmptyCount,
            };
        }

        /// <summary>Bytes of live objects (by class size) plus large blocks.</summary>
        public ulong BytesInUse(CpuCache* cache)
        {
            ulong total = _largePages * (ulong)PageAllocator.PageSize;
            for (int sizeClass = 0; sizeClass < SizeClasses.Count; sizeClass++)
            {
                ClassStatistics statistics = Statistics(sizeClass, cache);
                total += statistics.InUse * (ulong)statistics.ObjectSize;
            }
            return total;
        }

        private static void Clear(byte* memory, ulong length) => BlockMemory.Zero(memory, length);
    }
}
