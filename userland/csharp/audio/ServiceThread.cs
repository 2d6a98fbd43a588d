using Exo.Abi;
using Exo.Std;
using Exo.Std.Memory;

namespace AudioService
{
    /// <summary>A second ring-3 thread of this process on a stack of its own (the kernel's thread create call): the
    /// entry must be an [UnmanagedCallersOnly] method that never returns (it ends with ThreadExit).</summary>
    internal static unsafe class ServiceThread
    {
        private const ulong StackBytes = 64 * 1024;

        public static Error Start(delegate* unmanaged<ulong, void> entry, ulong argument)
        {
            Error error = VirtualMemory.Map(0, StackBytes, true, out byte* stack);
            if (error != Error.None)
                return error;
            // As if called: the return address's slot below a 16-byte aligned top.
            ulong top = (ulong)(stack + StackBytes) - 8;
            long result = SystemCall.Call(SystemCallNumber.ThreadCreate, (ulong)entry, top, argument);
            return SystemCall.ErrorOf(result);
        }

        public static void Exit(int status)
        {
            SystemCall.Call(SystemCallNumber.ThreadExit, (ulong)status);
        }
    }
}
