using Exo.Kernel.Processes;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// init, the name service and restarts: init starts from the boot image with init_test.conf, which names
    /// the echo service and a client task. The client looks the service up, uses it, makes it crash, finds the
    /// restarted one under the same name, checks the name service's refusals; init reports the crash, restarts
    /// the service, and exits with the number of tasks that failed (the test configuration asks it to).
    /// </summary>
    public static unsafe class InitTests
    {
        public static void Run()
        {
            Test("init_starts_services_and_restarts_a_crashed_one", &InitWithTestConfiguration);
            Test("init_refuses_a_missing_configuration", &MissingConfiguration);
        }

        private static void InitWithTestConfiguration()
        {
            int processesBefore = ProcessTests.SettledProcessCount();
            Process init = InitProcess.Start("init_test.conf", out Error error);
            Check(init != null, "init and init_test.conf are in the boot image and init starts");
            if (init == null)
                return;
            ulong status = ProcessWaiting.Wait(init, out bool faulted);
            Check(!faulted && status == 0, "every task init ran succeeded (else: how many failed, or 100 + init's own error)", status);
            ProcessTests.WaitForReaper(processesBefore);
            Check(ProcessRegistry.Count <= processesBefore, "init stopped its services (kill) before it exited: nothing is left", (ulong)ProcessRegistry.Count);
        }

        private static void MissingConfiguration()
        {
            Process init = InitProcess.Start("no_such.conf", out Error error);
            Check(init == null && error != Error.None, "a configuration the boot image lacks is a clear error, nothing is started");
            ulong status = ProcessTests.RunByName("init", out bool faulted, out _);
            Check(!faulted && status == 100 + 1, "init started without its configuration says so and exits with 101", status);
        }
    }
}
