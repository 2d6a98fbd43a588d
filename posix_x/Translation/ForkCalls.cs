using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// New processes and threads the Linux way: fork, vfork, clone and clone3, over the kernel's ProcessFork. A
    /// process: the address space copied on write; the child is the caller's copy (LinuxProcess.OnFork says what it
    /// inherits) and returns 0; the parent gets the child's pid. vfork (clone with CLONE_VM|CLONE_VFORK, as glibc's
    /// posix_spawn makes it) runs the child on the parent's own memory and memory regions while the parent waits
    /// until the child execs or ends: what the child writes, the parent sees (posix_spawn reports a failed exec
    /// that way). A thread (CLONE_THREAD, with CLONE_SIGHAND and CLONE_VM as Linux requires, and CLONE_FS and
    /// CLONE_FILES: a thread here shares everything with its process): a new thread of the caller's process that
    /// returns 0 on the given stack with the given TLS; the caller gets its thread id (LinuxProcess.OnThreadCreated
    /// gives it one and writes it where CLONE_PARENT_SETTID and CLONE_CHILD_SETTID say, before it runs). CLONE_VM
    /// without CLONE_VFORK or CLONE_THREAD (two processes on one memory) is not offered (ENOSYS).
    /// </summary>
    public static unsafe class ForkCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(Fork, &DoFork, CallPath.Legacy);
            LinuxSystemCalls.Register(Vfork, &DoVfork, CallPath.Legacy);
            LinuxSystemCalls.Register(Clone, &DoClone, CallPath.Legacy);
            LinuxSystemCalls.Register(Clone3, &DoClone3, CallPath.Legacy);
        }

        private static ulong s_forks;
        public static ulong Forks => s_forks;

        private static ulong DoFork(RegisterFrame* frame) => Copy(frame, (ulong)Signals.Signal.Child, 0, 0, 0, 0);

        private static ulong DoVfork(RegisterFrame* frame)
            => Copy(frame, CloneFlags.VirtualMemory | CloneFlags.Vfork | (ulong)Signals.Signal.Child, 0, 0, 0, 0);

        // clone(flags, stack, parent_tid, child_tid, tls): the x86-64 argument order.
        private static ulong DoClone(RegisterFrame* frame)
            => Copy(frame, frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, frame->Argument4);

        // struct clone_args (uapi sched.h): its first version's 64 bytes are all POSIX-X reads; set_tid and cgroup follow.
        private struct CloneArguments
        {
            public ulong Flags, PidFile, ChildThreadId, ParentThreadId, ExitSignal, Stack, StackSize, Tls, SetThreadId,
                SetThreadIdSize, Cgroup;
        }

        private const ulong CloneArgumentsFirstSize = 64, PageSize = 4096;
        // clone3's flags above clone's 32 bits: CLONE_CLEAR_SIGHAND and CLONE_INTO_CGROUP, neither offered.
        private const ulong LowFlagsMask = 0xFFFFFFFF;

        // clone3(args, size): clone with its arguments in a struct; the stack is its lowest address and its size.
        private static ulong DoClone3(RegisterFrame* frame)
        {
            ulong size = frame->Argument1;
            if (size < CloneArgumentsFirstSize)
                return SystemCallResult.From(Error.Invalid);
            if (size > PageSize)
                return SystemCallResult.From(Error.TooBig);
            CloneArguments arguments = default;
            ulong known = size < (ulong)sizeof(CloneArguments) ? size : (ulong)sizeof(CloneArguments);
            if (!UserMemory.CopyFromUser(&arguments, frame->Argument0, known))
                return SystemCallResult.From(Error.BadAddress);
            // A newer program's larger struct: what this kernel does not know must be zero (E2BIG), as Linux checks.
            for (ulong offset = known; offset < size; offset += 8)
            {
                ulong word = 0;
                ulong length = size - offset < 8 ? size - offset : 8;
                if (!UserMemory.CopyFromUser(&word, frame->Argument0 + offset, length))
                    return SystemCallResult.From(Error.BadAddress);
                if (word != 0)
                    return SystemCallResult.From(Error.TooBig);
            }
            if ((arguments.Flags & ~LowFlagsMask) != 0 || (arguments.Flags & CloneFlags.ExitSignalMask) != 0
                || (arguments.Flags & CloneFlags.Detached) != 0 || arguments.ExitSignal > (ulong)Signals.Signal.Count
                || (arguments.Stack == 0) != (arguments.StackSize == 0) || arguments.SetThreadIdSize != 0 || arguments.SetThreadId != 0)
                return SystemCallResult.From(Error.Invalid);
            ulong stack = arguments.Stack == 0 ? 0 : arguments.Stack + arguments.StackSize;
            return Copy(frame, arguments.Flags | arguments.ExitSignal, stack, arguments.ParentThreadId, arguments.ChildThreadId, arguments.Tls);
        }

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
            if ((flags & CloneFlags.Thread) != 0 && (flags & CloneFlags.SignalHandlers) == 0)
                return SystemCallResult.From(Error.Invalid);   // a thread shares its process's handlers (Linux's rule)
            if ((flags & CloneFlags.SignalHandlers) != 0 && (flags & CloneFlags.VirtualMemory) == 0)
                return SystemCallResult.From(Error.Invalid);   // shared handlers need shared memory (Linux's rule)
            if ((flags & CloneFlags.ExitSignalMask) > (ulong)Signals.Signal.Count)
                return SystemCallResult.From(Error.Invalid);
            if ((flags & CloneFlags.Thread) != 0)
                return (flags & CloneFlags.SharedByThreads) != CloneFlags.SharedByThreads || (flags & CloneFlags.Vfork) != 0
                    ? SystemCallResult.From(Error.Invalid)   // a thread with its own files or directories: not offered
                    : CopyThread(frame, flags, stack, parentThreadId, childThreadId, tls);
            if ((flags & CloneFlags.VirtualMemory) != 0 && (flags & CloneFlags.Vfork) == 0)
                return SystemCallResult.From(Error.NoSuchCall);   // two processes on one memory: not offered

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

        private static ulong s_threads;
        public static ulong Threads => s_threads;

        // clone with CLONE_THREAD: a new thread of the caller's process; its id for the caller.
        private static ulong CopyThread(RegisterFrame* frame, ulong flags, ulong stack, ulong parentThreadId, ulong childThreadId, ulong tls)
        {
            LinuxThread thread = LinuxThread.Current;
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            // Read by LinuxProcess.OnThreadCreated, on this thread, before the new one runs.
            thread.ForkFlags = flags;
            thread.ForkChildThreadIdAddress = childThreadId;
            thread.ForkParentThreadIdAddress = parentThreadId;
            ulong fsBase = (flags & CloneFlags.SetTls) != 0 ? tls : Cpu.ReadMsr(Exo.Kernel.UserMode.UserMode.FsBaseMsr);
            LinuxProcess process = LinuxProcess.Current;
            System.Threading.Interlocked.Increment(ref process.ThreadsNotExited);   // before the thread can run and exit
            UserThread created = ProcessFork.ForkThread(current.Process, current, frame, stack, fsBase, out Error error);
            thread.ForkFlags = 0;
            if (created == null)
            {
                System.Threading.Interlocked.Decrement(ref process.ThreadsNotExited);
                return SystemCallResult.From(error);
            }   // EAGAIN past the live threads' limit, as Linux's RLIMIT_NPROC or threads-max
            s_threads++;
            int id = ThreadIds.Of(created);
            created.Release();   // the process holds it from here on
            return (ulong)id;
        }
    }
}
