using Exo.Kernel.Arch.X64;
using Exo.Kernel.Time;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    public static unsafe class InterruptTests
    {
        private const int TestVector = 0x40;
        private static ulong s_testInterrupts;
        private static ulong s_lastVector;

        public static void Run()
        {
            Test("timer_interrupts_arrive", &TimerInterruptsArrive);
            Test("self_ipi_reaches_handler", &SelfInterrupt);
            Test("interrupts_masked_while_disabled", &MaskedWhileDisabled);
            Test("serial_interrupt_routed", &SerialRouted);
        }

        private static void TimerInterruptsArrive()
        {
            ulong before = SystemClock.Ticks;
            ulong deviceBefore = InterruptDispatcher.DeviceInterruptCount;
            for (int i = 0; i < 20; i++)
                Cpu.EnableInterruptsAndHalt();
            Check(SystemClock.Ticks > before, "timer ticks counted", SystemClock.Ticks - before);
            Check(InterruptDispatcher.DeviceInterruptCount > deviceBefore, "device interrupts dispatched");
        }

        private static void OnTestVector(RegisterFrame* frame)
        {
            s_testInterrupts++;
            s_lastVector = frame->Vector;
        }

        private static void SelfInterrupt()
        {
            if (!InterruptDispatcher.IsRegistered(TestVector))
                InterruptDispatcher.Register(TestVector, &OnTestVector);
            ulong before = s_testInterrupts;
            LocalApic.SendSelfInterrupt(TestVector);
            for (int i = 0; i < 1000 && s_testInterrupts == before; i++)
                Cpu.Pause();
            Equal(before + 1, s_testInterrupts, "self-IPI delivered once");
            Equal(TestVector, s_lastVector, "handler saw its vector");
        }

        private static void MaskedWhileDisabled()
        {
            Cpu.DisableInterrupts();
            ulong before = SystemClock.Ticks;
            SystemClock.SpinMicroseconds(5000);
            ulong during = SystemClock.Ticks;
            Cpu.EnableInterrupts();
            Equal(before, during, "no tick while interrupts are disabled");
            for (int i = 0; i < 5; i++)
                Cpu.EnableInterruptsAndHalt();
            Check(SystemClock.Ticks > during, "the pending tick arrives after enabling");
        }

        // COM1's receive interrupt reaches its handler: the UART raises it, the I/O APIC's entry for IRQ 4 (after
        // the MADT's overrides) is unmasked and carries the serial vector to the boot processor, and that vector
        // has a handler. (No byte is typed here: the shell tests type into the console.)
        private static void SerialRouted()
        {
            if (!Check(IoApic.IsInitialized, "I/O APIC found through the MADT"))
                return;
            bool routed = IoApic.ReadRoute(Console.SerialPort.Irq, out int vector, out bool masked, out uint apicId);
            Check(routed, "COM1's IRQ has an I/O APIC pin", IoApic.GlobalInterruptOf(Console.SerialPort.Irq));
            Equal(KernelMain.SerialVector, (ulong)vector, "the I/O APIC delivers COM1's IRQ as the serial vector");
            Check(!masked, "COM1's I/O APIC entry is unmasked");
            Equal(Smp.Processors.ApicIdOf(0), apicId, "to the boot processor");
            Check((Cpu.InByte(Console.SerialPort.Com1 + 1) & 1) != 0, "the UART raises an interrupt when a byte arrives");
            Check(InterruptDispatcher.IsRegistered(KernelMain.SerialVector), "COM1 receive handler registered");
        }
    }
}
