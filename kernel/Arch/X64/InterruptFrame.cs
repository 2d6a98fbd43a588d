using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>The register frame that InterruptEntry.asm saves, lowest address first.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InterruptFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;
    }
}
