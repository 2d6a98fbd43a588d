using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// The read-only frames of a program image (its text and read-only data), held once for every address space that
    /// maps them: the one the loader filled and each fork of it. Their entries carry KernelPageTables.ImageFrame and
    /// no Owned bit, so fork copies them as they are (no per-page share count) and exit passes them by; the frames
    /// go when the last space lets go of the set. Why: a static program is mostly text (glibc's alone is some 180
    /// pages), and counting each page up at fork and down at exit was a third of what fork cost. A page a program
    /// makes writable (mprotect) leaves the set's terms: it becomes the space's own copy-on-write page
    /// (AddressSpace.Protect), one more sharer of the set's frame. Frames are only added while the loader fills the
    /// space, before anyone else can see it; references are counted atomically.
    /// </summary>
    public sealed unsafe class ImageFrames
    {
        private ulong* _frames;
        private int _count, _capacity;
        private int _references = 1;

        /// <summary>Keeps 'frame' (a zeroed frame the caller fills) until the last reference goes; false without memory.</summary>
        public bool Add(ulong frame)
        {
            if (_count == _capacity)
            {
                int capacity = _capacity == 0 ? 64 : _capacity * 2;
                ulong* frames = (ulong*)KernelHeap.AllocateUninitialized((ulong)capacity * sizeof(ulong));
                if (frames == null)
                    return false;
                for (int i = 0; i < _count; i++)
                    frames[i] = _frames[i];
                if (_frames != null)
                    KernelHeap.Free(_frames);
                _frames = frames;
                _capacity = capacity;
            }
            _frames[_count++] = frame;
            return true;
        }

        /// <summary>One more address space maps these frames (a fork).</summary>
        public void AddReference() => System.Threading.Interlocked.Increment(ref _references);

        /// <summary>An address space no longer maps them: the last one lets every frame go (each may still be another's copy-on-write page).</summary>
        public void Release()
        {
            if (System.Threading.Interlocked.Decrement(ref _references) != 0)
                return;
            for (int i = 0; i < _count; i++)
                PhysicalMemory.ReleaseFrame(_frames[i]);
            if (_frames != null)
                KernelHeap.Free(_frames);
            _frames = null;
            _count = _capacity = 0;
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
