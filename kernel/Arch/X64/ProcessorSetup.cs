using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Per-processor protection and state features, switched on by every processor at start-up:
    /// SMEP (the kernel never executes user pages), SMAP (the kernel touches user pages only inside the
    /// copy helpers, Arch/X64/UserAccess.asm) and XSAVE with x87+SSE enabled in XCR0, so that user threads'
    /// SSE state is saved with XSAVEOPT (which skips state a thread never touched).
    /// </summary>
    public static unsafe class ProcessorSetup
    {
        private const ulong Cr4OsXsave = 1UL << 18, Cr4Smep = 1UL << 20, Cr4Smap = 1UL << 21;
        public const ulong X87AndSse = 3;   // XCR0 components: x87 (0), SSE (1); AVX stays off

        [DllImport("*", EntryPoint = "ExoSetSmapEnabled"), SuppressGCTransition]
        private static extern void SetSmapEnabled(byte enabled);

        [DllImport("*", EntryPoint = "ExoSetExtendedStateMode"), SuppressGCTransition]
        private static extern void SetExtendedStateMode(byte mode);

        private static bool s_xsaveOptimized;
        private static uint s_extendedStateSize = 512;

        public static bool SmepEnabled => CpuFeatures.Smep;
        public static bool SmapEnabled => CpuFeatures.Smap;
        public static bool XsaveEnabled => CpuFeatures.Xsave;
        /// <summary>XSAVEOPT available (else user state is saved with XSAVE, or FXSAVE without XSAVE).</summary>
        public static bool XsaveOptimized => s_xsaveOptimized;
        /// <summary>Bytes of a user thread's extended-state area for the enabled components.</summary>
        public static uint ExtendedStateSize => s_extendedStateSize;

        public static void EnableOnThisProcessor()
        {
            ulong cr4 = Cpu.ReadCr4();
            if (CpuFeatures.Smep) cr4 |= Cr4Smep;
            if (CpuFeatures.Smap) cr4 |= Cr4Smap;
            if (CpuFeatures.Xsave) cr4 |= Cr4OsXsave;
            Cpu.WriteCr4(cr4);
            if (CpuFeatures.Xsave)
            {
                Cpu.WriteXcr0(X87AndSse);
                uint* registers = stackalloc uint[4];
                Cpu.CpuId(0xD, 0, registers);
                s_extendedStateSize = registers[1];            // EBX: size for the components now in XCR0
                Cpu.CpuId(0xD, 1, registers);
                s_xsaveOptimized = (registers[0] & 1) != 0;    // EAX bit 0: XSAVEOPT
            }
            SetSmapEnabled(CpuFeatures.Smap ? (byte)1 : (byte)0);
            SetExtendedStateMode(!CpuFeatures.Xsave ? (byte)0 : s_xsaveOptimized ? (byte)2 : (byte)1);
        }
    }
}
