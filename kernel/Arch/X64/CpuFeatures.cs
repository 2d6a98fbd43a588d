namespace Exo.Kernel.Arch.X64
{
    /// <summary>What CPUID says about this processor.</summary>
    public static unsafe class CpuFeatures
    {
        private struct Text { public fixed byte Bytes[52]; }
        private static Text s_vendor, s_brand;
        private static uint s_leaf1Ecx, s_leaf1Edx, s_leaf7Ebx, s_leaf7Ecx, s_extendedEdx, s_extendedEcx, s_powerEdx;
        private static uint s_family, s_model, s_stepping;

        public static uint Family => s_family;
        public static uint Model => s_model;
        public static uint Stepping => s_stepping;

        public static void Initialize()
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(0, 0, r);
            uint maxLeaf = r[0];
            fixed (byte* vendor = s_vendor.Bytes)
            {
                *(uint*)vendor = r[1]; *(uint*)(vendor + 4) = r[3]; *(uint*)(vendor + 8) = r[2]; vendor[12] = 0;
            }
            Cpu.CpuId(1, 0, r);
            s_leaf1Ecx = r[2];
            s_leaf1Edx = r[3];
            s_stepping = r[0] & 0xF;
            s_model = ((r[0] >> 4) & 0xF) | (((r[0] >> 16) & 0xF) << 4);
            s_family = ((r[0] >> 8) & 0xF) + ((r[0] >> 20) & 0xFF);
            if (maxLeaf >= 7)
            {
                Cpu.CpuId(7, 0, r);
                s_leaf7Ebx = r[1];
                s_leaf7Ecx = r[2];
            }
            Cpu.CpuId(0x80000000, 0, r);
            uint maxExtended = r[0];
            if (maxExtended >= 0x80000001)
            {
                Cpu.CpuId(0x80000001, 0, r);
                s_extendedEcx = r[2];
                s_extendedEdx = r[3];
            }
            fixed (byte* brand = s_brand.Bytes)
            {
                brand[0] = 0;
                if (maxExtended >= 0x80000004)
                {
                    for (uint leaf = 0; leaf < 3; leaf++)
                    {
                        Cpu.CpuId(0x80000002 + leaf, 0, (uint*)(brand + leaf * 16));
                    }
                    brand[48] = 0;
                }
            }
            if (maxExtended >= 0x80000007)
            {
                Cpu.CpuId(0x80000007, 0, r);
                s_powerEdx = r[3];
            }
        }

        public static byte* Vendor { get { fixed (byte* vendor = s_vendor.Bytes) return vendor; } }
        public static byte* Brand { get { fixed (byte* brand = s_brand.Bytes) return brand; } }

        /// <summary>CPUID leaf 1's EDX feature bits (what Linux hands programs as AT_HWCAP on x86).</summary>
        public static uint Leaf1Edx => s_leaf1Edx;
        /// <summary>The other feature words, as /proc/cpuinfo's flags name their bits: leaf 1 ECX, leaf 7 EBX and ECX, leaf 0x80000001 EDX and ECX.</summary>
        public static uint Leaf1Ecx => s_leaf1Ecx;
        public static uint Leaf7Ebx => s_leaf7Ebx;
        public static uint Leaf7Ecx => s_leaf7Ecx;
        public static uint ExtendedEdx => s_extendedEdx;
        public static uint ExtendedEcx => s_extendedEcx;
        public static bool Rdrand => (s_leaf1Ecx & (1 << 30)) != 0;
        public static bool Sse3 => (s_leaf1Ecx & (1 << 0)) != 0;
        public static bool Ssse3 => (s_leaf1Ecx & (1 << 9)) != 0;
        public static bool Sse41 => (s_leaf1Ecx & (1 << 19)) != 0;
        public static bool Sse42 => (s_leaf1Ecx & (1 << 20)) != 0;
        public static bool Popcnt => (s_leaf1Ecx & (1 << 23)) != 0;
        public static bool X2Apic => (s_leaf1Ecx & (1 << 21)) != 0;
        public static bool TscDeadline => (s_leaf1Ecx & (1 << 24)) != 0;
        public static bool Xsave => (s_leaf1Ecx & (1 << 26)) != 0;
        public static bool Avx => (s_leaf1Ecx & (1 << 28)) != 0;
        public static bool Pcid => (s_leaf1Ecx & (1 << 17)) != 0;
        public static bool Hypervisor => (s_leaf1Ecx & (1u << 31)) != 0;
        public static bool Apic => (s_leaf1Edx & (1 << 9)) != 0;
        public static bool Sse2 => (s_leaf1Edx & (1 << 26)) != 0;
        public static bool Avx2 => (s_leaf7Ebx & (1 << 5)) != 0;
        public static bool Smep => (s_leaf7Ebx & (1 << 7)) != 0;
        public static bool Smap => (s_leaf7Ebx & (1 << 20)) != 0;
        public static bool FsGsBase => (s_leaf7Ebx & (1 << 0)) != 0;
        public static bool NoExecute => (s_extendedEdx & (1 << 20)) != 0;
        public static bool GigabytePages => (s_extendedEdx & (1 << 26)) != 0;
        public static bool Rdtscp => (s_extendedEdx & (1 << 27)) != 0;
        public static bool Rdpid => (s_leaf7Ecx & (1 << 22)) != 0;
        public static bool InvariantTsc => (s_powerEdx & (1 << 8)) != 0;
    }
}
