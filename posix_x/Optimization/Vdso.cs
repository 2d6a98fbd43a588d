using System.Runtime.InteropServices;
using Exo.Kernel.Memory;
using Exo.Kernel.Time;

namespace Exo.PosixX.Optimization
{
    /// <summary>
    /// The vDSO: the architecture's Fast path with no kernel entry at all. An ELF shared object (vdso.c, laid out by
    /// vdso.lds, built and checked by tools/scripts/build-vdso.sh, embedded in the kernel image by VdsoImage.asm)
    /// that every Linux process finds through AT_SYSINFO_EHDR; glibc calls its __vdso_clock_gettime,
    /// __vdso_gettimeofday, __vdso_time, __vdso_clock_getres and __vdso_getcpu instead of SYSCALL.
    /// Mapped at a fixed address above the stack (<see cref="ImageAddress"/>), read+execute, with the kernel's time
    /// page (TimeDataPage, Linux's "vvar") read-only just below it. Both are the same physical pages in every process
    /// (the image's pages are the kernel image's own, page aligned; the time page is the one frame taken at boot),
    /// mapped not owned: fork shares them as they are, an exec maps them into the new space again (MemoryRegions
    /// does both), and the end of a process frees neither. Nothing is allocated here but the page tables on the way.
    /// </summary>
    public static unsafe class Vdso
    {
        /// <summary>Where the time page goes: above the stack top (0x7FFFFFFF0000), a page of gap between.</summary>
        public const ulong TimePageAddress = Exo.Abi.TimePage.Address;
        /// <summary>Where the image goes: right above the time page (vdso.lds places the time page one page below).</summary>
        public const ulong ImageAddress = TimePageAddress + PageSize;
        /// <summary>The most pages the image may have (build-vdso.sh checks the same limit).</summary>
        public const int MaximumPages = 2;
        private const ulong PageSize = 0x1000;

        [DllImport("*", EntryPoint = "ExoGetVdsoImage"), SuppressGCTransition]
        private static extern byte* GetImage(byte** end);

        private static ulong s_imagePhysical;
        private static int s_pages;

        /// <summary>The image's pages (0 when there is no vDSO to map).</summary>
        public static int Pages => s_pages;

        /// <summary>
        /// Finds the embedded image and checks it (an ELF header, page aligned, within its limit). Without the time
        /// page (no frame at boot) there is no vDSO: programs find no AT_SYSINFO_EHDR and make system calls.
        /// </summary>
        public static void Initialize()
        {
            byte* end;
            byte* image = GetImage(&end);
            ulong length = (ulong)(end - image);
            if (!TimeDataPage.IsReady || ((ulong)image & (PageSize - 1)) != 0 || length < 64
                || length > MaximumPages * PageSize
                || image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: no vDSO (time page or image missing): time calls enter the kernel");
                return;
            }
            s_imagePhysical = KernelLayout.ToPhysical((ulong)image);   // the kernel image's own frames, contiguous
            s_pages = (int)((length + PageSize - 1) / PageSize);
        }

        /// <summary>
        /// Maps the time page and the image into 'space' (a new program's, not running yet); the image's address (for
        /// AT_SYSINFO_EHDR), or 0 when there is no vDSO or the page tables could not be made (the program then runs
        /// with system calls, and nothing is left mapped).
        /// </summary>
        public static ulong MapInto(AddressSpace space)
        {
            if (s_pages == 0)
                return 0;
            if (!TimeDataPage.MapInto(space))
                return 0;
            for (int page = 0; page < s_pages; page++)
            {
                ulong address = ImageAddress + (ulong)page * PageSize;
                if (!space.Map(address, s_imagePhysical + (ulong)page * PageSize, writable: false, executable: true, owned: false))
                {
                    for (int undo = 0; undo < page; undo++)
                        space.Unmap(ImageAddress + (ulong)undo * PageSize);
                    space.Unmap(TimePageAddress);
                    return 0;
                }
            }
            return ImageAddress;
        }

        /// <summary>The end of the image's mapping (for the process's regions).</summary>
        public static ulong ImageEnd => ImageAddress + (ulong)s_pages * PageSize;
    }
}
