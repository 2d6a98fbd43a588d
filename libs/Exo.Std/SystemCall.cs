using System.Runtime.InteropServices;
using Exo.Std.Ipc;

namespace Exo.Std
{
    /// <summary>
    /// Raw system calls (Arch/X64/SystemCall.asm). The result is the kernel's RAX: a value, or a negative
    /// error number (see <see cref="Error"/>). The typed wrappers (Handle, Endpoint, Process, ...) are the
    /// API programs should use; these are for what the wrappers do not cover yet.
    /// </summary>
    public static unsafe class SystemCall
    {
        [DllImport("*", EntryPoint = "ExoStdSystemCall"), SuppressGCTransition]
        private static extern long Invoke(ulong number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4);

        /// <summary>A Fusion Ring call: sends the words and handle in 'registers', then overwrites them with what came back.</summary>
        [DllImport("*", EntryPoint = "ExoStdIpc"), SuppressGCTransition]
        public static extern long Ipc(ulong number, ulong endpoint, IpcRegisters* registers);

        public static long Call(ulong number) => Invoke(number, 0, 0, 0, 0, 0);
        public static long Call(ulong number, ulong argument0) => Invoke(number, argument0, 0, 0, 0, 0);
        public static long Call(ulong number, ulong argument0, ulong argument1) => Invoke(number, argument0, argument1, 0, 0, 0);
        public static long Call(ulong number, ulong argument0, ulong argument1, ulong argument2) => Invoke(number, argument0, argument1, argument2, 0, 0);
        public static long Call(ulong number, ulong argument0, ulong argument1, ulong argument2, ulong argument3) => Invoke(number, argument0, argument1, argument2, argument3, 0);
        public static long Call(ulong number, ulong argument0, ulong argument1, ulong argument2, ulong argument3, ulong argument4)
            => Invoke(number, argument0, argument1, argument2, argument3, argument4);
    }
}
