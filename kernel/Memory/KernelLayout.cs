using System.Runtime.InteropServices;

namespace Exo.Kernel.Memory
{
    /// <summary>Where the kernel image lives, from the linker script (Boot/Linker.ld).</summary>
    public static unsafe class KernelLayout
    {
        public const ulong VirtualBase = 0xFFFFFFFF80000000;
        /// <summary>All physical memory is mapped here (2 MiB pages), so the kernel can reach any frame.</summary>
        public const ulong DirectMapBase = 0xFFFF800000000000;

        public static ulong PhysicalStart, PhysicalEnd;
        public static ulong TextStart, TextEnd, ReadOnlyStart, ReadOnlyEnd, DataStart, ImageEnd;
        public static ulong BootStackGuard, BootStackBottom, BootStackTop;

        [DllImport("*", EntryPoint = "ExoGetKernelLayout"), SuppressGCTransition]
        private static extern void GetLayout(ulong* values);

        public static void Initialize()
        {
            ulong* values = stackalloc ulong[11];
            GetLayout(values);
            PhysicalStart = values[0];
            PhysicalEnd = values[1];
            TextStart = values[2];
            TextEnd = values[3];
            ReadOnlyStart = values[4];
            ReadOnlyEnd = values[5];
            DataStart = values[6];
            ImageEnd = values[7];
            BootStackGuard = values[8];
            BootStackBottom = values[9];
            BootStackTop = values[10];
        }

        public static ulong ToPhysical(ulong kernelVirtual) => kernelVirtual - VirtualBase;
    }
}
