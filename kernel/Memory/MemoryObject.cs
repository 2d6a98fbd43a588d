using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// Pages that can be mapped into address spaces: what shared memory and zero-copy messages are made of.
    /// The object owns its frames (mappings of it do not); each process that maps it keeps a reference until
    /// it ends, so the frames outlive every mapping.
    /// </summary>
    public sealed unsafe class MemoryObject : KernelObject
    {
        /// <summary>The largest memory object (an explicit limit, checked): 16 MiB.</summary>
        public const ulong MaximumSize = 16UL << 20;

        public readonly int PageCount;
        private readonly ulong* _frames;

        private MemoryObject(int pageCount, ulong* frames) { PageCount = pageCount; _frames = frames; }

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
            return new MemoryObject(pages, frames);
        }

        public ulong FrameAt(int page) => _frames[page];

        /// <summary>Maps every page at 'address' in 'space'; false (nothing left mapped) if any page fails.</summary>
        public bool MapInto(AddressSpace space, ulong address, bool writable) => space.MapShared(address, _frames, PageCount, writable);

        private static void FreeFrames(ulong* frames, int count)
        {
            for (int i = 0; i < count; i++)
                PhysicalMemory.FreeFrame(frames[i]);
            KernelHeap.Free(frames);
        }

        protected override void Destroy()
        {
            FreeFrames(_frames, PageCount);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
