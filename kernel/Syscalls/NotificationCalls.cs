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
            SystemCalls.Register(SystemCallNumber.NotificationWaitUntil, &DoWaitUntil);
            SystemCalls.Register(SystemCallNumber.ClockRead, &DoClockRead);
            SystemCalls.Register(SystemCallNumber.TimePageAddress, &DoTimePageAddress);
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

        // A deadline on the monotonic clock: the scheduler's timeout ends the wait (Take says Interrupted), reported as
        // TimedOut unless bits came first.
        private static ulong DoWaitUntil(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong deadline = frame->Argument1;
            ulong now = Time.SystemClock.UptimeNanoseconds;
            if (deadline <= now)
            {
                ulong polled = Take(handle, block: false);
                return polled == 0 ? SystemCallResult.From(Error.TimedOut) : polled;
            }
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Notification, Rights.Wait, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ulong bits;
            bool timedOut;
            using (Sync.InterruptMask.Enter())
            {
                Scheduler.Scheduler.ArmTimeout(Time.SystemClock.TscAfterNanoseconds(deadline - now));
                error = ((Notification)found).Take(true, out bits);
                timedOut = Scheduler.Scheduler.DisarmTimeout();
            }
            found.Release();
            if (error == Error.Interrupted && timedOut)
                error = Error.TimedOut;
            return SystemCallResult.From(error, bits);
        }

        private static ulong DoClockRead(RegisterFrame* frame) => Time.SystemClock.UptimeNanoseconds;

        private static ulong DoTimePageAddress(RegisterFrame* frame)
            => SystemCalls.CurrentProcess is Process process && Time.TimeDataPage.IsMappedIn(process.AddressSpace) ? TimePage.Address : 0;

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
