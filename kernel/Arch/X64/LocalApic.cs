using Exo.Kernel.Diagnostics;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// This CPU's local APIC (xAPIC, memory-mapped): enabling, end-of-interrupt, and the timer, calibrated
    /// against the PIT and run periodically for the kernel tick.
    /// </summary>
    public static unsafe class LocalApic
    {
        public const int TimerVector = 32;
        private const uint ApicBaseMsr = 0x1B;
        private const int RegisterId = 0x20;
        private const int RegisterVersion = 0x30;
        private const int RegisterEndOfInterrupt = 0xB0;
        private const int RegisterSpurious = 0xF0;
        private const int RegisterLvtTimer = 0x320;
        private const int RegisterLvtLint0 = 0x350;
        private const int RegisterLvtLint1 = 0x360;
        private const int RegisterLvtError = 0x370;
        private const int RegisterTimerInitial = 0x380;
        private const int RegisterTimerCurrent = 0x390;
        private const int RegisterTimerDivide = 0x3E0;

        private static byte* s_registers;
        private static ulong s_physicalBase;
        private static ulong s_timerTicksPerSecond;   // APIC timer ticks per second at divide-by-16

        public static bool IsInitialized => s_registers != null;
        public static ulong TimerFrequency => s_timerTicksPerSecond;
        public static uint Id => Read(RegisterId) >> 24;
        /// <summary>Where the local APIC's registers are (every processor's at the same address; no driver may map it).</summary>
        public static ulong PhysicalBase => s_physicalBase;

        private static uint Read(int register) => System.Threading.Volatile.Read(ref *(uint*)(s_registers + register));
        private static void Write(int register, uint value) => System.Threading.Volatile.Write(ref *(uint*)(s_registers + register), value);

        public static void Initialize()
        {
            ulong baseMsr = Cpu.ReadMsr(ApicBaseMsr);
            s_physicalBase = baseMsr & 0xFFFFF000;
            s_registers = (byte*)PhysicalMemory.ToVirtual(s_physicalBase);
            EnableOnThisProcessor();
        }

        /// <summary>Every processor enables its own local APIC (same address, each sees its own).</summary>
        public static void EnableOnThisProcessor()
        {
            ulong baseMsr = Cpu.ReadMsr(ApicBaseMsr);
            Cpu.WriteMsr(ApicBaseMsr, baseMsr | (1UL << 11));          // globally enabled
            Write(RegisterSpurious, 0x100 | InterruptDispatcher.SpuriousVector);
            Write(RegisterLvtLint0, 1 << 16);                         // masked
            Write(RegisterLvtLint1, 1 << 16);
            Write(RegisterLvtError, 1 << 16);
            EndOfInterrupt();
        }

        public static void EndOfInterrupt()
        {
            if (s_registers != null)
                Write(RegisterEndOfInterrupt, 0);
        }

        /// <summary>Counts APIC timer ticks over 10 ms of the PIT (interrupts must be off).</summary>
        public static void CalibrateTimer()
        {
            const ushort pitTicks = (ushort)(ProgrammableIntervalTimer.Frequency / 100);
            Write(RegisterTimerDivide, 0x3);                          // divide by 16
            Write(RegisterLvtTimer, 1 << 16);                         // masked one-shot
            ProgrammableIntervalTimer.StartOneShot(pitTicks);
            Write(RegisterTimerInitial, 0xFFFFFFFF);
            ulong spins = 0;
            while (!ProgrammableIntervalTimer.Expired)
            {
                if (++spins > 100_000_000)
                    Panic.Fail("the PIT never expired while calibrating the APIC timer");
            }
            uint elapsed = 0xFFFFFFFF - Read(RegisterTimerCurrent);
            Write(RegisterTimerInitial, 0);
            s_timerTicksPerSecond = (ulong)elapsed * 100;
            if (s_timerTicksPerSecond == 0)
                Panic.Fail("APIC timer did not count during calibration");
        }

        /// <summary>Readies the timer for <see cref="ArmOneShot"/>: one-shot on <see cref="TimerVector"/>, counting at the bus rate.</summary>
        public static void PrepareOneShotTimer()
        {
            Write(RegisterTimerDivide, 0xB);                          // divide by 1
            Write(RegisterLvtTimer, TimerVector);                     // one-shot
        }

        /// <summary>The timer's interrupt after 'timeStampTicks' of the TSC (at least one count of the timer).</summary>
        public static void ArmOneShot(ulong timeStampTicks, ulong timeStampFrequency)
        {
            // Divide 1 counts 16 times the calibrated (divide 16) rate; a millisecond's product fits 64 bits at any rate.
            ulong count = timeStampTicks * (s_timerTicksPerSecond * 16) / timeStampFrequency;
            Write(RegisterTimerInitial, count == 0 ? 1u : count > uint.MaxValue ? uint.MaxValue : (uint)count);
        }

        private const int RegisterCommandLow = 0x300;
        private const int RegisterCommandHigh = 0x310;

        /// <summary>Writes the interrupt command register and waits (bounded) until the APIC has sent it.</summary>
        public static void SendCommand(uint apicId, uint command)
        {
            Write(RegisterCommandHigh, apicId << 24);
            Write(RegisterCommandLow, command);
            for (int spin = 0; spin < 1_000_000 && (Read(RegisterCommandLow) & (1 << 12)) != 0; spin++)
                Cpu.Pause();
        }

        /// <summary>A fixed interrupt 'vector' to the processor with local APIC id 'apicId'.</summary>
        public static void SendInterrupt(uint apicId, int vector) => SendCommand(apicId, (uint)vector);

        /// <summary>Sends 'vector' to this CPU through the interrupt command register.</summary>
        public static void SendSelfInterrupt(int vector)
        {
            Write(0x310, 0);
            Write(0x300, (uint)vector | (1 << 18));   // destination shorthand: self
        }
    }
}
