using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// A program file held for the loader page by page, plus a copy of its first <see cref="HeaderWindow"/> bytes in one
    /// block for what ElfImage reads (the ELF header, the program header table and PT_INTERP's path, which every linker
    /// puts in the first page; a file whose table or path lies further is refused, ENOEXEC). Either the file system's
    /// own frames (<see cref="FileFrames"/>: a file system that maps its frames, tmpfs; each held by a share until Free),
    /// which ProgramLoader maps as they are where a segment only reads them, or, for a file larger than the kernel
    /// heap's largest block (4 MiB: Debian's python3.11 is 6.6 MiB) on another file system, one heap page per 4 KiB read
    /// into. ProgramLoader copies the rest of the segments out of the pages.
    /// </summary>
    public unsafe struct PagedProgramFile
    {
        public const ulong PageSize = 4096;
        public const ulong HeaderWindow = 16 * 1024;
        private const ulong ElfHeaderSize = 64, ProgramHeaderSize = 56;

        /// <summary>The file's first min(size, HeaderWindow) bytes, contiguous.</summary>
        public byte* Window;
        public ulong WindowLength;
        /// <summary>One heap page per 4 KiB of the file (the last one partly used).</summary>
        public byte** Pages;
        public ulong PageCount;
        /// <summary>The pages are the file's own frames (direct-mapped), each held by a share that Free gives back.</summary>
        public bool FileFrames;

        /// <summary>Whether a file of 'size' bytes must be read in pages: one block of it could not be had.</summary>
        public static bool IsNeededFor(ulong size) => size > ((ulong)PageAllocator.PageSize << PageAllocator.MaximumOrder);

        /// <summary>Room for a file of 'size' bytes (false without memory; Free releases what was had either way).</summary>
        public bool Allocate(ulong size)
        {
            if (!AllocateTable(size))
                return false;
            for (ulong i = 0; i < PageCount; i++)
                if ((Pages[i] = (byte*)KernelHeap.AllocateUninitialized(PageSize)) == null)
                    return false;
            return true;
        }

        /// <summary>The window and the page table (no page yet: each null until set), for a file of 'size' bytes.</summary>
        public bool AllocateTable(ulong size)
        {
            PageCount = (size + PageSize - 1) / PageSize;
            WindowLength = size < HeaderWindow ? size : HeaderWindow;
            Window = (byte*)KernelHeap.AllocateUninitialized(WindowLength == 0 ? 1 : WindowLength);
            Pages = (byte**)KernelHeap.Allocate(PageCount == 0 ? 1 : PageCount * (ulong)sizeof(byte*));
            return Window != null && Pages != null;
        }

        /// <summary>The physical frame of file page 'index' (FileFrames only).</summary>
        public ulong FrameOf(ulong index) => Exo.Kernel.Memory.PhysicalMemory.ToPhysical(Pages[index]);

        /// <summary>Fills the window from the pages (after they were read).</summary>
        public void FillWindow() => CopyTo(Window, 0, WindowLength);

        /// <summary>
        /// Whether ElfImage may read the header through the window with the whole file's length: the ELF header and the
        /// program header table lie inside it.
        /// </summary>
        public bool HeadersFitWindow()
        {
            if (WindowLength < ElfHeaderSize)
                return false;
            ulong tableOffset = *(ulong*)(Window + 32);
            ulong tableCount = *(ushort*)(Window + 56);
            return tableOffset <= WindowLength && tableCount * ProgramHeaderSize <= WindowLength - tableOffset;
        }

        /// <summary>Copies file bytes [offset, offset + count) (inside the file) to 'destination'.</summary>
        public void CopyTo(byte* destination, ulong offset, ulong count)
        {
            while (count > 0)
            {
                ulong inPage = offset % PageSize;
                ulong chunk = PageSize - inPage < count ? PageSize - inPage : count;
                Exo.Kernel.Memory.BlockMemory.Copy(destination, Pages[offset / PageSize] + inPage, chunk);
                destination += chunk;
                offset += chunk;
                count -= chunk;
            }
        }

        public void Free()
        {
            if (Pages != null)
            {
                for (ulong i = 0; i < PageCount && Pages[i] != null; i++)
                    if (FileFrames)
                        Exo.Kernel.Memory.PhysicalMemory.ReleaseFrame(FrameOf(i));
                    else
                        KernelHeap.Free(Pages[i]);
                KernelHeap.Free(Pages);
            }
            if (Window != null)
                KernelHeap.Free(Window);
            this = default;
        }
    }
}
