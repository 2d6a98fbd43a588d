namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// The names /proc/cpuinfo's "flags" line gives CPUID feature bits, as Linux's arch/x86/include/asm/cpufeatures.h
    /// names them, in Linux's order (its capability words 0, 1, 4, 6, 9, 16: leaf 1 EDX, leaf 0x80000001 EDX, leaf 1
    /// ECX, leaf 0x80000001 ECX, leaf 7 EBX, leaf 7 ECX). A bit Linux does not show (a duplicate, or one it names "")
    /// has no name here either. Pure logic, tested on the host.
    /// </summary>
    public static class CpuFlags
    {
        // Word 0: CPUID 1, EDX.
        private static readonly string[] s_leaf1Edx =
        {
            "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", null, "sep", "mtrr", "pge", "mca", "cmov",
            "pat", "pse36", "pn", "clflush", null, "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
        };

        // Word 1: CPUID 0x80000001, EDX (the bits that repeat leaf 1's are not shown twice).
        private static readonly string[] s_extendedEdx =
        {
            null, null, null, null, null, null, null, null, null, null, null, "syscall", null, null, null, null,
            null, null, null, "mp", "nx", null, "mmxext", null, null, "fxsr_opt", "pdpe1gb", "rdtscp", null, "lm", "3dnowext", "3dnow",
        };

        // Word 4: CPUID 1, ECX (OSXSAVE is not shown by Linux).
        private static readonly string[] s_leaf1Ecx =
        {
            "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
            null, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", null, "avx", "f16c", "rdrand", "hypervisor",
        };

        // Word 6: CPUID 0x80000001, ECX.
        private static readonly string[] s_extendedEcx =
        {
            "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", null, "lwp",
            "fma4", "tce", null, "nodeid_msr", null, "tbm", "topoext", "perfctr_core", "perfctr_nb", null, "bpext", "ptsc", "perfctr_llc", "mwaitx", null, null,
        };

        // Word 9: CPUID 7.0, EBX.
        private static readonly string[] s_leaf7Ebx =
        {
            "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", null, "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", null, "mpx", "rdt_a",
            "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", null, "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl",
        };

        // Word 16: CPUID 7.0, ECX.
        private static readonly string[] s_leaf7Ecx =
        {
            null, "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", null, "gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", null,
            "la57", null, null, null, null, null, "rdpid", null, "bus_lock_detect", "cldemote", null, "movdiri", "movdir64b", "enqcmd", "sgx_lc", null,
        };

        /// <summary>Writes the names of the set bits, separated by single spaces, in Linux's order.</summary>
        public static void Write(ref ProcText text, uint leaf1Edx, uint extendedEdx, uint leaf1Ecx, uint extendedEcx, uint leaf7Ebx, uint leaf7Ecx)
        {
            bool first = true;
            Word(ref text, s_leaf1Edx, leaf1Edx, ref first);
            Word(ref text, s_extendedEdx, extendedEdx, ref first);
            Word(ref text, s_leaf1Ecx, leaf1Ecx, ref first);
            Word(ref text, s_extendedEcx, extendedEcx, ref first);
            Word(ref text, s_leaf7Ebx, leaf7Ebx, ref first);
            Word(ref text, s_leaf7Ecx, leaf7Ecx, ref first);
        }

        private static void Word(ref ProcText text, string[] names, uint bits, ref bool first)
        {
            for (int bit = 0; bit < 32; bit++)
            {
                if ((bits & (1u << bit)) == 0 || names[bit] == null)
                    continue;
                if (!first)
                    text.Byte((byte)' ');
                text.Text(names[bit]);
                first = false;
            }
        }
    }
}
