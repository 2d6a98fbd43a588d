using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Notifications: create, signal (needs Signal), wait and poll (need Wait).</summary>
    public static unsafe class NotificationCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.NotificationCreate, &DoCreate);
            SystemCalls.Register(SystemCallNumber.NotificationSignal, &DoSignal);
            SystemCalls.Register(SystemCallNumber.NotificationWait, &DoWait);
            SystemCalls.Register(SystemCallNumber.NotificationPoll, &DoPoll);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            return SystemCalls.InsertHandle(process, new Notification(), ObjectType.Notification, Rights.All);
        }

        private static ulong DoSignal(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong bits = frame->Argument1;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Notification, Rights.Signal, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (bits == 0 || (bits >> 63) != 0)   // bit 63 would make a wait's result look like an error
            {
                found.Release();
                return SystemCallResult.From(Error.Invalid);
            }
            ((Notification)found).Signal(bits);
            found.Release();
            return 0;
        }

        private static ulong DoWait(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            return Take(handle, block: true);
        }

        private static ulong DoPoll(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            return Take(handle, block: false);
        }

        private static ulong Take(ulong handle, bool block)
        {
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Notification, Rights.Wait, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = ((Notification)found).Take(block, out ulong bits);   // the reference keeps it alive while this thread sleeps
            found.Release();
            return SystemCallResult.From(error, bits);
        }
    }
}
