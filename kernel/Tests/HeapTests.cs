using Exo.Kernel.Memory.Heap;
using Exo.Runtime;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    public static unsafe class HeapTests
    {
        public static void Run()
        {
            Test("sizes_alignment_zeroed", &SizesAlignmentZeroed);
            Test("no_overlap", &NoOverlap);
            Test("free_and_reuse", &FreeAndReuse);
            Test("large_blocks", &LargeBlocks);
            Test("objects_via_new", &ObjectsViaNew);
            Test("random_operations", &RandomOperations);
            Test("impossible_size_fails_cleanly", &ImpossibleSize);
            Test("million_mixed_operations", &MillionMixedOperations);
            Test("level_statistics_balance", &LevelStatisticsBalance);
            Test("processor_caches_under_preemption", &CachesUnderPreemption);
        }

        private sealed class Probe { public ulong Owner, Serial; }

        private const int PreemptedThreads = 4, PreemptedRounds = 40000, ProbesHeld = 8;
        private static int s_probeMismatches;

        // Kernel threads allocate and free with interrupts on; four of them, more than the processors, are
        // preempted (and moved between processors) at any instruction, also in the middle of a magazine's pop or
        // push. Each object must reach one owner only: a shared one shows as another owner's marks, or as a
        // double free when both owners free it.
        private static void CachesUnderPreemption()
        {
            s_probeMismatches = 0;
            ulong* threads = stackalloc ulong[PreemptedThreads];
            for (int i = 0; i < PreemptedThreads; i++)
            {
                Scheduler.Thread thread = Scheduler.Scheduler.Create("heap-preempted", &AllocateAndFree, (ulong)i + 1);
                if (!Check(thread != null, "thread created", (ulong)i))
                    return;
                threads[i] = Scheduler.Scheduler.AddressOf(thread);
            }
            for (int i = 0; i < PreemptedThreads; i++)
                Scheduler.Scheduler.Join(System.Runtime.CompilerServices.Unsafe.AsRef<Scheduler.Thread>(&threads[i]));
            Equal(0, (ulong)s_probeMismatches, "no object was handed to two owners");
        }

        private static void AllocateAndFree(ulong owner)
        {
            Probe[] held = new Probe[ProbesHeld];
            for (ulong round = 0; round < PreemptedRounds; round++)
            {
                for (int i = 0; i < ProbesHeld; i++)
                    held[i] = new Probe { Owner = owner, Serial = round * ProbesHeld + (ulong)i };
                for (int i = 0; i < ProbesHeld; i++)
                {
                    if (held[i].Owner != owner || held[i].Serial != round * ProbesHeld + (ulong)i)
                        System.Threading.Interlocked.Increment(ref s_probeMismatches);
                    ObjectAllocator.Free(held[i]);
                    held[i] = null;
                }
            }
            ObjectAllocator.Free(held);
        }

        private static void SizesAlignmentZeroed()
        {
            ulong size = 1;
            while (size <= 8192)
            {
                byte* block = (byte*)KernelHeap.Allocate(size);
                if (!Check(block != null, "allocation succeeded", size)) return;
                Check(((ulong)block & 7) == 0, "8-byte aligned", (ulong)block);
                bool zero = true;
                for (ulong i = 0; i < size; i++)
                    zero &= block[i] == 0;
                Check(zero, "zeroed", size);
                Check(KernelHeap.UsableSize(block) >= size, "usable size covers the request", KernelHeap.UsableSize(block));
                for (ulong i = 0; i < size; i++)
                    block[i] = 0xAB;   // dirty, so that reuse must zero again
                KernelHeap.Free(block);
                size = size * 3 / 2 + 1;
            }
        }

        private static void NoOverlap()
        {
            const int count = 200;
            byte** blocks = stackalloc byte*[count];
            for (int i = 0; i < count; i++)
            {
                ulong size = (ulong)(16 + (i * 37) % 700);
                blocks[i] = (byte*)KernelHeap.Allocate(size);
                for (ulong b = 0; b < size; b++)
                    blocks[i][b] = (byte)i;
            }
            bool intact = true;
            for (int i = 0; i < count; i++)
            {
                ulong size = (ulong)(16 + (i * 37) % 700);
                for (ulong b = 0; b < size; b++)
                    intact &= blocks[i][b] == (byte)i;
            }
            Check(intact, "every block keeps its own pattern");
            for (int i = 0; i < count; i++)
                KernelHeap.Free(blocks[i]);
        }

        private static void FreeAndReuse()
        {
            ulong inUseBefore = KernelHeap.BytesInUse;
            void* first = KernelHeap.Allocate(100);
            KernelHeap.Free(first);
            void* second = KernelHeap.Allocate(100);
            Check(first == second, "a freed block of the same class is reused first (level 1 is a stack)");
            KernelHeap.Free(second);
            Equal(inUseBefore, KernelHeap.BytesInUse, "bytes in use balance");
            Equal(0, KernelHeap.UsableSize(second), "a freed block is no longer live");
        }

        private static void LargeBlocks()
        {
            ulong freeBefore = Memory.PhysicalMemory.FreeBytes;
            byte* big = (byte*)KernelHeap.Allocate(100_000);
            if (!Check(big != null, "100 KB block")) return;
            big[0] = 1; big[99_999] = 2;
            Check(big[0] == 1 && big[99_999] == 2, "both ends writable");
            Check(Memory.PhysicalMemory.FreeBytes < freeBefore, "frames taken from the frame allocator");
            KernelHeap.Free(big);
            Equal(freeBefore, Memory.PhysicalMemory.FreeBytes, "large block's frames returned");
        }

        private sealed class Node
        {
            public Node Next;
            public long Value;
        }

        private static void ObjectsViaNew()
        {
            Node head = null;
            for (int i = 0; i < 500; i++)
                head = new Node { Next = head, Value = i };
            long sum = 0;
            int count = 0;
            for (Node node = head; node != null; node = node.Next) { sum += node.Value; count++; }
            Equal(500, (ulong)count, "linked list length");
            Equal(124750, (ulong)sum, "linked list values");
            while (head != null)
            {
                Node next = head.Next;
                ObjectAllocator.Free(head);
                head = next;
            }
        }

        private static void RandomOperations()
        {
            const int slots = 128;
            byte** blocks = stackalloc byte*[slots];
            ulong* sizes = stackalloc ulong[slots];
            for (int i = 0; i < slots; i++) { blocks[i] = null; sizes[i] = 0; }
            ulong inUseBefore = KernelHeap.BytesInUse;
            ulong state = 0x9E3779B97F4A7C15;
            bool intact = true;
            for (int step = 0; step < 20000; step++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                int slot = (int)(state % slots);
                if (blocks[slot] != null)
                {
                    intact &= blocks[slot][0] == (byte)slot && blocks[slot][sizes[slot] - 1] == (byte)slot;
                    KernelHeap.Free(blocks[slot]);
                    blocks[slot] = null;
                }
                else
                {
                    sizes[slot] = 1 + (state >> 20) % 3000;
                    blocks[slot] = (byte*)KernelHeap.Allocate(sizes[slot]);
                    if (blocks[slot] == null) { Check(false, "allocation failed", sizes[slot]); return; }
                    blocks[slot][0] = (byte)slot;
                    blocks[slot][sizes[slot] - 1] = (byte)slot;
                }
            }
            for (int i = 0; i < slots; i++)
                if (blocks[i] != null)
                    KernelHeap.Free(blocks[i]);
            Check(intact, "no block was overwritten by another");
            Equal(inUseBefore, KernelHeap.BytesInUse, "everything freed");
        }

        // A million allocate/free operations over 256 slots, sizes across every class and some large blocks;
        // every block's first and last bytes are checked before it is freed.
        private static void MillionMixedOperations()
        {
            const int slots = 256;
            byte** blocks = stackalloc byte*[slots];
            ulong* sizes = stackalloc ulong[slots];
            for (int i = 0; i < slots; i++) { blocks[i] = null; sizes[i] = 0; }
            ulong inUseBefore = KernelHeap.BytesInUse;
            ulong freePagesBefore = Memory.PhysicalMemory.FreeBytes;
            ulong state = 0x2545F4914F6CDD1D;
            bool intact = true;
            for (int step = 0; step < 1_000_000; step++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                int slot = (int)(state % slots);
                if (blocks[slot] != null)
                {
                    intact &= blocks[slot][0] == (byte)slot && blocks[slot][sizes[slot] - 1] == (byte)(slot + 1);
                    KernelHeap.Free(blocks[slot]);
                    blocks[slot] = null;
                }
                else
                {
                    // At least 2 bytes, so that the first and the last byte are different bytes.
                    sizes[slot] = (state >> 40) % 64 == 0 ? 2049 + (state >> 20) % 30000 : 2 + (state >> 20) % 2047;
                    blocks[slot] = (byte*)KernelHeap.AllocateUninitialized(sizes[slot]);
                    if (blocks[slot] == null) { Check(false, "allocation failed", sizes[slot]); return; }
                    blocks[slot][0] = (byte)slot;
                    blocks[slot][sizes[slot] - 1] = (byte)(slot + 1);
                }
            }
            for (int i = 0; i < slots; i++)
                if (blocks[i] != null)
                    KernelHeap.Free(blocks[i]);
            Check(intact, "no block was overwritten by another");
            Equal(inUseBefore, KernelHeap.BytesInUse, "bytes in use back where they were");
            KernelHeap.Drain();
            Check(Memory.PhysicalMemory.FreeBytes + 4096UL * 64 >= freePagesBefore, "pages went back to level 3 (a small slab reserve stays)", freePagesBefore - Memory.PhysicalMemory.FreeBytes);
        }

        private static void LevelStatisticsBalance()
        {
            int sizeClass = SizeClasses.ForSize(200);
            HeapAllocator.ClassStatistics before = KernelHeap.ClassStatistics(sizeClass);
            void** held = stackalloc void*[100];
            for (int i = 0; i < 100; i++)
                held[i] = KernelHeap.AllocateClass(sizeClass);
            HeapAllocator.ClassStatistics during = KernelHeap.ClassStatistics(sizeClass);
            Equal(before.InUse + 100, during.InUse, "level 1 and 2 count the 100 objects as in use");
            Check(during.Pages * 4096 / (ulong)during.ObjectSize >= 100, "level 2 has slabs with room for the 100 objects", during.Slabs);
            for (int i = 0; i < 100; i++)
                KernelHeap.FreeClass(held[i], sizeClass);
            Equal(before.InUse, KernelHeap.ClassStatistics(sizeClass).InUse, "all back");
            Check(KernelHeap.ClassStatistics(sizeClass).Cached <= HeapAllocator.CacheCapacity, "level 1 holds at most its capacity");
        }

        private static void ImpossibleSize()
        {
            ulong failedBefore = KernelHeap.FailedAllocations;
            Check(KernelHeap.Allocate(1UL << 40) == null, "a 1 TiB request returns null");
            Equal(failedBefore + 1, KernelHeap.FailedAllocations, "the failure is counted");
            void* after = KernelHeap.Allocate(64);
            Check(after != null, "the heap still works afterwards");
            KernelHeap.Free(after);
        }
    }
}
