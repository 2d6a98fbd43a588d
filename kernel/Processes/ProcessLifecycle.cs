using System.Threading;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// A process's life after its start: each thread runs ring 3 until it leaves for good (exit, a fault, a
    /// kill); exit, a fault or a kill in any thread ends them all, and the last thread out ends the process:
    /// its conversations, capabilities and memory go, then waiters and its watcher learn its status. Kill asks
    /// each thread to end at its next way back to ring 3 and interrupts the wait it sleeps in.
    /// </summary>
    public static unsafe class ProcessLifecycle
    {
        /// <summary>Every thread of a process: ring 3 until it leaves for good; then ThreadEnded.</summary>
        internal static void ThreadMain(ulong userThreadAddress)
        {
            UserThread self = System.Runtime.CompilerServices.Unsafe.AsRef<UserThread>(&userThreadAddress);
            Process process = self.Process;
            Scheduler.Thread thread = Scheduler.Scheduler.Current;
            thread.User.Process = process;
            thread.User.Thread = self;
            // Named under the lock KillThreads looks under: a kill that came first is seen here, and one that comes
            // later finds the thread.
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                self.Thread = thread;
                if (Volatile.Read(ref process.KillRequested) != 0)
                    thread.User.PendingWork = (int)UserMode.UserWork.Kill;
            }
            byte* extendedState = self.InitialExtendedState;
            self.InitialExtendedState = null;
            ulong result = UserMode.UserMode.RunInAddressSpace(process.AddressSpace,
                (Arch.X64.RegisterFrame*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref self.StartFrame),
                Syscalls.SystemCalls.TableFor(process.Personality), extendedState, self.InitialFsBase);
            ThreadEnded(self, thread, result);
        }

        // A thread has left ring 3 for good. Exit, a fault or a kill end the whole process: the first such end
        // sets its status and kills the other threads. The last thread to end ends the process.
        private static void ThreadEnded(UserThread self, Scheduler.Thread thread, ulong result)
        {
            Process process = self.Process;
            bool endsProcess = !thread.User.EndsThreadOnly;
            thread.User.EndsThreadOnly = false;
            using (InterruptMask.Enter())
                Ipc.FusionCall.ThreadEnded(thread);   // the caller it owed a reply gets "peer gone"
            if (endsProcess && Interlocked.CompareExchange(ref process.Ending, 1, 0) == 0)
            {
                SetExitStatus(process, result);
                KillThreads(process, thread);
            }
            using (InterruptMask.Enter())
            using (self.ExitWaiters.Lock.Hold())
            {
                self.ExitStatus = result;
                self.Exited = true;
            }
            self.ExitWaiters.WakeAll();
            if (Interlocked.Decrement(ref process.LiveThreads) == 0)
            {
                if (Volatile.Read(ref process.Ending) == 0)
                    SetExitStatus(process, result);   // every thread ended by thread exit: the last one's status
                End(process);
            }
            thread.User.Process = null;
            thread.User.Thread = null;
        }

        /// <summary>A thread created but never started (no memory for it): it counts as ended at once.</summary>
        internal static void ThreadNeverRan(Process process)
        {
            if (Interlocked.Decrement(ref process.LiveThreads) == 0)
                End(process);
        }

        /// <summary>
        /// Gives back the slot of 'ended', a thread that has ended while its process runs on: the slot emptied, the
        /// scheduler's thread joined, the process's reference to it released (its personality's state freed first).
        /// False if the process is being killed (then its reaper releases every thread); true once the slot is no
        /// longer the thread's (whoever released it).
        /// </summary>
        internal static bool ReleaseEndedThread(UserThread ended)
        {
            Process process = ended.Process;
            Scheduler.Thread thread;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                // KillThreads and EndOtherThreads may be looking at every slot without the lock.
                if (process.KillRequested != 0 || process.EndingOtherThreads != 0)
                    return false;
                int slot = 1;
                while (slot < process.ThreadCount && process.Threads[slot] != ended)
                    slot++;
                if (slot == process.ThreadCount)
                    return true;   // another new thread released it first
                thread = EmptySlot(process, slot);
            }
            FinishRelease(process, ended, thread);
            return true;
        }

        // LifecycleLock held: takes an ended thread out of its slot; its scheduler thread, to join.
        private static Scheduler.Thread EmptySlot(Process process, int slot)
        {
            Scheduler.Thread thread = process.Threads[slot].Thread;
            if (thread != null)
                process.ReleasedThreadsRunTime += Scheduler.Scheduler.RunTimeOf(thread);
            process.Threads[slot] = null;
            return thread;
        }

        // An ended thread out of its slot: its personality's state freed, its scheduler thread joined, the process's
        // reference to it dropped.
        private static void FinishRelease(Process process, UserThread ended, Scheduler.Thread thread)
        {
            // Those who look at the threads without a lock (a process's run time, a futex wake) do so under the grace
            // flag, and are done with it after this; those who look under the personality's own lock, after its hook.
            Scheduler.Scheduler.WaitForFastPaths();
            process.PersonalityState?.OnThreadReleased(ended);
            if (thread != null)
                Scheduler.Scheduler.Join(thread);   // it may still be on its way out of ThreadEnded
            ended.Thread = null;   // freed: a handle may keep the object, never the scheduler's thread
            ended.Release();
        }

        /// <summary>
        /// Ends every other thread of the calling thread's process as if each had called thread exit (interrupted as a
        /// kill interrupts it, but its end ends only itself), waits for them, releases them, and makes the caller the
        /// process's first thread: Linux's de_thread, before an exec. Meanwhile no thread is created. False if the
        /// process is being killed (or the caller is).
        /// </summary>
        public static bool EndOtherThreads(Process process, Scheduler.Thread self)
        {
            UserThread caller = self.User.Thread;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                if (process.KillRequested != 0 || process.Ending != 0)
                    return false;
                process.EndingOtherThreads = 1;   // from here on no thread is created and no slot released
            }
            bool ended = AskOtherThreadsToEnd(process, self) && WaitForOtherThreads(process, caller);
            if (ended)
            {
                for (int slot = 0; slot < process.ThreadCount; slot++)
                {
                    UserThread other;
                    Scheduler.Thread thread;
                    using (InterruptMask.Enter())
                    using (process.LifecycleLock.Hold())
                    {
                        other = process.Threads[slot];
                        if (other == null || other == caller)
                            continue;
                        thread = EmptySlot(process, slot);
                        if (slot == 0)
                        {
                            // The caller takes the first slot (its Linux id becomes the process id, as de_thread's).
                            for (int mine = 1; mine < process.ThreadCount; mine++)
                                if (process.Threads[mine] == caller)
                                    process.Threads[mine] = null;
                            process.Threads[0] = caller;
                        }
                    }
                    FinishRelease(process, other, thread);
                }
            }
            Volatile.Write(ref process.EndingOtherThreads, 0);
            return ended;
        }

        // Asks every other thread to end at its next way back to ring 3 (as KillThreads does, its end ending only
        // itself); false if the process is being killed.
        private static bool AskOtherThreadsToEnd(Process process, Scheduler.Thread self)
        {
            using (InterruptMask.Enter())
            {
                int count;
                using (process.LifecycleLock.Hold())
                {
                    if (process.KillRequested != 0)
                        return false;
                    count = process.ThreadCount;
                    for (int i = 0; i < count; i++)
                    {
                        Scheduler.Thread thread = process.Threads[i]?.Thread;
                        if (thread == null || thread == self || process.Threads[i].Exited)
                            continue;
                        thread.User.EndsThreadOnly = true;   // before the kill bit, which is a full barrier
                        Interlocked.Or(ref thread.User.PendingWork, (int)UserMode.UserWork.Kill);
                    }
                }
                // Without the lock: no slot is released nor filled while EndingOtherThreads is set.
                InterruptKilledThreads(process, count, self);
            }
            return true;
        }

        // Waits until every other thread has ended; false if the caller is killed meanwhile.
        private static bool WaitForOtherThreads(Process process, UserThread caller)
        {
            for (int i = 0; i < process.ThreadCount; i++)
            {
                UserThread other = process.Threads[i];   // stays: no slot is released meanwhile
                if (other == null || other == caller)
                    continue;
                while (ProcessWaiting.WaitForThread(other, out _) != Error.None)
                    if (Scheduler.Scheduler.Current.KillPending)
                        return false;   // else a signal interrupted the wait: the thread still ends
            }
            return true;
        }

        private static void SetExitStatus(Process process, ulong result)
        {
            process.Faulted = result >= UserMode.UserMode.FaultResultBase && result < UserMode.UserMode.FaultResultBase + 32;
            process.Killed = result == UserMode.UserMode.KilledResult;
            process.ExitStatus = result;
        }

        // What ends with the program: memory, conversations, capabilities. Then waiters learn the status.
        // Called by its last thread, which has left the address space like every other. The memory goes first, before
        // the personality tells a parent (a Linux wait returns from OnProcessEnded), as Linux frees a process's memory
        // before it notifies: a parent that waits, then at once starts another big program, must find the memory back.
        private static void End(Process process)
        {
            AddressSpace space = ProcessRegistry.DetachAddressSpace(process);
            space.ReleaseUser();   // this thread left it in RunInAddressSpace
            process.PersonalityState?.OnProcessEnded(process);
            using (InterruptMask.Enter())
                Ipc.FusionCall.ProcessEnded(process);
            Ipc.ServiceChannels.ProcessEnded(process);
            CapabilitySpace.Enter();
            process.Handles.CloseAll();
            CapabilitySpace.Exit();
            if (process.BoundMessageInterrupts)
                Drivers.Pci.PciBus.ReleaseMessagesBoundBy(process);   // before a watcher hears of the end and starts another driver
            for (int i = 0; i < Process.MappedObjectCapacity; i++)
            {
                MemoryObject memory = process.MappedObjects[i];
                process.MappedObjects[i] = null;
                memory?.Release();
            }
            Ipc.Notification watcher;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                process.State = ProcessState.Exited;
                watcher = process.ExitNotification;
                process.ExitNotification = null;
            }
            process.ExitWaiters.WakeAll();
            Ipc.SocketClaims.ProcessEnded(process);
            if (watcher != null)
            {
                watcher.Signal(process.ExitBits);
                watcher.Release();
            }
            process.Release();   // the program's own reference
        }

        /// <summary>
        /// Asks 'thread' to do 'work' on its way back to ring 3 (a signal, a kill), and ends the interruptible wait it
        /// sleeps in, if any, so that it gets there now. The work bit is set before the wait is looked at (each wait
        /// names itself before it reads the bits), so one of the two always sees the other.
        /// </summary>
        public static void InterruptThread(Scheduler.Thread thread, UserMode.UserWork work)
        {
            Interlocked.Or(ref thread.User.PendingWork, (int)work);
            using (InterruptMask.Enter())
            {
                Scheduler.Scheduler.InterruptWait(thread);
                Ipc.FusionCall.Interrupt(thread);
                Scheduler.Scheduler.Nudge(thread);   // running in ring 3 elsewhere: an interrupt brings it to the way back
            }
        }

        /// <summary>
        /// Ends 'process' (kill): each of its threads ends at its next way back to ring 3, and a wait one sleeps
        /// in (receive, a queued call, notification, process or thread wait) is interrupted at once. A call already
        /// taken by a server ends when the reply comes. Idempotent; nothing happens to a process that has ended.
        /// </summary>
        public static void Kill(Process process) => KillThreads(process, null);

        // Kills every thread of 'process' but 'except' (the thread whose exit or fault is ending it).
        private static void KillThreads(Process process, Scheduler.Thread except)
        {
            if (Interlocked.Exchange(ref process.KillRequested, 1) != 0)
                return;
            using (InterruptMask.Enter())
            {
                int count;
                using (process.LifecycleLock.Hold())   // threads are named under it (ThreadMain) and stay until the process is freed
                {
                    count = process.State == ProcessState.Running ? process.ThreadCount : 0;
                    for (int i = 0; i < count; i++)
                    {
                        Scheduler.Thread thread = process.Threads[i]?.Thread;   // a released thread's slot is empty
                        if (thread == null || thread == except)
                            continue;
                        // The flag first, then the waits (each wait names itself before it reads the flag).
                        Interlocked.Or(ref thread.User.PendingWork, (int)UserMode.UserWork.Kill);
                    }
                }
                // Without the lock: no slot is released once KillRequested is set (ReleaseEndedThread).
                InterruptKilledThreads(process, count, except);
            }
        }

        // Interrupts masked, no slot released meanwhile: ends the wait each thread told to end sleeps in, and brings one
        // running in ring 3 elsewhere back to the kernel (an interrupt), so that each ends now.
        private static void InterruptKilledThreads(Process process, int count, Scheduler.Thread except)
        {
            for (int i = 0; i < count; i++)
            {
                Scheduler.Thread thread = process.Threads[i]?.Thread;
                if (thread == null || thread == except || !thread.KillPending)
                    continue;
                Scheduler.Scheduler.InterruptWait(thread);
                Ipc.FusionCall.Interrupt(thread);
                Scheduler.Scheduler.Nudge(thread);
            }
        }
    }
}
