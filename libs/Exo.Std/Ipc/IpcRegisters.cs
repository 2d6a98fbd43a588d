using System.Runtime.InteropServices;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// The registers a Fusion Ring call sends and receives (RDI, RSI, RDX, R10, R8, R9), in the order
    /// Arch/X64/SystemCall.asm's ExoStdIpc reads and writes them: do not reorder the fields.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IpcRegisters
    {
        /// <summary>Received: the sender's badge (its process id).</summary>
        public ulong Badge;
        public ulong Word0, Word1, Word2, Word3;
        /// <summary>Sent: a handle value, bit 32 set to move it; received: this process's new handle, 0 if none.</summary>
        public ulong Handle;
    }
}
