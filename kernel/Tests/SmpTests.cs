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
            Test("tlb_shoot_down_reaches_other_processors", &TlbShootDown);
            Test("tlb_shoot_down_of_a_space_no_processor_runs_sends_nothing", &ShootDownOfAnUnloadedSpace);
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
            if (Processors.Count < 2)
            {
                Skip("one processor: no second APIC id to compare");
                return;
            }
            for (int i = 0; i < Processors.Count; i++)
                for (int j = i + 1; j < Processors.Count; j++)
                    Check(Processors.ApicIdOf(i) != Processors.ApicIdOf(j), "APIC ids differ", Processors.ApicIdOf(i));
        }

        private const ulong ShootDownTestAddress = 0xFFFFFF0000100000;
        private static volatile int s_phase;
        private static ulong s_firstRead, s_secondReadResult;

        // Pinned to processor 1: reads the page (its TLB now holds the translation), waits, reads again.
        private static void ReadTwice(ulong unused)
        {
            ulong value;
            s_firstRead = FaultFixups.ProbeRead(ShootDownTestAddress, &value) == 0 ? value : ulong.MaxValue;
            s_phase = 1;
            while (s_phase != 2)
                Cpu.Pause();
            s_secondReadResult = FaultFixups.ProbeRead(ShootDownTestAddress, &value);
            s_phase = 3;
        }

        private static void TlbShootDown()
        {
            if (Processors.Online < 2)
            {
                Skip("one processor: no other processor's TLB to shoot down");
                return;
            }
            ulong frame = PhysicalMemory.AllocateFrame();
            if (!Check(frame != 0, "a frame for the test page"))
                return;
            *(ulong*)PhysicalMemory.ToVirtual(frame) = 0x5EED;
            KernelPageTables.MapPage(ShootDownTestAddress, frame, true, false);
            s_phase = 0;
            Scheduler.Thread reader = Scheduler.Scheduler.Create("tlb-reader", &ReadTwice, 0, affinity: 1);
            while (s_phase != 1)
                Scheduler.Scheduler.Yield();
            ulong shootDownsBefore = Processors.ShootDowns;
            KernelPageTables.UnmapPage(ShootDownTestAddress);
            s_phase = 2;
            while (s_phase != 3)
                Scheduler.Scheduler.Yield();
            Scheduler.Scheduler.Join(reader);
            PhysicalMemory.FreeFrame(frame);
            Equal(0x5EED, s_firstRead, "processor 1 read the mapped page");
            Equal(15, s_secondReadResult, "after the unmap, processor 1 faults instead of using a stale translation");
            Equal(shootDownsBefore + 1, Processors.ShootDowns, "the unmap sent a shoot-down");
        }

        // A space no processor has loaded (being built, or torn down after its last thread) needs no interrupt: without
        // PCID a processor that loaded another root since holds none of its translations.
        private static void ShootDownOfAnUnloadedSpace()
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (!Check(frame != 0, "a frame to stand for a page-table root"))
                return;
            ulong before = Processors.ShootDowns;
            Processors.ShootDown(0x400000, frame);
            Processors.ShootDownAll(frame);
            PhysicalMemory.FreeFrame(frame);
            Equal(before, Processors.ShootDowns, "no shoot-down was sent for a root no processor has loaded");
        }

        // The trampoline is mapped only while application processors start: with one processor it never was.
        private static void TrampolineUnmapped()
        {
            if (Madt.ProcessorCount < 2)
            {
                Skip("one processor: the start-up trampoline was never mapped");
                return;
            }
            Check(!KernelPageTables.TryTranslate(0x8000, out _, out _), "the low trampoline page is unmapped again");
        }
    }
}
