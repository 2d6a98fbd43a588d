using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Random words for what must not be guessable by a program (AT_RANDOM, the seed of its stack protector):
    /// RDRAND where the processor has it, else the time stamp counter through a SplitMix64 mixer (weaker, but
    /// different on every call and every boot).
    /// </summary>
    public static unsafe class HardwareRandom
    {
        private static ulong s_fallbackState;

        [DllImport("*", EntryPoint = "ExoReadHardwareRandom"), SuppressGCTransition]
        private static extern bool ReadHardwareRandom(ulong* value);

        public static ulong Next()
        {
            ulong value;
            if (CpuFeatures.Rdrand && ReadHardwareRandom(&value))
                return value;
            ulong state = (ulong)System.Threading.Interlocked.Add(ref System.Runtime.CompilerServices.Unsafe.As<ulong, long>(ref s_fallbackState),
                unchecked((long)(0x9E3779B97F4A7C15UL ^ Cpu.ReadTimeStampCounter())));
            ulong mixed = (ulong)state;
            mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL;
            mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL;
            return mixed ^ (mixed >> 31);
        }
    }
}
