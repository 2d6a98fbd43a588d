using Exo.Kernel.Capabilities;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Frees processes whose last reference is gone. A process's threads must be joined first, which can
    /// happen neither on one of those threads nor under a lock (the last Release may come from anywhere), so
    /// Reap only queues it and a kernel thread, the reaper, does the rest.
    /// </summary>
    public static unsafe class ProcessReaper
    {
        private static SpinLock s_lock;   // s_list
        private static Process s_list;
        private static Sync.Semaphore s_reapable;
        // Processes handed to the reaper and not yet freed (interlocked): counted from Reap to the end of Discard,
        // because a process leaves the registry before Discard gives its memory back.
        private static int s_unfinished;
        // Processes freed so far, under s_freedWaiters' lock: a waiter sleeps only while it has not moved.
        private static ulong s_freed;
        private static Scheduler.WaitQueue s_freedWaiters;

        public static void Initialize()
        {
            s_lock.Rank = LockRank.ReapList;
            s_reapable = new Sync.Semaphore(0);
            s_freedWaiters = new Scheduler.WaitQueue();
            Scheduler.Scheduler.Create("reaper", &ReaperMain, 0);
        }

        /// <summary>
        /// Waits until at most 'processes' processes exist and the reaper has freed every process handed to it, so
        /// that their memory is back (what a leak check measures after); false if that has not happened by 'deadline'
        /// (TSC), a guard against a process that is never freed. The reaper wakes the waiter each time it frees one.
        /// For kernel threads (the tests): nobody kills them, so only the deadline ends the wait early.
        /// </summary>
        internal static bool WaitUntilFreed(int processes, ulong deadline)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            bool done;
            using (InterruptMask.Enter())
            {
                Scheduler.Scheduler.ArmTimeout(deadline);
                while (true)
                {
                    ulong freed = System.Threading.Volatile.Read(ref s_freed);   // read first: a process freed from here on wakes us
                    done = ProcessRegistry.Count <= processes && System.Threading.Volatile.Read(ref s_unfinished) == 0;
                    if (done || current.WaitEnds)
                        break;
                    s_freedWaiters.Lock.Enter();
                    if (s_freed != freed)
                    {
                        s_freedWaiters.Lock.Exit();
                        continue;
                    }
                    Scheduler.Scheduler.BlockOnLockedInterruptibly(s_freedWaiters);   // releases the lock
                }
                Scheduler.Scheduler.DisarmTimeout();
            }
            return done;
        }

        /// <summary>Some process was handed to the reaper and is not freed yet.</summary>
        internal static bool HasUnfinished => System.Threading.Volatile.Read(ref s_unfinished) != 0;

        /// <summary>The last reference is gone: hand the process to the reaper (any context, any lock).</summary>
        internal static void Reap(Process process)
        {
            System.Threading.Interlocked.Increment(ref s_unfinished);
            using (s_lock.Hold())
            {
                process.ReapNext = s_list;
                s_list = process;
            }
            s_reapable.Release();
        }

        private static void ReaperMain(ulong unused)
        {
            while (true)
            {
                s_reapable.Wait();
                Process process;
                using (s_lock.Hold())
                {
                    process = s_list;
                    s_list = process.ReapNext;
                }
                for (int i = 0; i < process.ThreadCount; i++)
                    if (process.Threads[i]?.Thread != null)   // a released thread's slot is empty
                        Scheduler.Scheduler.Join(process.Threads[i].Thread);
                ProcessRegistry.Unregister(process);
                Discard(process);
                System.Threading.Interlocked.Decrement(ref s_unfinished);
                using (InterruptMask.Enter())
                using (s_freedWaiters.Lock.Hold())
                    s_freed++;
                s_freedWaiters.WakeAll();
            }
        }

        /// <summary>Frees a process object and what it owns (its program has ended or never started).</summary>
        internal static void Discard(Process process)
        {
            Scheduler.Scheduler.WaitForFastPaths();   // a killer may be looking at a thread that waited on it
            process.PersonalityState?.OnDiscard(process);
            process.ExitNotification?.Release();   // a watch on a process that never started
            process.AddressSpace?.ReleaseUser();
            CapabilitySpace.Enter();
            process.Handles.Destroy(&Exo.Runtime.ObjectAllocator.Free);
            CapabilitySpace.Exit();
            Exo.Runtime.ObjectAllocator.Free(process.Handles);
            Exo.Runtime.ObjectAllocator.Free(process.ExitWaiters);
            Exo.Runtime.ObjectAllocator.Free(process.MappedObjects);
            Exo.Runtime.ObjectAllocator.Free(process.MappedObjectAddresses);
            for (int i = 0; i < process.ThreadCount; i++)
                process.Threads[i]?.Release();
            Exo.Runtime.ObjectAllocator.Free(process.Threads);
            process.IoPorts?.Free();   // its thread left ring 3 for good: no processor holds the bitmap
            Exo.Runtime.ObjectAllocator.Free(process);
        }
    }
}
