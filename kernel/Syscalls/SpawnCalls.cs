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
        // The ABI's limits and statuses (Exo.Abi.Constants) are the process table's: a constant that does not fit
        // a byte (a compile error) if they drift. TODO(abi): kernel/Processes uses Constants, and this goes.
        private const byte AbiAgrees = Constants.CommandLineCapacity == ProcessTable.CommandLineCapacity
            && Constants.MaximumGrants == ProcessTable.MaximumGrants && Constants.ProgramNameCapacity == Process.NameCapacity
            && Constants.MaximumThreads == Process.ThreadCapacity && Constants.KilledStatus == Process.KilledWaitResult ? 0 : -1;

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
            if (CapabilitySpace.CurrentProcess is not Process parent)
                return SystemCallResult.From(Error.AccessDenied);
            if (length == 0 || length > ProcessTable.CommandLineCapacity || count > ProcessTable.MaximumGrants)
                return SystemCallResult.From(Error.Invalid);
            byte* lineCopy = stackalloc byte[ProcessTable.CommandLineCapacity];
            if (!UserMemory.CopyFromUser(lineCopy, commandLine, length))
                return SystemCallResult.From(Error.BadAddress);
            ulong* handleCopy = stackalloc ulong[ProcessTable.MaximumGrants];
            if (count > 0 && !UserMemory.CopyFromUser(handleCopy, handles, count * 8))
                return SystemCallResult.From(Error.BadAddress);
            uint* grants = stackalloc uint[ProcessTable.MaximumGrants];
            for (ulong i = 0; i < count; i++)
            {
                if (handleCopy[i] > uint.MaxValue)
                    return SystemCallResult.From(Error.BadHandle);
                grants[i] = (uint)handleCopy[i];
            }
            Process child = ProcessTable.Spawn(lineCopy, (int)length, parent, grants, (int)count, out string error);
            if (child == null)   // TODO(abi): ProcessTable returns Error (then this comparison goes)
                return SystemCallResult.From((object)error == (object)ProcessTable.NoSuchProgram
                    ? Error.NotFound
                    : Error.Invalid);   // a bad image, a bad grant, or limits (the kernel log says which)
            return CapabilitySpace.InsertNew(parent, child, ObjectType.Process,
                Rights.Read | Rights.Wait | Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke);
        }

        private static ulong DoWait(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            Error error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, ObjectType.Process, Rights.Wait, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Process process = (Process)found;
            if (process == CapabilitySpace.CurrentProcess)
            {
                process.Release();
                return SystemCallResult.From(Error.Invalid);   // waiting for itself would never end
            }
            // TODO(abi): ProcessTable returns Error (WaitForExit reports Interrupted as SystemCallResult.Interrupted).
            ulong result = ProcessTable.WaitForExit(process, out _) == SystemCallResult.Interrupted
                ? SystemCallResult.Interrupted : process.WaitResult;   // interrupted: the caller is being killed
            process.Release();
            return result;
        }
    

        private static ulong DoKill(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            Error error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, ObjectType.Process, Rights.Manage, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Process process = (Process)found;
            bool self = process == CapabilitySpace.CurrentProcess;
            ProcessTable.Kill(process);
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
            Process caller = CapabilitySpace.CurrentProcess;
            if (bits == 0 || (bits >> 63) != 0)
                return SystemCallResult.From(Error.Invalid);   // the same bits a signal may set (NotificationCalls)
            Error error = CapabilitySpace.Reference(caller, processHandle, ObjectType.Process, Rights.Wait, out KernelObject process);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = CapabilitySpace.Reference(caller, notificationHandle, ObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == Error.None)
                ProcessTable.Watch((Process)process, (Ipc.Notification)notification, bits);
            process.Release();
            return SystemCallResult.From(error);
        }
    }
}
