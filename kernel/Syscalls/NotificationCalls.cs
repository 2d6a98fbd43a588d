using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Notifications: create, signal (needs Signal), wait and poll (need Wait).</summary>
    public static unsafe class NotificationCalls
    {
        public const int Create = 40, Signal = 41, Wait = 42, Poll = 43;

        internal static void Register()
        {
            SystemCalls.Register(Create, &DoCreate);
            SystemCalls.Register(Signal, &DoSignal);
            SystemCalls.Register(Wait, &DoWait);
            SystemCalls.Register(Poll, &DoPoll);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            if (CapabilitySpace.CurrentProcess is not Process process)
                return SystemCalls.AccessDenied;
            return CapabilitySpace.InsertNew(process, new Notification(), KernelObjectType.Notification, Rights.All);
        }

        private static ulong DoSignal(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong bits = frame->Argument1;
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Notification, Rights.Signal, out KernelObject found);
            if (error != 0)
                return error;
            if (bits == 0 || (bits >> 63) != 0)   // bit 63 would make a wait's result look like an error
            {
                found.Release();
                return SystemCalls.InvalidArgument;
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
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Notification, Rights.Wait, out KernelObject found);
            if (error != 0)
                return error;
            ulong bits = ((Notification)found).Take(block);   // the reference keeps it alive while this thread sleeps
            found.Release();
            return bits;
        }
    }
}
