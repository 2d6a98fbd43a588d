using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Per-processor protection and state features, switched on by every processor at start-up:
    /// SMEP (the kernel never executes user pages), SMAP (the kernel touches user pages only inside the
    /// copy helpers, Arch/X64/UserAccess.asm) and XSAVE with x87+SSE enabled in XCR0, so that user threads'
    /// SSE state is saved with XSAVEOPT (which skips state a thread never touched); and IA32_TSC_AUX set to the
    /// processor's index, which RDTSCP and RDPID return in ring 3 (the vDSO's getcpu reads it there without a
    /// system call; Linux puts the same there, with the NUMA node above bit 12: node 0 here).
    /// </summary>
    public static unsafe class ProcessorSetup
    {
        private const ulong Cr4OsXsave = 1UL << 18, Cr4Smep = 1UL << 20, Cr4Smap = 1UL << 21;
        private const uint TscAuxiliaryMsr = 0xC0000103;
        public const ulong X87AndSse = 3;   // XCR0 components: x87 (0), SSE (1); AVX stays off

        [DllImport("*", EntryPoint = "ExoSetSmapEnabled"), SuppressGCTransition]
        private static extern void SetSmapEnabled(byte enabled);

        [DllImport("*", EntryPoint = "ExoSetExtendedStateMode"), SuppressGCTransition]
        private static extern void SetExtendedStateMode(byte mode);

        // XSAVEOPT available (else user state is saved with XSAVE, or FXSAVE without XSAVE).
        private static bool s_xsaveOptimized;

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
                // A user thread's area is a whole page: far more than x87 + SSE need (576 bytes).
                uint* registers = stackalloc uint[4];
                Cpu.CpuId(0xD, 1, registers);
                s_xsaveOptimized = (registers[0] & 1) != 0;    // EAX bit 0: XSAVEOPT
            }
            SetSmapEnabled(CpuFeatures.Smap ? (byte)1 : (byte)0);
            SetExtendedStateMode(ExtendedStateMode);
            if (CpuFeatures.Rdtscp || CpuFeatures.Rdpid)   // the MSR exists with either (writing it otherwise faults)
                Cpu.WriteMsr(TscAuxiliaryMsr, (ulong)Cpu.CurrentProcessor());   // the GS block is set before this
        }

        /// <summary>How user SSE state is saved: 0 FXSAVE, 1 XSAVE, 2 XSAVEOPT (the entry paths' assembly has one of each).</summary>
        public static byte ExtendedStateMode => !CpuFeatures.Xsave ? (byte)0 : s_xsaveOptimized ? (byte)2 : (byte)1;
    }
}
