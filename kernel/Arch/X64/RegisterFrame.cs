using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// A complete register frame, lowest address first: what an interrupt or exception saves
    /// (InterruptEntry.asm) and what a system call saves (SystemCallEntry.asm), in the same layout. A thread
    /// running ring-3 code has its frame at one place, just below its kernel-entry stack top, whichever way
    /// it entered the kernel: the frame is the user state that execve, a fork child, a signal handler and
    /// its return leave the kernel from (SYSRET when the frame allows it, IRETQ otherwise).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RegisterFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        /// <summary>Interrupt vector, or <see cref="SystemCallVector"/> for a system call.</summary>
        public ulong Vector;
        /// <summary>The exception's error code; for a system call, its number (RAX at entry).</summary>
        public ulong ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;

        public const int Size = 22 * 8;
        /// <summary>Marks a frame saved by the SYSCALL entry (no interrupt vector is this large).</summary>
        public const ulong SystemCallVector = 0x100;

        public bool IsSystemCall => Vector == SystemCallVector;
        public bool IsFromUserMode => (Cs & 3) == 3;

        // A system call's number and arguments, by the x86-64 system call convention (native and Linux alike).
        public ulong SystemCallNumber => ErrorCode;
        public ulong Argument0 => Rdi;
        public ulong Argument1 => Rsi;
        public ulong Argument2 => Rdx;
        public ulong Argument3 => R10;
        public ulong Argument4 => R8;
        public ulong Argument5 => R9;

        private const ulong InterruptFlag = 1 << 9;
        private const ulong ReservedFlag = 1 << 1;
        // What ring 3 may set in RFLAGS: CF PF AF ZF SF TF DF OF AC ID (never IF, IOPL, NT, RF or VM).
        private const ulong UserFlags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x200000;
        private const ulong UserAddressLimit = 0x0000_7FFF_FFFF_F000;

        /// <summary>
        /// Makes the frame safe to return to ring 3 with IRETQ, whatever wrote it: user code and stack
        /// segments, interrupts enabled, no I/O privilege. False if the instruction pointer is not a user
        /// address (the thread cannot go back to ring 3 from this frame).
        /// </summary>
        public bool SanitizeForUserMode()
        {
            Cs = DescriptorTables.UserCode;
            Ss = DescriptorTables.UserData;
            Rflags = (Rflags & UserFlags) | InterruptFlag | ReservedFlag;
            return Rip < UserAddressLimit;
        }

        /// <summary>A frame that starts ring-3 code at 'entry' with 'stack', every other register zero.</summary>
        public static RegisterFrame StartAt(ulong entry, ulong stack, ulong argument0 = 0, ulong argument1 = 0)
        {
            RegisterFrame frame = default;
            frame.Rip = entry;
            frame.Rsp = stack;
            frame.Rdi = argument0;
            frame.Rsi = argument1;
            frame.SanitizeForUserMode();
            return frame;
        }
    }
}
