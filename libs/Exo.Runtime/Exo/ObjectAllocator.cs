namespace Exo.Runtime
{
    /// <summary>
    /// Where the runtime gets memory for objects. The environment (the kernel, or a user program's start-up)
    /// installs the two functions before the first allocation.
    ///
    /// Ownership rule (there is no garbage collector): whoever allocates an object with <c>new</c> owns it
    /// and frees it with <see cref="Free"/> when no reference to it remains, or hands ownership on
    /// explicitly (documented at the hand-off). Objects reachable from static fields, string literals and
    /// other frozen objects in the image are never freed. Freeing twice, or freeing something the allocator
    /// never handed out, is detected by the allocator and reported as a failure.
    /// </summary>
    public static unsafe class ObjectAllocator
    {
        // Returns zeroed memory of at least 'size' bytes, 8-byte aligned, or null when memory is exhausted.
        private static delegate*<nuint, void*> s_allocate;
        private static delegate*<void*, void> s_free;

        public static void Install(delegate*<nuint, void*> allocate, delegate*<void*, void> free)
        {
            s_allocate = allocate;
            s_free = free;
        }

        internal static void* AllocateZeroed(nuint size)
        {
            if (s_allocate == null)
                RuntimeFailure.Fail("object allocated before an allocator was installed", null);
            void* memory = s_allocate(size);
            if (memory == null)
                RuntimeFailure.Fail("out of memory allocating an object", null);
            return memory;
        }

        /// <summary>Frees an object allocated with new. The caller guarantees no reference to it remains.</summary>
        public static void Free(object obj)
        {
            if (obj == null)
                return;
            s_free(*(void**)System.Runtime.CompilerServices.Unsafe.AsPointer(ref obj));
        }
    }
}
