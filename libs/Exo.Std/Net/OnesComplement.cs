using System.Runtime.InteropServices;

namespace Exo.Std.Net
{
    /// <summary>
    /// The Internet checksum's ones' complement sum in assembly (Arch/X64/OnesComplementSum.asm): an add-with-carry
    /// chain that C# cannot express. netstack hands <see cref="Sum"/> to the network stack library
    /// (Exo.Network.InternetChecksum.Accelerate), whose portable loop the host tests run.
    /// </summary>
    public static unsafe class OnesComplement
    {
        [DllImport("*", EntryPoint = "ExoStdOnesComplementSum"), SuppressGCTransition]
        private static extern ulong SumNative(byte* bytes, long length);

        /// <summary>The sum of 'length' bytes as little-endian 16-bit words (a lone last byte as a low byte), folded to
        /// 16 bits; 0 only for bytes that are all zero.</summary>
        public static ulong Sum(byte* bytes, int length) => length <= 0 ? 0 : SumNative(bytes, length);
    }
}
