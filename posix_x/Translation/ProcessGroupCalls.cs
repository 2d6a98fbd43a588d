using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>Process groups and sessions (job control): getpgrp, getpgid, setpgid, getsid, setsid. The rules are ProcessTree's.</summary>
    public static unsafe class ProcessGroupCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(Getpgrp, &DoGetGroup, CallPath.Fast);
            LinuxSystemCalls.Register(Getpgid, &DoGetGroupOf, CallPath.Fast);
            LinuxSystemCalls.Register(Setpgid, &DoSetGroup, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getsid, &DoGetSession, CallPath.Fast);
            LinuxSystemCalls.Register(Setsid, &DoSetSession, CallPath.Hybrid);
        }

        private static ulong DoGetGroup(RegisterFrame* frame) => (ulong)LinuxProcess.Current.ProcessGroup;

        private static ulong DoGetGroupOf(RegisterFrame* frame) => Read((int)frame->Argument0, session: false);

        private static ulong DoGetSession(RegisterFrame* frame) => Read((int)frame->Argument0, session: true);

        private static ulong Read(int pid, bool session)
        {
            if (pid < 0)
                return SystemCallResult.From(Error.NoSuchProcess);
            LinuxProcess caller = LinuxProcess.Current;
            if (pid == 0 || pid == caller.ProcessId)
                return (ulong)(session ? caller.Session : caller.ProcessGroup);
            LinuxProcess target = ProcessTree.Find(pid);
            if (target == null)
                return SystemCallResult.From(Error.NoSuchProcess);
            int value = session ? target.Session : target.ProcessGroup;
            target.Process.Release();
            return (ulong)value;
        }

        private static ulong DoSetGroup(RegisterFrame* frame)
            => SystemCallResult.From(ProcessTree.SetProcessGroup(LinuxProcess.Current, (int)frame->Argument0, (int)frame->Argument1));

        private static ulong DoSetSession(RegisterFrame* frame)
        {
            Error error = ProcessTree.SetSession(LinuxProcess.Current, out int session);
            return SystemCallResult.From(error, (ulong)session);
        }
    }
}
