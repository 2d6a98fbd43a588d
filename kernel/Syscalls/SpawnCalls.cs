using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Processes from user mode: spawn(command line, length, handles, count) starts a program from the boot image
    /// (the command line's first word) with copies of the listed capabilities (and nothing else) and returns a
    /// process handle; wait(handle) returns its exit status (2^32 + vector if a fault ended it); watch(handle,
    /// notification, bits) signals the bits when it ends (a supervisor's way to wait for many); kill(handle) ends it.
    /// </summary>
    public static unsafe class SpawnCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.ProcessSpawn, &DoSpawn);
            SystemCalls.Register(SystemCallNumber.ProcessWait, &DoWait);
            SystemCalls.Register(SystemCallNumber.ProcessWatch, &DoWatch);
            SystemCalls.Register(SystemCallNumber.ProcessKill, &DoKill);
        }

        private static ulong DoSpawn(RegisterFrame* frame)
        {
            ulong commandLine = frame->Argument0;
            ulong length = frame->Argument1;
            ulong handles = frame->Argument2;
            ulong count = frame->Argument3;
            if (SystemCalls.CurrentProcess is not Process parent)
                return SystemCallResult.From(Error.AccessDenied);
            if (length == 0 || length > Process.CommandLineCapacity || count > ProgramLauncher.MaximumGrants)
                return SystemCallResult.From(Error.Invalid);
            byte* lineCopy = stackalloc byte[Process.CommandLineCapacity];
            if (!UserMemory.CopyFromUser(lineCopy, commandLine, length))
                return SystemCallResult.From(Error.BadAddress);
            ulong* handleCopy = stackalloc ulong[ProgramLauncher.MaximumGrants];
            if (count > 0 && !UserMemory.CopyFromUser(handleCopy, handles, count * 8))
                return SystemCallResult.From(Error.BadAddress);
            uint* grants = stackalloc uint[ProgramLauncher.MaximumGrants];
            for (ulong i = 0; i < count; i++)
            {
                if (handleCopy[i] > uint.MaxValue)
                    return SystemCallResult.From(Error.BadHandle);
                grants[i] = (uint)handleCopy[i];
            }
            Process child = ProgramLauncher.Spawn(lineCopy, (int)length, parent, grants, (int)count, out Error error);
            if (child == null)
                return SystemCallResult.From(error);
            return SystemCalls.InsertHandle(parent, child, ObjectType.Process,
                Rights.Read | Rights.Wait | Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke);
        }

        private static ulong DoWait(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Process, Rights.Wait, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Process process = (Process)found;
            if (process == SystemCalls.CurrentProcess)
            {
                process.Release();
                return SystemCallResult.From(Error.Invalid);   // waiting for itself would never end
            }
            error = ProcessWaiting.WaitForExit(process);   // interrupted: the caller is being killed
            ulong result = SystemCallResult.From(error, process.WaitResult);
            process.Release();
            return result;
        }

        private static ulong DoKill(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Process, Rights.Manage, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Process process = (Process)found;
            bool self = process == SystemCalls.CurrentProcess;
            ProcessLifecycle.Kill(process);
            process.Release();
            if (self)
                UserMode.UserMode.ExitToKernel(UserMode.UserMode.KilledResult);
            return 0;
        }

        private static ulong DoWatch(RegisterFrame* frame)
        {
            ulong processHandle = frame->Argument0;
            ulong notificationHandle = frame->Argument1;
            ulong bits = frame->Argument2;
            Process caller = SystemCalls.CurrentProcess;
            if (bits == 0 || (bits >> 63) != 0)
                return SystemCallResult.From(Error.Invalid);   // the same bits a signal may set (NotificationCalls)
            Error error = CapabilitySpace.Reference(caller.Handles, processHandle, ObjectType.Process, Rights.Wait, out KernelObject process);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = CapabilitySpace.Reference(caller.Handles, notificationHandle, ObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == Error.None)
                ProcessWaiting.Watch((Process)process, (Ipc.Notification)notification, bits);
            process.Release();
            return SystemCallResult.From(error);
        }
    }
}
