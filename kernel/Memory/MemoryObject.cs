using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// Pages that can be mapped into address spaces: what shared memory and zero-copy messages are made of.
    /// The object owns its frames (mappings of it do not); each process that maps it keeps a reference until
    /// it ends, so the frames outlive every mapping. Frames never move while the object lives, so DMA memory
    /// (made by a driver from the root resource) is a memory object whose frames are one physically contiguous
    /// run: its holder asks for the physical address (dma_address) to put it in a device's descriptors.
    /// </summary>
    public sealed unsafe class MemoryObject : KernelObject
    {
        /// <summary>The largest memory object (an explicit limit, checked): 16 MiB.</summary>
        public const ulong MaximumSize = 16UL << 20;

        /// <summary>The largest DMA memory object: the allocator's largest block (order 10, 4 MiB).</summary>
        public const ulong MaximumContiguousSize = 4UL << 20;

        public readonly int PageCount;
        /// <summary>DMA memory: the frames are one physically contiguous run starting at FrameAt(0).</summary>
        public readonly bool IsContiguous;
        private readonly ulong* _frames;

        private MemoryObject(int pageCount, ulong* frames, bool contiguous) { PageCount = pageCount; _frames = frames; IsContiguous = contiguous; }

        public ulong Size => (ulong)PageCount << 12;

        /// <summary>A memory object of 'length' bytes (rounded up to pages) of zeroed frames; null if out of memory.</summary>
        public static MemoryObject Create(ulong length)
        {
            if (length == 0 || length > MaximumSize)
                return null;
            int pages = (int)((length + 0xFFF) >> 12);
            ulong* frames = (ulong*)KernelHeap.Allocate((ulong)pages * 8);
            if (frames == null)
                return null;
            for (int i = 0; i < pages; i++)
            {
                if ((frames[i] = PhysicalMemory.AllocateFrame()) == 0)
                {
                    FreeFrames(frames, i);
                    return null;
                }
            }
            return new MemoryObject(pages, frames, contiguous: false);
        }

        /// <summary>DMA memory: 'length' bytes (rounded up to pages) of zeroed, physically contiguous frames (a
        /// power-of-two block of the page allocator, the pages past 'length' in it unused while it lives); null if
        /// too long or no such run is free.</summary>
        public static MemoryObject CreateContiguous(ulong length)
        {
            if (length == 0 || length > MaximumContiguousSize)
                return null;
            int pages = (int)((length + 0xFFF) >> 12);
            ulong* frames = (ulong*)KernelHeap.Allocate((ulong)pages * 8);
            if (frames == null)
                return null;
            ulong first = PhysicalMemory.AllocateContiguous((ulong)pages);
            if (first == 0)
            {
                KernelHeap.Free(frames);
                return null;
            }
            for (int i = 0; i < pages; i++)
            {
                frames[i] = first + ((ulong)i << 12);
                BlockMemory.ZeroPage(PhysicalMemory.ToVirtual(frames[i]));
            }
            return new MemoryObject(pages, frames, contiguous: true);
        }

        public ulong FrameAt(int page) => _frames[page];

        /// <summary>Maps every page at 'address' in 'space'; false (nothing left mapped) if any page fails.</summary>
        public bool MapInto(AddressSpace space, ulong address, bool writable) => space.MapShared(address, _frames, PageCount, writable);

        private static void FreeFrames(ulong* frames, int count)
        {
            for (int i = 0; i < count; i++)
                PhysicalMemory.ReleaseFrame(frames[i]);   // a Linux mapping of a service channel may share a frame still
            KernelHeap.Free(frames);
        }

        protected override void Destroy()
        {
            if (IsContiguous)
            {
                PhysicalMemory.FreeContiguous(_frames[0], (ulong)PageCount);
                KernelHeap.Free(_frames);
            }
            else
            {
                FreeFrames(_frames, PageCount);
            }
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
