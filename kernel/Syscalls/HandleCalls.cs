using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Operations on handles themselves: close, duplicate (with fewer rights), revoke, info.</summary>
    public static unsafe class HandleCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.HandleClose, &DoClose);
            SystemCalls.Register(SystemCallNumber.HandleDuplicate, &DoDuplicate);
            SystemCalls.Register(SystemCallNumber.HandleRevoke, &DoRevoke);
            SystemCalls.Register(SystemCallNumber.HandleInfo, &DoInfo);
        }

        // The calling process, if 'handle' can be a handle value at all.
        private static bool Resolve(ulong handle, out Process process)
        {
            process = SystemCalls.CurrentProcess;
            return process != null && handle <= uint.MaxValue;
        }

        private static ulong DoClose(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCallResult.From(Error.BadHandle);
            CapabilitySpace.Enter();
            Error error = process.Handles.Close(new Handle((uint)handle));
            CapabilitySpace.Exit();
            return SystemCallResult.From(error);
        }

        private static ulong DoDuplicate(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong rights = frame->Argument1;
            if (!Resolve(handle, out Process process))
                return SystemCallResult.From(Error.BadHandle);
            if ((rights & ~(ulong)Rights.All) != 0)
                return SystemCallResult.From(Error.Invalid);
            CapabilitySpace.Enter();
            Error error = process.Handles.Duplicate(new Handle((uint)handle), (Rights)rights, out Handle duplicate);
            CapabilitySpace.Exit();
            return SystemCallResult.From(error, duplicate.Value);
        }

        private static ulong DoRevoke(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCallResult.From(Error.BadHandle);
            CapabilitySpace.Enter();
            Error error = process.Handles.Revoke(new Handle((uint)handle));
            CapabilitySpace.Exit();
            return SystemCallResult.From(error);
        }

        private static ulong DoInfo(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCallResult.From(Error.BadHandle);
            CapabilitySpace.Enter();
            Error error = process.Handles.Lookup(new Handle((uint)handle), ObjectType.None, Rights.None, out Capability capability);
            ulong result = error == Error.None ? (ulong)capability.Type | ((ulong)capability.Rights << 8) : SystemCallResult.From(error);
            CapabilitySpace.Exit();
            return result;
        }
    }
}
