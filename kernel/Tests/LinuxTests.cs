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
            Test("program_reads_proc", &ProcRead);
            Test("busybox_reads_proc", &BusyboxReadsProc);
            Test("proc_frees_what_it_makes", &ProcNoLeak);
            Test("mount_and_umount", &MountAndUnmount);
            Test("vdso_time_calls_stay_in_ring3", &VdsoTimeCalls);
        }

        /// <summary>
        /// mount_test (userland/linux) mounts a tmpfs under /tmp, uses it, is refused its unmounting while it is in use,
        /// unmounts it, checks the refusals (ENODEV, EINVAL, EBUSY, EPERM) and a read-only remount, and that 40 rounds of
        /// mount, write, umount give their memory back. Exo-OS only: on the build machine it would mount on the host.
        /// </summary>
        private static void MountAndUnmount()
            => RunChecks("mount_test", null, "every mount check held (else: the number of the first that failed)");

        private static void StartStack()
            => RunChecks(StartTestCommandLine, StartTestEnvironment, "every start-stack check held (else: the number of the first that failed)");

        // Runs a test program that exits with 0 when its checks held, else with the number of the first that failed.
        private static void RunChecks(string commandLine, string environment, string what)
        {
            Process process = ProgramLauncher.Spawn(commandLine, out Error error, environment: environment);
            if (!Check(process != null, "the program is in the boot image and starts", (ulong)error))
                return;
            ulong status = ProcessWaiting.Wait(process, out bool faulted);
            Check(!faulted && status == 0, what, status);
        }

        /// <summary>
        /// proc_test (userland/linux) reads /proc/self/stat, status, maps, cmdline, exe, fd/, /proc/meminfo, uptime,
        /// loadavg, stat, cpuinfo, version, mounts, lists /proc, and checks what it finds (its pid, its [stack], MemTotal
        /// above 0...) and the refusals of a read-only file system; it exits with the number of the first check that
        /// failed. The same binary passes on Linux.
        /// </summary>
        private static void ProcRead()
            => RunChecks("proc_test one two", null, "every /proc check held (else: the number of the first that failed)");

        /// <summary>
        /// busybox_proc_test (userland/linux) runs Debian's busybox from /bin: ps, top -bn1, free, uptime, df, mount,
        /// pidof and ls /proc, each with its output in a file, and checks what they printed (its own pid among ps's
        /// processes, free's total, /proc in mount's list...). The same binary passes on Linux.
        /// </summary>
        private static void BusyboxReadsProc()
            => RunChecks("busybox_proc_test", null, "every busybox check held (else: the number of the first that failed)");

        /// <summary>
        /// /proc makes an object per lookup, a text per open, and buffers per listing, link and path search: eight more
        /// runs of proc_test (hundreds of each) leave the kernel heap's bytes in use where they were, measured with the
        /// processors' allocation caches emptied.
        /// </summary>
        private static void ProcNoLeak()
        {
            ulong warm = ProcessTests.RunByName("proc_test one two", out bool faulted, out Error error);
            if (!Check(error == Error.None && !faulted && warm == 0, "proc_test runs (the warm-up)", warm))
                return;
            int processesBefore = ProcessTests.SettledProcessCount();
            ProcessTests.EmptyAllocatorCaches();
            ulong before = Memory.Heap.KernelHeap.BytesInUse;
            for (int i = 0; i < 8; i++)
            {
                ulong status = ProcessTests.RunByName("proc_test one two", out faulted, out error);
                if (!Check(error == Error.None && !faulted && status == 0, "proc_test runs again", status))
                    return;
            }
            ProcessTests.WaitForReaper(processesBefore);
            ProcessTests.EmptyAllocatorCaches();
            ulong after = Memory.Heap.KernelHeap.BytesInUse;
            Check(after <= before + 64 * 1024, "eight runs later, the heap's bytes in use are back (within 64 KiB)", after - before);
        }

        private static void VdsoTimeCalls()
        {
            if (!Check(Exo.PosixX.Optimization.Vdso.Pages > 0, "the kernel has a vDSO to map (its time page and image)"))
                return;
            ulong clocks = LinuxSystemCalls.CallCount(Numbers.ClockGettime), days = LinuxSystemCalls.CallCount(Numbers.Gettimeofday);
            ulong times = LinuxSystemCalls.CallCount(Numbers.Time), processors = LinuxSystemCalls.CallCount(Numbers.Getcpu);
            RunChecks(VdsoTestCommandLine, null, "every vdso_test check held (else: the number of the first that failed)");
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
