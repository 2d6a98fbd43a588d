using Exo.Kernel.Processes;
using Exo.PosixX.KernelInterface;
using static Exo.Kernel.Tests.KernelTestRunner;
using Numbers = Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// The Linux personality's start: what an unmodified static Linux program finds at its first instruction.
    /// linux_start_test (userland/linux, C without a C library) checks its stack itself and prints one line per
    /// finding; the boot test runs the same binary on the build machine's Linux with the same arguments and
    /// environment and compares the lines. vdso_test (userland/linux/libc, static glibc) checks the vDSO from the C
    /// library's side and prints its lines for the same comparison; here the kernel also counts what it cost: its
    /// clock, gettimeofday, time and getcpu calls must not have entered the kernel.
    /// </summary>
    public static unsafe class LinuxTests
    {
        public const string StartTestCommandLine = "linux_start_test one two";
        public const string StartTestEnvironment = "EXO_TEST=1 HOME=/";

        public const string VdsoTestCommandLine = "vdso_test";
        /// <summary>
        /// The clock_gettime system calls vdso_test makes on purpose (its RAW_CLOCK_GETTIME_CALLS: 8 + 8 sandwiched
        /// readings, two CPU-time clocks and an unknown clock, which the vDSO passes to the kernel); its other
        /// 100,000-odd readings and every gettimeofday, time and getcpu stay in ring 3.
        /// </summary>
        public const ulong VdsoTestClockSystemCalls = 19;

        public static void Run()
        {
            Test("program_reads_argc_argv_envp_and_auxv", &StartStack);
            Test("vdso_time_calls_stay_in_ring3", &VdsoTimeCalls);
        }

        private static void StartStack()
        {
            Process process = ProgramLauncher.Spawn(StartTestCommandLine, out Error error, environment: StartTestEnvironment);
            if (!Check(process != null, "linux_start_test is in the boot image and starts"))
                return;
            ulong status = ProcessWaiting.Wait(process, out bool faulted);
            Check(!faulted && status == 0, "every start-stack check held (else: the number of the first that failed)", status);
        }

        private static void VdsoTimeCalls()
        {
            if (!Check(Exo.PosixX.Optimization.Vdso.Pages > 0, "the kernel has a vDSO to map (its time page and image)"))
                return;
            ulong clocks = LinuxSystemCalls.CallCount(Numbers.ClockGettime), days = LinuxSystemCalls.CallCount(Numbers.Gettimeofday);
            ulong times = LinuxSystemCalls.CallCount(Numbers.Time), processors = LinuxSystemCalls.CallCount(Numbers.Getcpu);
            Process process = ProgramLauncher.Spawn(VdsoTestCommandLine, out Error error);
            if (!Check(process != null, "vdso_test is in the boot image and starts"))
                return;
            ulong status = ProcessWaiting.Wait(process, out bool faulted);   // drops our reference
            Check(!faulted && status == 0, "every vdso_test check held (else: the number of the first that failed)", status);
            Check(LinuxSystemCalls.CallCount(Numbers.ClockGettime) - clocks == VdsoTestClockSystemCalls,
                "clock_gettime entered the kernel only for the program's deliberate system calls (count)",
                LinuxSystemCalls.CallCount(Numbers.ClockGettime) - clocks);
            Check(LinuxSystemCalls.CallCount(Numbers.Gettimeofday) == days, "gettimeofday never entered the kernel");
            Check(LinuxSystemCalls.CallCount(Numbers.Time) == times, "time never entered the kernel");
            if (Exo.Kernel.Arch.X64.CpuFeatures.Rdtscp || Exo.Kernel.Arch.X64.CpuFeatures.Rdpid)
                Check(LinuxSystemCalls.CallCount(Numbers.Getcpu) == processors, "getcpu never entered the kernel (RDTSCP/RDPID)");
        }
    }
}
