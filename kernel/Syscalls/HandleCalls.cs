using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Operations on handles themselves: close, duplicate (with fewer rights), revoke, info.</summary>
    public static unsafe class HandleCalls
    {
        public const int Close = 10, Duplicate = 11, Revoke = 12, Info = 13;

        internal static void Register()
        {
            SystemCalls.Register(Close, &DoClose);
            SystemCalls.Register(Duplicate, &DoDuplicate);
            SystemCalls.Register(Revoke, &DoRevoke);
            SystemCalls.Register(Info, &DoInfo);
        }

        // The calling process, if 'handle' can be a handle value at all.
        private static bool Resolve(ulong handle, out Process process)
        {
            process = CapabilitySpace.CurrentProcess;
            return process != null && handle <= uint.MaxValue;
        }

        private static ulong DoClose(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCalls.BadHandle;
            CapabilitySpace.Enter();
            CapabilityError error = process.Handles.Close(new Handle((uint)handle));
            CapabilitySpace.Exit();
            return CapabilitySpace.ToResult(error);
        }

        private static ulong DoDuplicate(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong rights = frame->Argument1;
            if (!Resolve(handle, out Process process))
                return SystemCalls.BadHandle;
            if ((rights & ~(ulong)Rights.All) != 0)
                return SystemCalls.InvalidArgument;
            CapabilitySpace.Enter();
            CapabilityError error = process.Handles.Duplicate(new Handle((uint)handle), (Rights)rights, out Handle duplicate);
            CapabilitySpace.Exit();
            return error == CapabilityError.None ? duplicate.Value : CapabilitySpace.ToResult(error);
        }

        private static ulong DoRevoke(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCalls.BadHandle;
            CapabilitySpace.Enter();
            CapabilityError error = process.Handles.Revoke(new Handle((uint)handle));
            CapabilitySpace.Exit();
            return CapabilitySpace.ToResult(error);
        }

        private static ulong DoInfo(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (!Resolve(handle, out Process process))
                return SystemCalls.BadHandle;
            CapabilitySpace.Enter();
            CapabilityError error = process.Handles.Lookup(new Handle((uint)handle), KernelObjectType.None, Rights.None, out Capability capability);
            ulong result = error == CapabilityError.None ? (ulong)capability.Type | ((ulong)capability.Rights << 8) : CapabilitySpace.ToResult(error);
            CapabilitySpace.Exit();
            return result;
        }
    }
}
