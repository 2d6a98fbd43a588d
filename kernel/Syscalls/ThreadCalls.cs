using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Threads of the calling process: create(entry, stack, argument) starts one in ring 3 (RDI = argument) and
    /// returns a thread handle; exit(status) ends the calling thread only (the process's exit call ends every
    /// thread); wait(handle) returns a thread's exit status; scheduling class(class) makes the calling thread normal,
    /// time-critical or background. A fault or a kill in any thread ends the process.
    /// </summary>
    public static unsafe class ThreadCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.ThreadCreate, &DoCreate);
            SystemCalls.Register(SystemCallNumber.ThreadExit, &DoExit);
            SystemCalls.Register(SystemCallNumber.ThreadWait, &DoWait);
            SystemCalls.Register(SystemCallNumber.ThreadSchedulingClass, &DoSchedulingClass);
        }

        private static ulong DoSchedulingClass(RegisterFrame* frame)
            => SystemCallResult.From(Scheduler.Scheduler.SetCurrentSchedulingClass(frame->Argument0));

        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong entry = frame->Argument0;
            ulong stack = frame->Argument1;
            ulong argument = frame->Argument2;
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            if (!UserMemory.IsUserRange(entry, 1) || !UserMemory.IsUserRange(stack - 8, 8))
                return SystemCallResult.From(Error.BadAddress);
            UserThread thread = ProgramLauncher.CreateThread(process, entry, stack, argument, out Error error);
            if (thread == null)
                return SystemCallResult.From(Error.OutOfMemory);   // 256 threads at once, an ending process, or no memory
            return SystemCalls.InsertHandle(process, thread, ObjectType.Thread, Rights.Read | Rights.Wait | Rights.Duplicate);
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
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Thread, Rights.Wait, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            UserThread thread = (UserThread)found;
            ulong status = 0;
            error = thread.Thread == Scheduler.Scheduler.Current
                ? Error.Invalid   // waiting for itself would never end
                : ProcessWaiting.WaitForThread(thread, out status);
            thread.Release();
            return SystemCallResult.From(error, status);
        }
    }
}
