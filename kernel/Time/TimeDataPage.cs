using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Time
{
    /// <summary>
    /// The page of clock parameters that ring 3 reads to tell the time without a system call (Linux's "vvar" page):
    /// the boot TSC, the TSC's rate, the wall clock at boot, and how a program may learn its processor. It is mapped
    /// read-only at Exo.Abi.TimePage.Address into every process, one physical page for all: native programs at
    /// their start (<see cref="MapInto"/>), Linux programs with POSIX-X's vDSO (posix_x/Optimization). Only the
    /// kernel writes it, through the direct map.
    /// The page is one frame taken at boot (<see cref="Initialize"/>) and kept for the kernel's life: no allocation
    /// happens anywhere else. Its layout is a contract with posix_x/Optimization/vdso.c (struct time_data, whose
    /// offsets are checked at build time there) and Exo.Abi's TimePageLayout:
    ///   0  ulong BootTsc      the TSC at uptime zero
    ///   8  ulong Multiplier   nanoseconds per TSC tick x 2^32 (SystemClock's conversion)
    ///   16 long  WallAtBoot   nanoseconds since 1970 at uptime zero (WallClock's base)
    ///   24 ulong TscFrequency ticks per second
    ///   32 uint  Flags        ProcessorInTscAux, ProcessorByRdpid
    /// Everything but WallAtBoot is written once, before any program can map the page. WallAtBoot is one aligned
    /// 64-bit word, written and read whole (settimeofday), so readers need no sequence lock; once the page exists it
    /// is the wall clock's only copy (WallClock reads it from here), so the kernel and the vDSO never disagree.
    /// </summary>
    public static unsafe class TimeDataPage
    {
        /// <summary>IA32_TSC_AUX holds each processor's index (ProcessorSetup): RDTSCP returns it in ECX.</summary>
        public const uint ProcessorInTscAux = 1;
        /// <summary>The CPU has RDPID, which reads IA32_TSC_AUX (the processor's index) alone.</summary>
        public const uint ProcessorByRdpid = 2;

        private static TimePageLayout* s_page;
        private static ulong s_physical;

        /// <summary>Whether the page exists (the TSC was calibrated and a frame was free at boot).</summary>
        public static bool IsReady => s_page != null;

        /// <summary>The frame ring 3 maps (read-only); 0 before <see cref="Initialize"/>.</summary>
        public static ulong PhysicalAddress => s_physical;

        /// <summary>
        /// Takes the page's frame and fills it: after the TSC's calibration and the wall clock's first reading, before
        /// any program runs. Without a frame the page stays absent and programs use system calls.
        /// </summary>
        public static void Initialize()
        {
            ulong frame = PhysicalMemory.AllocateFrame();   // zeroed; never freed
            if (frame == 0)
                return;
            TimePageLayout* page = (TimePageLayout*)PhysicalMemory.ToVirtual(frame);
            page->BootTsc = SystemClock.BootTsc;
            page->Multiplier = SystemClock.NanosecondsPerTickMultiplier;
            page->TscFrequency = SystemClock.TscFrequency;
            page->WallAtBoot = WallClock.BootNanoseconds;
            page->Flags = (CpuFeatures.Rdtscp ? ProcessorInTscAux : 0) | (CpuFeatures.Rdpid ? ProcessorByRdpid : 0);
            s_physical = frame;
            s_page = page;   // before any processor runs a program: nobody reads it yet
        }

        /// <summary>Maps the page read-only at TimePage.Address in 'space', not owned (the end of a process leaves the frame); false without a page or when the address is taken.</summary>
        public static bool MapInto(AddressSpace space)
            => s_page != null && space.Map(TimePage.Address, s_physical, writable: false, executable: false, owned: false);

        /// <summary>Whether 'space' has the page at TimePage.Address (a native program from its start, a Linux program with its vDSO).</summary>
        public static bool IsMappedIn(AddressSpace space)
            => s_page != null && space != null && space.TryTranslate(TimePage.Address, out ulong physical, out _) && physical == s_physical;

        /// <summary>The wall clock at uptime zero (valid once <see cref="IsReady"/>).</summary>
        public static long WallAtBoot => System.Threading.Volatile.Read(ref s_page->WallAtBoot);

        /// <summary>A new wall clock at uptime zero (settimeofday): one whole 64-bit store.</summary>
        public static void SetWallAtBoot(long wallAtBoot) => System.Threading.Volatile.Write(ref s_page->WallAtBoot, wallAtBoot);
    }
}
