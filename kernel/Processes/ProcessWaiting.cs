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
        /// <summary>Waits until the process has ended; returns its exit status (FaultResultBase + vector after a fault), or Interrupted.</summary>
        public static ulong WaitForExit(Process process, out bool faulted)
        {
            faulted = false;
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
                        return Ipc.Notification.Interrupted;   // the waiter is being killed
                }
            }
            faulted = process.Faulted;
            return process.ExitStatus;
        }

        /// <summary>Waits for the process to end and drops the caller's reference (the kernel's spawn-and-wait).</summary>
        public static ulong Wait(Process process, out bool faulted)
        {
            ulong status = WaitForExit(process, out faulted);
            process.Release();
            return status;
        }

        /// <summary>Waits until 'thread' has ended; its exit status, or Interrupted if the waiter is being killed.</summary>
        public static ulong WaitForThread(UserThread thread)
        {
            using (InterruptMask.Enter())
            {
                while (true)
                {
                    thread.ExitWaiters.Lock.Enter();
                    if (thread.Exited)
                    {
                        ulong result = thread.ExitStatus;
                        thread.ExitWaiters.Lock.Exit();
                        return result;
                    }
                    if (!Scheduler.Scheduler.BlockOnLockedInterruptibly(thread.ExitWaiters))   // releases the lock
                        return Ipc.Notification.Interrupted;
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
