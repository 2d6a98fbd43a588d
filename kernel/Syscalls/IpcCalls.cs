using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Fusion Ring endpoints and synchronous calls (the message conventions are in userland/programs/native.inc).</summary>
    public static unsafe class IpcCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.EndpointCreate, &DoEndpointCreate);
            SystemCalls.Register(SystemCallNumber.IpcCall, &DoCall);
            SystemCalls.Register(SystemCallNumber.IpcReceive, &DoReceive);
            SystemCalls.Register(SystemCallNumber.IpcReplyReceive, &DoReplyReceive);
        }

        private static ulong DoEndpointCreate(RegisterFrame* frame)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            return SystemCalls.InsertHandle(process, new Endpoint(), ObjectType.Endpoint, Rights.All);
        }

        private static ulong DoCall(RegisterFrame* frame)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            return FusionCall.Call(process, current, frame);
        }

        private static ulong DoReceive(RegisterFrame* frame)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            return FusionCall.Receive(process, current, frame->Argument0);
        }

        private static ulong DoReplyReceive(RegisterFrame* frame)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            return FusionCall.ReplyReceive(process, current, frame);
        }
    }
}
