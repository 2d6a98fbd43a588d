using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// New processes the Linux way: fork, vfork, and clone without CLONE_THREAD, over the kernel's ProcessFork
    /// (the address space copied on write). The child is the caller's copy (LinuxProcess.OnFork says what it
    /// inherits) and returns 0; the parent gets the child's pid. vfork (clone with CLONE_VM|CLONE_VFORK, as glibc's
    /// posix_spawn makes it) runs the child on the parent's own memory and memory regions while the parent waits
    /// until the child execs or ends: what the child writes, the parent sees (posix_spawn reports a failed exec
    /// that way). CLONE_VM without CLONE_VFORK (both running at once) and threads come with POSIX-X part 2.
    /// </summary>
    public static unsafe class ForkCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(Fork, &DoFork, CallPath.Legacy);
            LinuxSystemCalls.Register(Vfork, &DoVfork, CallPath.Legacy);
            LinuxSystemCalls.Register(Clone, &DoClone, CallPath.Legacy);
        }

        private static ulong s_forks;
        public static ulong Forks => s_forks;

        private static ulong DoFork(RegisterFrame* frame) => Copy(frame, (ulong)Signals.Signal.Child, 0, 0, 0, 0);

        private static ulong DoVfork(RegisterFrame* frame)
            => Copy(frame, CloneFlags.VirtualMemory | CloneFlags.Vfork | (ulong)Signals.Signal.Child, 0, 0, 0, 0);

        // clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order.
        private static ulong DoClone(RegisterFrame* frame)
            => Copy(frame, frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, frame->Argument4);

        /// <summary>
        /// RLIMIT_NPROC: the caller's real user may have fewer live processes than its limit. Unlike Linux, root is
        /// held to it too (Linux exempts a process with CAP_SYS_RESOURCE or CAP_SYS_ADMIN): everything runs as root
        /// here, and `ulimit -u` must be able to stop a fork bomb.
        /// </summary>
        private static bool WithinProcessLimit(LinuxProcess parent)
        {
            ulong limit = parent.Limits.Current[ResourceLimits.Processes];
            if (limit == ResourceLimits.Infinity || limit > (ulong)ProcessRegistry.Capacity)
                return true;   // the process table holds fewer processes than the limit (the default, 512): no count needed
            uint user = parent.Credentials.UserId;
            ulong count = 0;
            for (int slot = 0; slot < ProcessRegistry.Capacity; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                if (process.PersonalityState is LinuxProcess linux && linux.Credentials.UserId == user && linux.State != LifeState.Reaped)
                    count++;
                process.Release();
            }
            return count < limit;
        }

        private static ulong Copy(RegisterFrame* frame, ulong flags, ulong stack, ulong parentThreadId, ulong childThreadId, ulong tls)
        {
            if ((flags & CloneFlags.Unsupported) != 0)
                return SystemCallResult.From(Error.Invalid);
            if ((flags & CloneFlags.Thread) != 0)
                return SystemCallResult.From(Error.NoSuchCall);   // threads: POSIX-X part 2
            if ((flags & CloneFlags.SignalHandlers) != 0 && (flags & CloneFlags.VirtualMemory) == 0)
                return SystemCallResult.From(Error.Invalid);   // shared handlers need shared memory (Linux's rule)
            if ((flags & CloneFlags.ExitSignalMask) > (ulong)Signals.Signal.Count)
                return SystemCallResult.From(Error.Invalid);
            if ((flags & CloneFlags.VirtualMemory) != 0 && (flags & CloneFlags.Vfork) == 0)
                return SystemCallResult.From(Error.NoSuchCall);   // shared memory without a thread: not offered yet

            LinuxProcess parent = LinuxProcess.Current;
            if (!WithinProcessLimit(parent))
                return SystemCallResult.From(Error.WouldBlock);   // RLIMIT_NPROC: EAGAIN
            LinuxThread thread = LinuxThread.Current;
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            thread.ForkFlags = flags;
            thread.ForkChildThreadIdAddress = childThreadId;
            ulong fsBase = (flags & CloneFlags.SetTls) != 0 ? tls : Cpu.ReadMsr(Exo.Kernel.UserMode.UserMode.FsBaseMsr);
            Process child = ProcessFork.Fork(parent.Process, current, frame, stack, fsBase,
                shareMemory: (flags & CloneFlags.VirtualMemory) != 0, out Error error);
            thread.ForkFlags = 0;
            if (child == null)
                return SystemCallResult.From(error);
            s_forks++;
            int pid = child.Id;
            if ((flags & CloneFlags.ParentSetThreadId) != 0)
                UserMemory.CopyToUser(parentThreadId, &pid, 4);   // as Linux, a bad address here is not an error
            if ((flags & CloneFlags.Vfork) != 0)
                ProcessTree.WaitForVforkChild(parent, (LinuxProcess)child.PersonalityState);
            child.Release();   // the tree holds the child from here on
            return (ulong)pid;
        }
    }
}
