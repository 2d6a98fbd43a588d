using System.Runtime.InteropServices;
using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Benchmarks;
using Exo.Kernel.Boot;
using Exo.Kernel.Console;
using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Power;
using Exo.Kernel.Tests;
using Exo.Kernel.Time;
using Exo.Runtime;

namespace Exo.Kernel
{
    /// <summary>
    /// From the boot stub to the shell. The order matters: nothing may touch a reference-type static field
    /// or allocate before the heap is installed and <see cref="RuntimeStartup.Initialize"/> has run.
    /// </summary>
    public static unsafe class KernelMain
    {
        public const int SerialVector = 36;
        private static BootInformation s_boot;
        private static ulong s_entryTsc;
        private static ulong s_readyTsc;

        public static BootInformation* Boot { get { fixed (BootInformation* boot = &s_boot) return boot; } }
        /// <summary>TSC at the kernel's first C# instruction and when the shell or tests start.</summary>
        public static ulong EntryTsc => s_entryTsc;
        public static ulong ReadyTsc => s_readyTsc;

        [UnmanagedCallersOnly(EntryPoint = "KernelMain")]
        public static void Start(uint bootMagic, ulong bootInformation)
        {
            s_entryTsc = Cpu.ReadTimeStampCounter();
            SerialPort.Initialize();
            ConsoleOutput.Initialize();
            KernelConsole.WriteLine("Exo-OS kernel starting");
            RuntimeFailure.Install(&OnRuntimeFailure);
            DescriptorTables.Initialize();
            Smp.Processors.SetLocalBlock(0);
            Sync.LockOrder.Enable();   // Debug builds: every lock acquisition checked against LockRank from here on
            KernelLayout.Initialize();
            CpuFeatures.Initialize();
            ProcessorSetup.EnableOnThisProcessor();
            UserMode.UserMode.EnableSystemCalls();

            string bootError = BootInformationParser.Parse(bootMagic, bootInformation, 0, Boot);
            if (bootError != null)
                Panic.Fail("boot information", bootError, null, null);

            PhysicalMemory.Initialize(Boot);
            KernelPageTables.Initialize();
            KernelHeap.Initialize();
            InitialRamDisk.Initialize(Boot);   // through the direct map, now final
            ObjectAllocator.Install(&KernelHeap.AllocateObject, &KernelHeap.FreeObject);
            RuntimeStartup.Initialize();

            LegacyPic.Disable();
            LocalApic.Initialize();
            fixed (byte* rsdp = s_boot.Rsdp)
                AcpiTables.Initialize(s_boot.RsdpLength > 0 ? rsdp : null, s_boot.RsdpLength);
            if (!Madt.Initialize())
                KernelConsole.WriteLine("warning: no ACPI MADT / I/O APIC: serial input is polled");
            AcpiPower.Initialize();
            Drivers.DeviceResources.Initialize();

            SystemClock.CalibrateTsc();
            WallClock.Initialize();
            TimeDataPage.Initialize();   // the clocks' page for ring 3 (the vDSO reads it), before any program
            LocalApic.CalibrateTimer();
            SystemClock.StartTick();
            if (IoApic.IsInitialized && IoApic.RouteIsaInterrupt(SerialPort.Irq, SerialVector, LocalApic.Id))
            {
                InterruptDispatcher.Register(SerialVector, &OnSerialInterrupt);
                SerialPort.EnableReceiveInterrupt();
            }
            Scheduler.Scheduler.Initialize();
            Processes.ProcessRegistry.Initialize();
            Capabilities.CapabilitySpace.Initialize();
            Console.ConsoleCapability.Initialize();
            Processes.ProcessReaper.Initialize();
            PosixX.PosixX.Initialize();
            IoPermissions.Initialize();
            Cpu.EnableInterrupts();
            Smp.Processors.StartAll();
            s_readyTsc = Cpu.ReadTimeStampCounter();

            KernelConsole.Write("Exo-OS ready: ");
            KernelConsole.WriteSize(PhysicalMemory.TotalUsableBytes);
            KernelConsole.Write(" usable memory, boot took ");
            KernelConsole.WriteDecimal((s_readyTsc - s_entryTsc) * 1000 / SystemClock.TscFrequency);
            KernelConsole.WriteLine(" ms (TSC)");

            RegisterShellCommands();
            bool initStarted;
            fixed (byte* commandLine = s_boot.CommandLine)
            {
                if (KernelCommandLine.FindValue(commandLine, s_boot.CommandLineLength, "test", out int start, out int length))
                    KernelTestRunner.RunAndExit(commandLine + start, length);
                if (KernelCommandLine.HasValue(commandLine, s_boot.CommandLineLength, "bench", "posix"))
                    KernelBenchmarks.RunPosixAndExit();
                if (KernelCommandLine.HasWord(commandLine, s_boot.CommandLineLength, "bench"))
                    KernelBenchmarks.RunAndExit(KernelCommandLine.HasWord(commandLine, s_boot.CommandLineLength, "quick"));
                initStarted = StartInit(commandLine, s_boot.CommandLineLength);
            }
            Shell.Run(dormant: initStarted);   // with init, the console is its programs'; Ctrl-] reaches the kernel shell
        }

        // Each subsystem brings its own commands; 'help' lists them in this order.
        private static void RegisterShellCommands()
        {
            MemoryShellCommands.Register();
            TimeShellCommands.Register();
            Smp.ProcessorShellCommands.Register();
            BootShellCommands.RegisterModules();
            Processes.ProcessShellCommands.RegisterStatus();
            BootShellCommands.RegisterPrograms();
            PosixX.PosixXShellCommands.Register();
            Processes.ProcessShellCommands.Register();
            Benchmarks.BenchmarkShellCommands.Register();
            DiagnosticShellCommands.Register();
            PowerShellCommands.Register();
            Drivers.Pci.PciShellCommands.Register();
        }

        // init=NAME picks init's configuration in the boot image (init=none: no init); the default is init.conf.
        private static bool StartInit(byte* commandLine, int length)
        {
            Processes.Process init;
            Error error;
            if (KernelCommandLine.HasValue(commandLine, length, "init", "none"))
                return false;
            if (KernelCommandLine.FindValue(commandLine, length, "init", out int start, out int valueLength))
            {
                init = Processes.InitProcess.Start(commandLine + start, valueLength, out error);
            }
            else
            {
                init = Processes.InitProcess.Start(Processes.InitProcess.DefaultConfiguration, out error);
            }
            if (init == null)
            {
                KernelConsole.Write("init not started: ");
                KernelConsole.WriteLine(Errors.Describe(error));
                return false;
            }
            KernelConsole.Write("init started (pid ");
            KernelConsole.WriteDecimal((ulong)init.Id);
            KernelConsole.WriteLine(")");
            init.Release();   // it runs on; 'ps' and 'caps' find it by id
            return true;
        }

        private static void OnSerialInterrupt(RegisterFrame* frame) => SerialPort.HandleInterrupt();

        private static void OnRuntimeFailure(string reason, object exception, nuint address)
        {
            Panic.Fail(exception != null ? "unhandled exception" : "runtime failure", reason, null, exception, address);
        }

        // Required by the Exe output type; the boot stub enters through KernelMain instead.
        public static int Main() => 0;
    }
}
