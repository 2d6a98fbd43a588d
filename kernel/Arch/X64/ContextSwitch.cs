using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>The register-window switch between two kernel stacks (ContextSwitch.asm).</summary>
    public static unsafe class ContextSwitch
    {
        /// <summary>Saves the callee-saved window on the current stack, stores RSP in *save, and resumes the other stack.</summary>
        [DllImport("*", EntryPoint = "ExoSwitchStack"), SuppressGCTransition]
        public static extern void SwitchStack(ulong* save, ulong newStackPointer);

        [DllImport("*", EntryPoint = "ExoGetThreadStartAddress"), SuppressGCTransition]
        public static extern ulong ThreadStartAddress();

        /// <summary>
        /// Lays out a new thread's stack so that the first switch to it "returns" into ExoThreadStart with
        /// 'argument' in R12. Returns the stack pointer to switch to.
        /// </summary>
        public static ulong PrepareStack(ulong stackTop, ulong argument)
        {
            ulong* stack = (ulong*)(stackTop & ~15UL);
            *--stack = 0;                         // padding, so that after the 'ret' below RSP = top - 16:
            *--stack = 0;                         // ExoThreadStart runs with RSP 16-byte aligned
            *--stack = ThreadStartAddress();      // return address of ExoSwitchStack
            *--stack = 0;                         // rbp
            *--stack = 0;                         // rbx
            *--stack = argument;                  // r12
            *--stack = 0;                         // r13
            *--stack = 0;                         // r14
            *--stack = 0;                         // r15
            return (ulong)stack;
        }
    }
}
