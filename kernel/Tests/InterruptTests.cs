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

        private static void SerialRouted()
        {
            Check(IoApic.IsInitialized, "I/O APIC found through the MADT");
            Check(InterruptDispatcher.IsRegistered(KernelMain.SerialVector), "COM1 receive handler registered");
        }
    }
}
