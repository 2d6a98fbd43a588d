using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Smp;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>Application processors start, get their own tables, and answer inter-processor interrupts.</summary>
    public static unsafe class SmpTests
    {
        public static void Run()
        {
            Test("every_processor_online", &EveryProcessorOnline);
            Test("interrupt_reaches_every_processor", &InterruptReachesEveryProcessor);
            Test("distinct_apic_ids", &DistinctApicIds);
            Test("trampoline_unmapped_after_start", &TrampolineUnmapped);
        }

        private static void EveryProcessorOnline()
        {
            int expected = Madt.ProcessorCount < DescriptorTables.MaximumProcessors ? Madt.ProcessorCount : DescriptorTables.MaximumProcessors;
            Check(Madt.ProcessorCount >= 1, "the MADT lists processors");
            Equal((ulong)expected, (ulong)Processors.Online, "every processor in the MADT came online");
            for (int i = 0; i < Processors.Count; i++)
                Check(Processors.IsOnline(i), "processor online", (ulong)i);
        }

        private static void InterruptReachesEveryProcessor()
        {
            for (int i = 0; i < Processors.Count; i++)
            {
                ulong before = Processors.InterruptsReceived(i);
                Processors.Ping(i);
                for (int wait = 0; wait < 100_000 && Processors.InterruptsReceived(i) == before; wait++)
                    Cpu.Pause();
                Equal(before + 1, Processors.InterruptsReceived(i), "the processor handled the interrupt once");
            }
        }

        private static void DistinctApicIds()
        {
            for (int i = 0; i < Processors.Count; i++)
                for (int j = i + 1; j < Processors.Count; j++)
                    Check(Processors.ApicIdOf(i) != Processors.ApicIdOf(j), "APIC ids differ", Processors.ApicIdOf(i));
        }

        private static void TrampolineUnmapped()
            => Check(!KernelPageTables.TryTranslate(0x8000, out _, out _), "the low trampoline page is unmapped again");
    }
}
