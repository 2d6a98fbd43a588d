using System.Runtime.InteropServices;
using Exo.Abi;
using Exo.Std.Ipc;

namespace Exo.Std
{
    /// <summary>
    /// Raw system calls (Arch/X64/SystemCall.asm), by Exo.Abi's <see cref="SystemCallNumber"/>. The result is the
    /// kernel's RAX: a value, or an <see cref="Error"/> negated; <see cref="ErrorOf"/> and <see cref="ResultOf"/>
    /// are the one place exo_std converts between the two. The typed wrappers (Handle, Endpoint, Process, ...)
    /// are the API programs should use; these are for what the wrappers do not cover yet.
    /// </summary>
    public static unsafe class SystemCall
    {
        [DllImport("*", EntryPoint = "ExoStdSystemCall"), SuppressGCTransition]
        private static extern long Invoke(ulong number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4);

        [DllImport("*", EntryPoint = "ExoStdSystemCall6"), SuppressGCTransition]
        private static extern long Invoke6(ulong number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4, ulong argument5);

        [DllImport("*", EntryPoint = "ExoStdIpc"), SuppressGCTransition]
        private static extern long InvokeIpc(ulong number, ulong endpoint, IpcRegisters* registers);

        /// <summary>A Fusion Ring call: sends the words and handle in 'registers', then overwrites them with what came back.</summary>
        public static long Ipc(SystemCallNumber number, ulong endpoint, IpcRegisters* registers) => InvokeIpc((ulong)number, endpoint, registers);

        public static long Call(SystemCallNumber number) => Invoke((ulong)number, 0, 0, 0, 0, 0);
        public static long Call(SystemCallNumber number, ulong argument0) => Invoke((ulong)number, argument0, 0, 0, 0, 0);
        public static long Call(SystemCallNumber number, ulong argument0, ulong argument1) => Invoke((ulong)number, argument0, argument1, 0, 0, 0);
        public static long Call(SystemCallNumber number, ulong argument0, ulong argument1, ulong argument2) => Invoke((ulong)number, argument0, argument1, argument2, 0, 0);
        public static long Call(SystemCallNumber number, ulong argument0, ulong argument1, ulong argument2, ulong argument3) => Invoke((ulong)number, argument0, argument1, argument2, argument3, 0);
        public static long Call(SystemCallNumber number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4)
            => Invoke((ulong)number, argument0, argument1, argument2, argument3, argument4);
        public static long Call(SystemCallNumber number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4, ulong argument5)
            => Invoke6((ulong)number, argument0, argument1, argument2, argument3, argument4, argument5);

        /// <summary>The error in a raw result (a system call's, or a service reply's status word): None when the
        /// result is a value (zero or positive).</summary>
        public static Error ErrorOf(long result) => result < 0 ? (Error)(int)-result : Error.None;

        /// <summary>An error as a raw result: what the kernel returns in RAX, and what a service puts in its reply's
        /// status word.</summary>
        public static ulong ResultOf(Error error) => unchecked((ulong)-(long)error);
    }
}
