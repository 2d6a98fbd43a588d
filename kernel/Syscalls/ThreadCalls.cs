using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Threads of the calling process: create(entry, stack, argument) starts one in ring 3 (RDI = argument) and
    /// returns a thread handle; exit(status) ends the calling thread only (the process's exit call ends every
    /// thread); wait(handle) returns a thread's exit status. A fault or a kill in any thread ends the process.
    /// </summary>
    public static unsafe class ThreadCalls
    {
        public const int Create = 54, Exit = 55, Wait = 56;

        internal static void Register()
        {
            SystemCalls.Register(Create, &DoCreate);
            SystemCalls.Register(Exit, &DoExit);
            SystemCalls.Register(Wait, &DoWait);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong entry = frame->Argument0;
            ulong stack = frame->Argument1;
            ulong argument = frame->Argument2;
            if (CapabilitySpace.CurrentProcess is not Process process)
                return SystemCalls.AccessDenied;
            if (!UserMemory.IsUserRange(entry, 1) || !UserMemory.IsUserRange(stack - 8, 8))
                return SystemCalls.BadAddress;
            UserThread thread = ProgramLauncher.CreateThread(process, entry, stack, argument, out string error);
            if (thread == null)
                return SystemCalls.OutOfMemory;   // the limit of 16 threads, an ending process, or no memory
            return CapabilitySpace.InsertNew(process, thread, KernelObjectType.Thread, Rights.Read | Rights.Wait | Rights.Duplicate);
        }

        // The status is 32 bits, like the process's exit status.
        private static ulong DoExit(RegisterFrame* frame)
        {
            UserMode.UserMode.ExitThread(frame->Argument0 & 0xFFFFFFFF);
            return 0;
        }

        private static ulong DoWait(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Thread, Rights.Wait, out KernelObject found);
            if (error != 0)
                return error;
            UserThread thread = (UserThread)found;
            ulong result = thread.Thread == Scheduler.Scheduler.Current
                ? SystemCalls.InvalidArgument   // waiting for itself would never end
                : ProcessWaiting.WaitForThread(thread);
            thread.Release();
            return result;
        }
    }
}
