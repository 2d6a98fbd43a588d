using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Waiting for processes and threads to end: process wait, thread wait, and process watch (a notification
    /// when a process ends: how a supervisor such as init waits for many at once). A wait is interrupted when
    /// the waiter itself is being killed.
    /// </summary>
    public static unsafe class ProcessWaiting
    {
        /// <summary>Waits until the process has ended (its status is then in the process); Interrupted if the waiter is being killed.</summary>
        public static Error WaitForExit(Process process)
        {
            using (InterruptMask.Enter())
            {
                while (true)
                {
                    process.LifecycleLock.Enter();
                    if (process.State == ProcessState.Exited)
                    {
                        process.LifecycleLock.Exit();
                        break;
                    }
                    if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(process.ExitWaiters))   // releases the lock
                        return Error.Interrupted;
                }
            }
            return Error.None;
        }

        /// <summary>
        /// Waits for the process to end and drops the caller's reference (the kernel's spawn-and-wait, on a kernel
        /// thread, which nobody kills); its exit status (FaultResultBase + vector after a fault).
        /// </summary>
        public static ulong Wait(Process process, out bool faulted)
        {
            WaitForExit(process);
            faulted = process.Faulted;
            ulong status = process.ExitStatus;
            process.Release();
            return status;
        }

        /// <summary>Waits until 'thread' has ended and gives its exit status; Interrupted if the waiter is being killed.</summary>
        public static Error WaitForThread(UserThread thread, out ulong status)
        {
            status = 0;
            using (InterruptMask.Enter())
            {
                while (true)
                {
                    thread.ExitWaiters.Lock.Enter();
                    if (thread.Exited)
                    {
                        status = thread.ExitStatus;
                        thread.ExitWaiters.Lock.Exit();
                        return Error.None;
                    }
                    if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(thread.ExitWaiters))   // releases the lock
                        return Error.Interrupted;
                }
            }
        }

        /// <summary>
        /// Signals 'bits' on 'notification' when 'process' ends (at once if it has ended), replacing an earlier
        /// watch: one watcher per process, its supervisor. Takes over the caller's reference to 'notification'.
        /// </summary>
        public static void Watch(Process process, Ipc.Notification notification, ulong bits)
        {
            Ipc.Notification previous;
            bool ended;
            using (InterruptMask.Enter())
            using (process.LifecycleLock.Hold())
            {
                previous = process.ExitNotification;
                ended = process.State == ProcessState.Exited;
                if (!ended)
                {
                    process.ExitNotification = notification;
                    process.ExitBits = bits;
                }
            }
            previous?.Release();
            if (ended)
            {
                notification.Signal(bits);
                notification.Release();
            }
        }
    }
}
