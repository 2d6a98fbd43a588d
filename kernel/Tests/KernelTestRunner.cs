using Exo.Kernel.Arch.X64;
using Exo.Kernel.Boot;
using Exo.Kernel.Console;
using Exo.Kernel.Power;
using Exo.Kernel.Time;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// Runs the in-kernel suites named on the command line ("test=runtime,heap" or "test=all") and reports
    /// each test over the serial protocol in docs/serial-protocols.md, then exits QEMU with the outcome.
    /// A suite is a method that calls <see cref="Test"/> once per test; it runs twice: once to count (the
    /// plan line), once to execute.
    /// A test passes when it made at least one check (<see cref="Check(bool, string)"/> or <see cref="Equal"/>)
    /// and none failed. A test that made no check is reported as failed ("checked nothing"): a test that cannot
    /// fail tests nothing. A test that does not apply here (one processor, a missing CPU feature) calls
    /// <see cref="Skip"/> with the reason and returns: it is reported as skipped, unless a check failed first.
    /// </summary>
    public static unsafe class KernelTestRunner
    {
        private static bool s_counting;
        private static int s_count;
        private static string s_suite;
        private static int s_passed, s_failed, s_skipped;
        private static bool s_currentFailed;
        private static int s_currentChecks;
        private static string s_currentSkipReason;
        private static string s_currentMessage;
        private static ulong s_currentValue;
        private static bool s_currentHasValue;

        public static void RunAndExit(byte* list, int length)
        {
            Diagnostics.DiagnosticsCapability.GrantToKernelPrograms();   // test programs may use the test-only calls
            KernelConsole.WriteLine();
            bool any = false;
            any |= RunSuite(list, length, "runtime", &RuntimeTests.Run);
            any |= RunSuite(list, length, "physical_memory", &PhysicalMemoryTests.Run);
            any |= RunSuite(list, length, "paging", &PagingTests.Run);
            any |= RunSuite(list, length, "heap", &HeapTests.Run);
            any |= RunSuite(list, length, "exceptions", &ExceptionTests.Run);
            any |= RunSuite(list, length, "interrupts", &InterruptTests.Run);
            any |= RunSuite(list, length, "timer", &TimerTests.Run);
            any |= RunSuite(list, length, "scheduler", &SchedulerTests.Run);
            any |= RunSuite(list, length, "smp", &SmpTests.Run);
            any |= RunSuite(list, length, "usermode", &UserModeTests.Run);
            any |= RunSuite(list, length, "processes", &ProcessTests.Run);
            any |= RunSuite(list, length, "linux", &LinuxTests.Run);
            any |= RunSuite(list, length, "ipc", &IpcTests.Run);
            any |= RunSuite(list, length, "drivers", &DriverTests.Run);
            any |= RunSuite(list, length, "pci", &PciTests.Run);
            any |= RunSuite(list, length, "init", &InitTests.Run);
            // Deliberate faults: these end in a panic report by design (checked by the host).
            if (IsExactly(list, length, "fault_page"))
                FaultTests.TouchUnmappedPage();
            if (IsExactly(list, length, "fault_panic"))
                FaultTests.ThrowException();
            if (IsExactly(list, length, "fault_double_free"))
                FaultTests.DoubleFree();
            if (IsExactly(list, length, "fault_lock_order"))
                FaultTests.LockOrderInversion();
            if (!any)
                KernelConsole.WriteLine("EXO-TEST error: no known suite in test= (see Tests/KernelTestRunner.cs)");

            KernelConsole.Write("EXO-TEST done passed=");
            KernelConsole.WriteDecimal((ulong)s_passed);
            KernelConsole.Write(" failed=");
            KernelConsole.WriteDecimal((ulong)s_failed);
            KernelConsole.Write(" skipped=");
            KernelConsole.WriteDecimal((ulong)s_skipped);
            KernelConsole.Write(" uptime_us=");
            KernelConsole.WriteDecimal(SystemClock.UptimeMicroseconds);
            KernelConsole.WriteLine();
            QemuDebugExit.Exit(s_failed == 0 && any ? QemuDebugExit.Success : QemuDebugExit.TestsFailed);
            while (true)
                Cpu.Halt();
        }

        // Fault tests are never part of "all": they are asked for by name, alone.
        private static bool IsExactly(byte* list, int length, string name)
        {
            if (length != name.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (list[i] != name[i])
                    return false;
            return true;
        }

        private static bool RunSuite(byte* list, int length, string name, delegate*<void> suite)
        {
            if (!KernelCommandLine.ListContains(list, length, name))
                return false;
            s_suite = name;
            s_counting = true;
            s_count = 0;
            suite();
            KernelConsole.Write("EXO-TEST plan ");
            KernelConsole.WriteDecimal((ulong)s_count);
            KernelConsole.Write(" ");
            KernelConsole.WriteLine(name);
            s_counting = false;
            suite();
            return true;
        }

        /// <summary>Runs one test (or counts it, in the planning pass).</summary>
        public static void Test(string name, delegate*<void> body)
        {
            if (s_counting)
            {
                s_count++;
                return;
            }
            KernelConsole.Write("EXO-TEST begin ");
            KernelConsole.Write(s_suite);
            KernelConsole.Write(".");
            KernelConsole.WriteLine(name);
            s_currentFailed = false;
            s_currentMessage = null;
            s_currentHasValue = false;
            s_currentChecks = 0;
            s_currentSkipReason = null;
            ulong start = SystemClock.UptimeMicroseconds;
            body();
            ulong elapsed = SystemClock.UptimeMicroseconds - start;
            // A failed check wins over a skip; a skip over "checked nothing".
            if (!s_currentFailed && s_currentSkipReason == null && s_currentChecks == 0)
            {
                s_currentFailed = true;
                s_currentMessage = "checked nothing (the test made no Check or Equal call and did not Skip)";
            }
            bool skipped = !s_currentFailed && s_currentSkipReason != null;
            KernelConsole.Write(s_currentFailed ? "EXO-TEST fail " : skipped ? "EXO-TEST skip " : "EXO-TEST pass ");
            KernelConsole.Write(s_suite);
            KernelConsole.Write(".");
            KernelConsole.Write(name);
            KernelConsole.Write(" ");
            KernelConsole.WriteDecimal(elapsed);
            if (s_currentFailed)
            {
                KernelConsole.Write(" ");
                KernelConsole.Write(s_currentMessage);
                if (s_currentHasValue)
                {
                    KernelConsole.Write(" (value ");
                    KernelConsole.WriteHex(s_currentValue);
                    KernelConsole.Write(")");
                }
                s_failed++;
            }
            else if (skipped)
            {
                KernelConsole.Write(" ");
                KernelConsole.Write(s_currentSkipReason);
                s_skipped++;
            }
            else
            {
                s_passed++;
            }
            KernelConsole.WriteLine();
        }

        /// <summary>
        /// The running test does not apply here (say why: "one processor", "no SMAP"); it is reported as skipped
        /// unless one of its checks failed. Return from the test after calling it.
        /// </summary>
        public static void Skip(string reason)
        {
            if (s_currentSkipReason == null)
                s_currentSkipReason = reason == null || reason.Length == 0 ? "(no reason given)" : reason;
        }

        /// <summary>Records a failure of the running test (the first message is reported). Returns 'condition'.</summary>
        public static bool Check(bool condition, string message)
        {
            s_currentChecks++;
            if (!condition && !s_currentFailed)
            {
                s_currentFailed = true;
                s_currentMessage = message;
            }
            return condition;
        }

        /// <summary>Like <see cref="Check"/>, and reports 'value' with the message.</summary>
        public static bool Check(bool condition, string message, ulong value)
        {
            if (!condition && !s_currentFailed)
            {
                s_currentHasValue = true;
                s_currentValue = value;
            }
            return Check(condition, message);
        }

        public static bool Equal(ulong expected, ulong actual, string message)
            => Check(expected == actual, message, actual);
    }
}
