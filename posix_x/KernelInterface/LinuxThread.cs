using Exo.Kernel.Processes;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// POSIX-X's state for one thread of a Linux process (UserThread.PersonalityState), made on first need: its
    /// blocked and pending signals, its alternate signal stack, the mask sigsuspend replaced, the address
    /// set_tid_address and clone's CLONE_CHILD_CLEARTID name (cleared when the thread ends), and the robust futex
    /// list glibc registers. Its signal fields change under its process's Lock. Made with the thread
    /// (LinuxProcess.OnThreadCreated), freed with its process.
    /// </summary>
    public sealed class LinuxThread
    {
        /// <summary>Its Linux thread id (gettid): the process id for the first thread, else one from the pid sequence.</summary>
        public int ThreadId;
        public ulong ClearChildThreadId;
        public ulong RobustListHead, RobustListLength;
        public ulong BlockedSignals;
        public ulong PendingSignals;
        public ulong AlternateStackBase, AlternateStackSize;
        public int AlternateStackFlags;   // SS_DISABLE when none
        /// <summary>sigsuspend and ppoll put the caller's mask here while they wait with another; restored after delivery.</summary>
        public ulong SavedMask;
        public bool RestoreSavedMask;
        /// <summary>Its nice value and policy (setpriority, sched_setscheduler).</summary>
        public ThreadScheduling Scheduling;

        public const int AlternateStackDisabled = 2, AlternateStackOnStack = 1;

        /// <summary>
        /// The clone this thread is making (flags, CLONE_CHILD_SETTID/CLEARTID's address, CLONE_PARENT_SETTID's), read by
        /// LinuxProcess.OnFork or OnThreadCreated, which run on this thread during the call.
        /// </summary>
        public ulong ForkFlags, ForkChildThreadIdAddress, ForkParentThreadIdAddress;

        /// <summary>The kernel's thread object this state belongs to.</summary>
        public UserThread Owner;

        // A futex wait (Synchronization.Futexes, under its bucket's lock): the word's key and space, the bitset, whether
        // a wake took it off the list, the bucket it hangs in (a requeue moves it), the next waiter in the bucket; it
        // sleeps on its own queue.
        public ulong FutexKey, FutexSpace;
        public int FutexBucket;
        public uint FutexBitset;
        public bool FutexWoken;
        public LinuxThread FutexNext;
        public Exo.Kernel.Scheduler.WaitQueue FutexWait;

        /// <summary>What each signal pending for this thread alone carries (a fault's address, tgkill's sender).</summary>
        public readonly SignalInformation[] PendingInformation = new SignalInformation[Signals.Signal.Count];

        /// <summary>The calling thread's state (every thread of a Linux process has one from its creation).</summary>
        public static LinuxThread Current => Of(Exo.Kernel.Scheduler.Scheduler.Current.User.Thread);

        public static LinuxThread Of(UserThread thread)
            => thread == null ? null : System.Runtime.CompilerServices.Unsafe.As<LinuxThread>(thread.PersonalityState);

        /// <summary>A new thread's state: signals as 'blockedSignals' says, no alternate stack.</summary>
        public static LinuxThread Create(UserThread owner, ulong blockedSignals)
            => new LinuxThread
            {
                Owner = owner, AlternateStackFlags = AlternateStackDisabled, BlockedSignals = blockedSignals,
                FutexWait = new Exo.Kernel.Scheduler.WaitQueue(),
            };

        public void Free()
        {
            Exo.Runtime.ObjectAllocator.Free(FutexWait);
            Exo.Runtime.ObjectAllocator.Free(PendingInformation);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
