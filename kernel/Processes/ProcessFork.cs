using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// A copy of a running process (the mechanism under Linux's fork, vfork and clone without CLONE_THREAD), or of
    /// a running thread inside its own process (clone with CLONE_THREAD, <see cref="ForkThread"/>). A process copy: its
    /// address space copied on write (or, for vfork, the parent's own, borrowed until the child execs or ends), its image and name, its personality's state as the personality copies it
    /// (ProcessPersonality.OnFork), and one thread that starts from the forking thread's registers and SSE state
    /// with RAX = 0. Capabilities are not copied: a child gets what its personality gives it.
    /// </summary>
    public static unsafe class ProcessFork
    {
        /// <summary>
        /// The child, started, with a reference for the caller; null with 'error' (nothing is left behind). The
        /// child's thread starts with the stack pointer 'childStack' if it is not 0, and the FS base 'fsBase'.
        /// 'shareMemory': the child runs on the parent's address space itself (Linux's CLONE_VM) instead of a copy.
        /// </summary>
        public static Process Fork(Process parent, Scheduler.Thread thread, RegisterFrame* frame, ulong childStack, ulong fsBase,
            bool shareMemory, out Error error)
        {
            byte* extendedState = CopyExtendedState(thread);
            if (extendedState == null)
            {
                error = Error.OutOfMemory;
                return null;
            }
            AddressSpace space = shareMemory ? parent.AddressSpace : parent.AddressSpace.CloneForFork();
            if (shareMemory)
                space.AddUser();
            else if (space == null)
            {
                KernelHeap.Free(extendedState);
                error = Error.OutOfMemory;
                return null;
            }
            Process child = new Process();
            child.SetName(parent.Name, parent.NameLength);
            child.SetCommandLine(parent.CommandLine, parent.CommandLineLength);
            child.AddressSpace = space;
            child.Image = parent.Image;
            child.ParentId = parent.Id;
            if (!ProcessRegistry.RegisterWaitingForReaper(child))
            {
                KernelHeap.Free(extendedState);
                ProcessReaper.Discard(child);
                error = Error.WouldBlock;   // the process table is full (EAGAIN, as Linux's fork)
                return null;
            }
            if (parent.PersonalityState != null)
            {
                child.PersonalityState = parent.PersonalityState.OnFork(parent, child);
                if (child.PersonalityState == null)
                {
                    KernelHeap.Free(extendedState);
                    ProgramLauncher.Abandon(child);
                    error = Error.OutOfMemory;
                    return null;
                }
            }
            RegisterFrame start = *frame;
            start.Rax = 0;   // fork returns 0 in the child
            if (childStack != 0)
                start.Rsp = childStack;
            if (!ProgramLauncher.StartMainThread(child, &start, extendedState, fsBase, -1, out error))
                return null;   // abandoned, its personality state and the SSE copy with it
            return child;
        }

        /// <summary>
        /// A new thread of 'process' that starts from the calling thread's registers 'frame' and SSE state with RAX = 0,
        /// the stack pointer 'stack' (0: the caller's) and the FS base 'fsBase'; its object with a reference for the
        /// caller, or null with 'error' (ProgramLauncher.CreateThread's: WouldBlock past the live threads' limit).
        /// </summary>
        public static UserThread ForkThread(Process process, Scheduler.Thread thread, RegisterFrame* frame, ulong stack, ulong fsBase,
            out Error error)
        {
            byte* extendedState = CopyExtendedState(thread);
            if (extendedState == null)
            {
                error = Error.OutOfMemory;
                return null;
            }
            RegisterFrame start = *frame;
            start.Rax = 0;   // clone returns 0 in the new thread
            if (stack != 0)
                start.Rsp = stack;
            return ProgramLauncher.CreateThread(process, &start, extendedState, fsBase, out error);
        }

        // The calling thread's SIMD state (saved on entry to this system call), in a heap block the new thread takes over.
        private static byte* CopyExtendedState(Scheduler.Thread thread)
        {
            byte* copy = (byte*)KernelHeap.AllocateUninitialized((ulong)ExtendedState.Size);
            if (copy != null)
                ExtendedState.Copy(copy, (byte*)thread.User.ExtendedState);
            return copy;
        }
    }
}
