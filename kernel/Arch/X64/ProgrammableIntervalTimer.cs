namespace Exo.Kernel.Arch.X64
{
    /// <summary>The 8254 PIT, used once at boot as a known clock (1.193182 MHz) to calibrate the TSC and APIC timer.</summary>
    public static class ProgrammableIntervalTimer
    {
        public const uint Frequency = 1193182;

        /// <summary>Arms channel 2 for 'ticks' PIT ticks (one shot, gate on, speaker off).</summary>
        public static void StartOneShot(ushort ticks)
        {
            byte control = Cpu.InByte(0x61);
            Cpu.OutByte(0x61, (byte)((control & 0xFC) | 0x01));   // gate high, speaker off
            Cpu.OutByte(0x43, 0xB0);                              // channel 2, lobyte/hibyte, mode 0
            Cpu.OutByte(0x42, (byte)ticks);
            Cpu.OutByte(0x42, (byte)(ticks >> 8));
            // Restart the count by toggling the gate.
            control = Cpu.InByte(0x61);
            Cpu.OutByte(0x61, (byte)(control & 0xFE));
            Cpu.OutByte(0x61, (byte)(control | 0x01));
        }

        /// <summary>True once the one-shot count has reached zero (OUT2 high).</summary>
        public static bool Expired => (Cpu.InByte(0x61) & 0x20) != 0;
    }
}
