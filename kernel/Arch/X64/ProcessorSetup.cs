using System.Runtime.InteropServices;
using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Per-processor protection and state features, switched on by every processor at start-up:
    /// SMEP (the kernel never executes user pages), SMAP (the kernel touches user pages only inside the
    /// copy helpers, Arch/X64/UserAccess.asm) and XSAVE with x87, SSE and AVX enabled in XCR0 (those of them
    /// CPUID leaf 0xD offers), so that user threads' SIMD state is saved with XSAVEOPT (which skips state a thread
    /// never touched or did not change since its last restore); and IA32_TSC_AUX set to the
    /// processor's index, which RDTSCP and RDPID return in ring 3 (the vDSO's getcpu reads it there without a
    /// system call; Linux puts the same there, with the NUMA node above bit 12: node 0 here).
    /// </summary>
    public static unsafe class ProcessorSetup
    {
        private const ulong Cr4OsXsave = 1UL << 18, Cr4Smep = 1UL << 20, Cr4Smap = 1UL << 21;
        private const uint TscAuxiliaryMsr = 0xC0000103;
        // The user state components XCR0 gets when the processor has them: x87, SSE, AVX. Not AVX-512's opmask
        // and ZMM components (5-7): QEMU's TCG (7.2) does not implement AVX-512 and offers none of them, so they
        // could not be tested, and they would grow every signal frame by 1.8 KiB; programs see them off in XCR0
        // and keep to AVX2. Not MPX or PKRU either (no programs here use them).
        private const ulong UserComponents = ExtendedState.X87 | ExtendedState.Sse | ExtendedState.Avx;
        private const uint ExtendedStateLeaf = 0xD, AvxComponent = 2;

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
                EnableExtendedState();
            else if (!ExtendedState.Configure(0, ExtendedState.LegacyRegionSize + ExtendedState.HeaderSize, 0, 0))
                Panic.Fail("FXSAVE's area does not fit a thread's extended-state page");
            SetSmapEnabled(CpuFeatures.Smap ? (byte)1 : (byte)0);
            SetExtendedStateMode(ExtendedStateMode);
            if (CpuFeatures.Rdtscp || CpuFeatures.Rdpid)   // the MSR exists with either (writing it otherwise faults)
                Cpu.WriteMsr(TscAuxiliaryMsr, (ulong)Cpu.CurrentProcessor());   // the GS block is set before this
        }

        // XCR0 = the user components CPUID 0xD offers (EDX:EAX of subleaf 0), then the area's size for them (EBX,
        // which follows XCR0) and AVX's place (subleaf 2: EAX size, EBX offset), checked to fit a thread's page.
        private static void EnableExtendedState()
        {
            uint* registers = stackalloc uint[4];
            Cpu.CpuId(ExtendedStateLeaf, 0, registers);
            ulong offered = registers[0] | ((ulong)registers[3] << 32);
            ulong components = (offered & UserComponents) | ExtendedState.X87;   // XCR0 bit 0 is always set
            if (!CpuFeatures.Avx)
                components &= ~ExtendedState.Avx;
            Cpu.WriteXcr0(components);
            Memory.UserMemory.EnableWideCopies((components & ExtendedState.Avx) != 0);
            Cpu.CpuId(ExtendedStateLeaf, 0, registers);
            int size = (int)registers[1];
            Cpu.CpuId(ExtendedStateLeaf, AvxComponent, registers);
            if (!ExtendedState.Configure(components, size, (int)registers[1], (int)registers[0]))
                Panic.Fail("XSAVE area for x87/SSE/AVX does not fit a thread's extended-state page (CPUID 0xD)");
            Cpu.CpuId(ExtendedStateLeaf, 1, registers);
            s_xsaveOptimized = (registers[0] & 1) != 0;    // EAX bit 0: XSAVEOPT
        }

        /// <summary>How user SIMD state is saved: 0 FXSAVE, 1 XSAVE, 2 XSAVEOPT (the entry paths' assembly has one of each).</summary>
        public static byte ExtendedStateMode => !CpuFeatures.Xsave ? (byte)0 : s_xsaveOptimized ? (byte)2 : (byte)1;
    }
}
