using System.Runtime.InteropServices;

namespace Exo.Std.Memory
{
    /// <summary>
    /// Copies of 256 bytes and more in 32-byte AVX moves (Arch/X64/AvxCopy.asm), installed at start-up as the runtime's
    /// <see cref="Exo.Runtime.WideCopy"/> when the processor and the kernel allow it: about half the instructions of
    /// the SSE loop for the frames and socket data that the drivers and services move.
    /// </summary>
    public static unsafe class AvxCopy
    {
        [DllImport("*", EntryPoint = "ExoStdAvxUsable"), SuppressGCTransition]
        private static extern int AvxUsable();

        [DllImport("*", EntryPoint = "ExoStdCopyForwardAvx"), SuppressGCTransition]
        private static extern void CopyForwardNative(byte* destination, byte* source, nuint length);

        private static void CopyForward(byte* destination, byte* source, nuint length) => CopyForwardNative(destination, source, length);

        /// <summary>Installs the copy when AVX is there; true if it was.</summary>
        public static bool InstallIfUsable()
        {
            if (AvxUsable() == 0)
                return false;
            Exo.Runtime.WideCopy.Install(&CopyForward);
            return true;
        }
    }
}
