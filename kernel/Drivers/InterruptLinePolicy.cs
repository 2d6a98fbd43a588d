namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// Which legacy (ISA) interrupt lines may become an <see cref="InterruptLine"/>: 1 to 15, except those the
    /// kernel takes itself: 0 (the PIT, which calibrates the tick), 2 (the cascade, and where QEMU's MADT sends
    /// the PIT) and 4 (COM1's receive interrupt, the kernel console). Pure logic, compiled into the host tests.
    /// </summary>
    public static class InterruptLinePolicy
    {
        public const int IsaLines = 16;

        public static bool IsValid(ulong irq) => irq < IsaLines;

        public static bool IsKernelLine(ulong irq) => irq == 0 || irq == 2 || irq == 4;
    }
}
