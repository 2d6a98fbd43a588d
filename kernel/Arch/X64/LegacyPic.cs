namespace Exo.Kernel.Arch.X64
{
    /// <summary>The 8259 pair: moved off the exception vectors and masked, since the APICs take over.</summary>
    public static class LegacyPic
    {
        public static void Disable()
        {
            Cpu.OutByte(0x20, 0x11); Cpu.OutByte(0xA0, 0x11);   // initialise, expect ICW4
            Cpu.OutByte(0x21, 0xF0); Cpu.OutByte(0xA1, 0xF8);   // vectors 0xF0..0xFF, in case one fires
            Cpu.OutByte(0x21, 0x04); Cpu.OutByte(0xA1, 0x02);   // cascade
            Cpu.OutByte(0x21, 0x01); Cpu.OutByte(0xA1, 0x01);   // 8086 mode
            Cpu.OutByte(0x21, 0xFF); Cpu.OutByte(0xA1, 0xFF);   // mask everything
        }
    }
}
