using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>Fusion Ring endpoints and synchronous calls (the message conventions are in userland/programs/native.inc).</summary>
    public static unsafe class IpcCalls
    {
        public const int EndpointCreate = 30, Call = 31, Receive = 32, ReplyReceive = 33;

        internal static void Register()
        {
            SystemCalls.Register(EndpointCreate, &DoEndpointCreate);
            SystemCalls.Register(Call, &DoCall);
            SystemCalls.Register(Receive, &DoReceive);
            SystemCalls.Register(ReplyReceive, &DoReplyReceive);
        }

        private static ulong DoEndpointCreate(ulong a0, ulong a1, ulong a2, ulong a3, ulong a4)
        {
            if (CapabilitySpace.CurrentProcess is not Process process)
                return SystemCalls.AccessDenied;
            return CapabilitySpace.InsertNew(process, new Endpoint(), KernelObjectType.Endpoint, Rights.All);
        }

        private static ulong DoCall(ulong handle, ulong w0, ulong w1, ulong w2, ulong w3)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCalls.AccessDenied;
            return UserMode.UserMode.EndIfKilled(FusionCall.Call(process, current, handle, w0, w1, w2, w3));
        }

        private static ulong DoReceive(ulong handle, ulong a1, ulong a2, ulong a3, ulong a4)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCalls.AccessDenied;
            return UserMode.UserMode.EndIfKilled(FusionCall.Receive(process, current, handle));
        }

        private static ulong DoReplyReceive(ulong handle, ulong w0, ulong w1, ulong w2, ulong w3)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.Process is not Process process)
                return SystemCalls.AccessDenied;
            return UserMode.UserMode.EndIfKilled(FusionCall.ReplyReceive(process, current, handle, w0, w1, w2, w3));
        }
    }
}
