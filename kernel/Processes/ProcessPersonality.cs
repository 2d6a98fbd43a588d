using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// What a personality keeps for a process beyond the kernel's own state (POSIX-X: pids, descriptors,
    /// signals, credentials), and the points where the kernel hands it control. The kernel knows only this
    /// base class: a personality registers a factory (<see cref="Register"/>), and every process of that
    /// personality gets its state when it is loaded. Native processes have none.
    /// </summary>
    public abstract unsafe class ProcessPersonality
    {
        private struct Factories { public fixed ulong Entries[2]; }
        private static Factories s_factories;

        /// <summary>A personality's factory, called for each new process of that personality (null: no memory).</summary>
        public static void Register(Personality personality, delegate*<Process, ProcessPersonality> factory)
            => s_factories.Entries[(int)personality] = (ulong)factory;

        internal static ProcessPersonality CreateFor(Process process)
        {
            ulong factory = s_factories.Entries[(int)process.Personality];
            return factory == 0 ? null : ((delegate*<Process, ProcessPersonality>)factory)(process);
        }

        /// <summary>
        /// On the way back to ring 3, when the thread's pending work has <see cref="UserMode.UserWork.Signal"/>:
        /// deliver what is due (a handler's frame, a default action). Interrupts masked.
        /// </summary>
        public virtual void OnSignalWork(Scheduler.Thread thread, RegisterFrame* frame) { }

        /// <summary>
        /// A CPU exception in ring 3 that demand paging did not resolve: true if the personality took it (a signal
        /// the program handles, or its default action); false ends the program with the kernel's report.
        /// </summary>
        public virtual bool OnFault(Scheduler.Thread thread, RegisterFrame* frame, ulong vector) => false;

        /// <summary>fork: the child's state, copied from this one as the personality's fork rules say; null when memory runs out.</summary>
        public virtual ProcessPersonality OnFork(Process parent, Process child) => null;

        /// <summary>A thread of the process is made, before it runs: its per-thread state (false: no memory; it is not started).</summary>
        public virtual bool OnThreadCreated(UserThread thread) => true;

        /// <summary>
        /// A thread that ended is being released while its process runs on (its slot already empty): free its state,
        /// after any look at the process's threads under the personality's own lock has finished.
        /// </summary>
        public virtual void OnThreadReleased(UserThread thread) { }

        /// <summary>
        /// Where the personality mapped a vDSO into the process when it was loaded (the start stack's AT_SYSINFO_EHDR),
        /// or 0 for none.
        /// </summary>
        public virtual ulong VdsoAddress => 0;

        /// <summary>
        /// The path a spawned program was found at, for its start stack (Linux's AT_EXECFN), written into 'path'
        /// (MaximumExecutablePath bytes); 0 to use the process's name.
        /// </summary>
        public virtual int ExecutablePath(Process process, byte* path) => 0;

        public const int MaximumExecutablePath = 256;

        /// <summary>A spawned process is about to start (its capabilities granted, its start stack laid out).</summary>
        public virtual void OnStart(Process process) { }

        /// <summary>The process's last thread has left ring 3: release what it holds (descriptors, children).</summary>
        public virtual void OnProcessEnded(Process process) { }

        /// <summary>The process object is being freed (after every reference is gone): free the state itself.</summary>
        public virtual void OnDiscard(Process process) { }
    }
}
