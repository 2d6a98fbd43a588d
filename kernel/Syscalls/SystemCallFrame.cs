using System.Runtime.InteropServices;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// The user registers SystemCallEntry.asm pushes on the thread's system call stack (from its top down), and
    /// pops back on return. A handler that returns more than RAX writes the other registers here, in its own
    /// frame or, for IPC, in the frame of the blocked peer it delivers a message to.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SystemCallFrame
    {
        public ulong Rax, R9, R8, R10, Rdx, Rsi, Rdi, R11, Rcx, Rsp;

        public const int Size = 10 * 8;

        /// <summary>The frame of a thread that is in a system call (or blocked in one).</summary>
        public static unsafe SystemCallFrame* Of(Scheduler.Thread thread) => (SystemCallFrame*)(thread.UserKernelStack - Size);
    }
}
