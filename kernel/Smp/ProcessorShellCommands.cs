using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Time;

namespace Exo.Kernel.Smp
{
    /// <summary>The shell's cpu command: the processor, its features, the TSC and timer, how many processors run.</summary>
    public static unsafe class ProcessorShellCommands
    {
        public static void Register() => ShellCommands.Register("cpu", "cpu       processor, features, TSC and timer frequencies", &Processor);

        private static void Processor(CommandLine* line)
        {
            KernelConsole.Write("vendor: ");
            WriteCString(CpuFeatures.Vendor);
            KernelConsole.Write("  family ");
            KernelConsole.WriteDecimal(CpuFeatures.Family);
            KernelConsole.Write(" model ");
            KernelConsole.WriteDecimal(CpuFeatures.Model);
            KernelConsole.Write(" stepping ");
            KernelConsole.WriteDecimal(CpuFeatures.Stepping);
            KernelConsole.WriteLine();
            KernelConsole.Write("brand: ");
            WriteCString(CpuFeatures.Brand);
            KernelConsole.WriteLine();
            KernelConsole.Write("features:");
            Feature("sse2", CpuFeatures.Sse2); Feature("sse3", CpuFeatures.Sse3); Feature("ssse3", CpuFeatures.Ssse3);
            Feature("sse4.1", CpuFeatures.Sse41); Feature("sse4.2", CpuFeatures.Sse42); Feature("popcnt", CpuFeatures.Popcnt);
            Feature("avx", CpuFeatures.Avx); Feature("avx2", CpuFeatures.Avx2); Feature("xsave", CpuFeatures.Xsave);
            Feature("nx", CpuFeatures.NoExecute); Feature("pcid", CpuFeatures.Pcid); Feature("smep", CpuFeatures.Smep);
            Feature("smap", CpuFeatures.Smap); Feature("fsgsbase", CpuFeatures.FsGsBase); Feature("1g-pages", CpuFeatures.GigabytePages);
            Feature("apic", CpuFeatures.Apic); Feature("x2apic", CpuFeatures.X2Apic); Feature("tsc-deadline", CpuFeatures.TscDeadline);
            Feature("rdtscp", CpuFeatures.Rdtscp); Feature("invariant-tsc", CpuFeatures.InvariantTsc); Feature("hypervisor", CpuFeatures.Hypervisor);
            KernelConsole.WriteLine();
            KernelConsole.Write("user SIMD state: XCR0 ");
            KernelConsole.WriteHex(ExtendedState.Components, 2);
            KernelConsole.Write(", ");
            KernelConsole.WriteDecimal((ulong)ExtendedState.Size);
            KernelConsole.Write(" bytes a thread, saved with ");
            KernelConsole.WriteLine(ProcessorSetup.ExtendedStateMode == 2 ? "XSAVEOPT" : ProcessorSetup.ExtendedStateMode == 1 ? "XSAVE" : "FXSAVE");
            KernelConsole.Write("TSC: ");
            ShellCommands.WriteFixed3(SystemClock.TscFrequency / 1000);
            KernelConsole.WriteLine(" MHz (calibrated against the PIT)");
            KernelConsole.Write("APIC timer: ");
            ShellCommands.WriteFixed3(LocalApic.TimerFrequency / 1000);
            KernelConsole.Write(" MHz after divide-by-16, tick ");
            KernelConsole.WriteDecimal(SystemClock.TickHertz);
            KernelConsole.WriteLine(" Hz");
            KernelConsole.Write("processors (ACPI MADT): ");
            KernelConsole.WriteDecimal((ulong)Madt.ProcessorCount);
            KernelConsole.Write(", online ");
            KernelConsole.WriteDecimal((ulong)Processors.Online);
            KernelConsole.Write(" (all schedule threads), boot CPU APIC id ");
            KernelConsole.WriteDecimal(LocalApic.Id);
            KernelConsole.WriteLine();
        }

        private static void Feature(string name, bool present)
        {
            if (!present)
                return;
            KernelConsole.Write(' ');
            KernelConsole.Write(name);
        }

        private static void WriteCString(byte* text)
        {
            for (int i = 0; text[i] != 0 && i < 64; i++)
                KernelConsole.Write((char)text[i]);
        }
    }
}
