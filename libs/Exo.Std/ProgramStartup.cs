using System.Runtime.InteropServices;
using Exo.Runtime;
using Exo.Std.Memory;

namespace Exo.Std
{
    /// <summary>
    /// What a C# user program needs before its Main, called by _start (Arch/X64/ProgramStart.asm) — the user
    /// counterpart of the kernel's start-up: install the failure handler and the user heap as the runtime's
    /// object allocator, run the runtime's start-up (static bases, eager class constructors), keep the
    /// startup handles. The program's code, static constructors included, runs only after this.
    /// </summary>
    public static unsafe class ProgramStartup
    {
        [UnmanagedCallersOnly(EntryPoint = "ExoStdStart")]
        private static void Start(ulong handleCount, ulong* handles)
        {
            RuntimeFailure.Install(&OnRuntimeFailure);
            AvxCopy.InstallIfUsable();
            ObjectAllocator.Install(&UserHeap.AllocateObject, &UserHeap.FreeObject);
            RuntimeStartup.Initialize();
            Process.SetStartupHandles(handleCount, handles);
            MonotonicClock.Initialize();
        }

        /// <summary>Called by _start with Main's result: what the program printed goes out, then it exits.</summary>
        [UnmanagedCallersOnly(EntryPoint = "ExoStdExit")]
        private static void Exit(int status) => Process.Exit(status);

        // A throw (there is no unwinding), a failed runtime check or a heap error: report and exit, the user
        // counterpart of a kernel panic.
        private static void OnRuntimeFailure(string reason, object exception, nuint address)
        {
            Console.Write(exception != null ? "unhandled exception: " : "runtime failure: ");
            Console.Write(reason);
            // A throw's reason is usually its message already: print the message only when it adds something.
            if (exception is System.Exception thrown && thrown.Message != null && !string.Equals(thrown.Message, reason))
            {
                Console.Write(": ");
                Console.Write(thrown.Message);
            }
            if (address != 0)
            {
                Console.Write(" at ");
                Console.WriteHex(address);
            }
            Console.WriteLine();
            Process.Exit(Process.RuntimeFailureStatus);
        }
    }
}
