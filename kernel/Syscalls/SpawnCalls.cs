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
        public const int Spawn = 50, Wait = 51, Kill = 52, Watch = 53;

        internal static void Register()
        {
            SystemCalls.Register(Spawn, &DoSpawn);
            SystemCalls.Register(Wait, &DoWait);
            SystemCalls.Register(Watch, &DoWatch);
            SystemCalls.Register(Kill, &DoKill);
        }

        private static ulong DoSpawn(RegisterFrame* frame)
        {
            ulong commandLine = frame->Argument0;
            ulong length = frame->Argument1;
            ulong handles = frame->Argument2;
            ulong count = frame->Argument3;
            if (CapabilitySpace.CurrentProcess is not Process parent)
                return SystemCalls.AccessDenied;
            if (length == 0 || length > Process.CommandLineCapacity || count > ProgramLauncher.MaximumGrants)
                return SystemCalls.InvalidArgument;
            byte* lineCopy = stackalloc byte[Process.CommandLineCapacity];
            if (!UserMemory.CopyFromUser(lineCopy, commandLine, length))
                return SystemCalls.BadAddress;
            ulong* handleCopy = stackalloc ulong[ProgramLauncher.MaximumGrants];
            if (count > 0 && !UserMemory.CopyFromUser(handleCopy, handles, count * 8))
                return SystemCalls.BadAddress;
            uint* grants = stackalloc uint[ProgramLauncher.MaximumGrants];
            for (ulong i = 0; i < count; i++)
            {
                if (handleCopy[i] > uint.MaxValue)
                    return SystemCalls.BadHandle;
                grants[i] = (uint)handleCopy[i];
            }
            Process child = ProgramLauncher.Spawn(lineCopy, (int)length, parent, grants, (int)count, out string error);
            if (child == null)
                return (object)error == (object)ProgramLauncher.NoSuchProgram
                    ? unchecked((ulong)-2)            // ENOENT: no such program
                    : SystemCalls.InvalidArgument;    // a bad image, a bad grant, or limits (the kernel log says which)
            return CapabilitySpace.InsertNew(parent, child, KernelObjectType.Process,
                Rights.Read | Rights.Wait | Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke);
        }

        private static ulong DoWait(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Process, Rights.Wait, out KernelObject found);
            if (error != 0)
                return error;
            Process process = (Process)found;
            if (process == CapabilitySpace.CurrentProcess)
            {
                process.Release();
                return SystemCalls.InvalidArgument;   // waiting for itself would never end
            }
            ulong result = ProcessWaiting.WaitForExit(process, out _) == Ipc.Notification.Interrupted
                ? Ipc.Notification.Interrupted : process.WaitResult;   // interrupted: the caller is being killed
            process.Release();
            return result;
        }
    

        private static ulong DoKill(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Process, Rights.Manage, out KernelObject found);
            if (error != 0)
                return error;
            Process process = (Process)found;
            bool self = process == CapabilitySpace.CurrentProcess;
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
            Process caller = CapabilitySpace.CurrentProcess;
            if (bits == 0 || (bits >> 63) != 0)
                return SystemCalls.InvalidArgument;   // the same bits a signal may set (NotificationCalls)
            ulong error = CapabilitySpace.Reference(caller, processHandle, KernelObjectType.Process, Rights.Wait, out KernelObject process);
            if (error != 0)
                return error;
            error = CapabilitySpace.Reference(caller, notificationHandle, KernelObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == 0)
                ProcessWaiting.Watch((Process)process, (Ipc.Notification)notification, bits);
            process.Release();
            return error;
        }
    }
}
