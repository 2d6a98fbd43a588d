using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Waiting for children: wait4 (a status in Linux's encoding) and waitid (a siginfo). Which children, which
    /// events, and the sleep itself are ProcessTree's; a signal interrupts the wait (restarted under SA_RESTART).
    /// </summary>
    public static unsafe class WaitCalls
    {
        // Options a caller may pass (WNOHANG WUNTRACED/WSTOPPED WEXITED WCONTINUED WNOWAIT __WNOTHREAD __WALL __WCLONE).
        private const int WaitFourOptions = ProcessTree.NoHang | ProcessTree.Untraced | ProcessTree.ContinuedOption
            | 0x20000000 | 0x40000000 | unchecked((int)0x80000000);
        private const int WaitIdOptions = WaitFourOptions | ProcessTree.Exited | ProcessTree.NoWait;
        private const int AllChildren = 0, OneProcess = 1, OneGroup = 2, ProcessDescriptor = 3;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Wait4, &DoWaitFour, CallPath.Hybrid);
            LinuxSystemCalls.Register(Waitid, &DoWaitId, CallPath.Hybrid);
        }

        // wait4(pid, status, options, rusage)
        private static ulong DoWaitFour(RegisterFrame* frame)
        {
            int selector = (int)frame->Argument0;
            int options = (int)frame->Argument2;
            if ((options & ~WaitFourOptions) != 0 || selector == int.MinValue)
                return SystemCallResult.From(Error.Invalid);
            Error error = ProcessTree.Wait(LinuxProcess.Current, selector, options | ProcessTree.Exited, out int pid, out int status, out _);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (pid != 0 && frame->Argument1 != 0 && !UserMemory.CopyToUser(frame->Argument1, &status, 4))
                return SystemCallResult.From(Error.BadAddress);
            if (pid != 0 && frame->Argument3 != 0 && !ZeroUsage(frame->Argument3))
                return SystemCallResult.From(Error.BadAddress);
            return (ulong)pid;
        }

        // waitid(idtype, id, infop, options, rusage)
        private static ulong DoWaitId(RegisterFrame* frame)
        {
            int type = (int)frame->Argument0;
            int id = (int)frame->Argument1;
            int options = (int)frame->Argument3;
            if ((options & ~WaitIdOptions) != 0 || (options & (ProcessTree.Exited | ProcessTree.Untraced | ProcessTree.ContinuedOption)) == 0)
                return SystemCallResult.From(Error.Invalid);
            int selector;
            switch (type)
            {
                case AllChildren: selector = -1; break;
                case OneProcess: if (id <= 0) return SystemCallResult.From(Error.Invalid); selector = id; break;
                case OneGroup: if (id < 0) return SystemCallResult.From(Error.Invalid); selector = id == 0 ? 0 : -id; break;
                case ProcessDescriptor:
                default: return SystemCallResult.From(Error.Invalid);
            }
            Error error = ProcessTree.Wait(LinuxProcess.Current, selector, options, out int pid, out int status, out int code);
            if (error != Error.None)
                return SystemCallResult.From(error);
            // siginfo: signo, errno, code, then pid, uid, status (the exit code, or the signal's number).
            int* information = stackalloc int[32];
            for (int i = 0; i < 32; i++)
                information[i] = 0;
            if (pid != 0)
            {
                information[0] = Signals.Signal.Child;
                information[2] = code;
                information[4] = pid;
                LinuxProcess child = ProcessTree.Find(pid);
                if (child != null)
                {
                    information[5] = (int)child.Credentials.UserId;
                    child.Process.Release();
                }
                information[6] = code == ProcessTree.ChildExited ? (status >> 8) & 0xFF
                    : code == ProcessTree.ChildStopped ? (status >> 8) & 0xFF : code == ProcessTree.ChildContinued ? Signals.Signal.Continue
                    : status & 0x7F;
            }
            if (frame->Argument2 != 0 && !UserMemory.CopyToUser(frame->Argument2, information, 128))
                return SystemCallResult.From(Error.BadAddress);
            if (frame->Argument4 != 0 && !ZeroUsage(frame->Argument4))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // struct rusage: the child's usage is not accounted yet (all zero).
        private static bool ZeroUsage(ulong address)
        {
            ulong* usage = stackalloc ulong[18];
            for (int i = 0; i < 18; i++)
                usage[i] = 0;
            return UserMemory.CopyToUser(address, usage, 18 * 8);
        }
    }
}
