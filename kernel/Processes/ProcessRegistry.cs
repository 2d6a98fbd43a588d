using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Every process that exists, in a fixed table (an explicit limit), by id: what ps lists and kill finds.
    /// A process is registered when loaded and leaves the table when the reaper frees it.
    /// </summary>
    public static unsafe class ProcessRegistry
    {
        public const int Capacity = 64;

        private static readonly Process[] s_processes = new Process[Capacity];
        private static SpinLock s_lock;   // s_processes, s_nextId; masks interrupts (kernel threads and system calls)
        private static int s_nextId = 1;

        public static void Initialize() => s_lock.Rank = LockRank.ProcessRegistry;

        /// <summary>Gives 'process' an id and a slot; false when the table is full.</summary>
        internal static bool Register(Process process)
        {
            using (s_lock.Hold())
            {
                for (int i = 0; i < Capacity; i++)
                {
                    if (s_processes[i] == null)
                    {
                        process.Id = s_nextId++;
                        s_processes[i] = process;
                        return true;
                    }
                }
                return false;
            }
        }

        /// <summary>
        /// Register, and when the table is full but the reaper still holds processes that have ended, waits (at most
        /// a second) for it to free them and tries again. An ended process leaves the table only when the reaper frees
        /// it, a moment after its parent's wait: a fork right after the wait must not fail for a slot on its way back.
        /// Call with no lock held (it may sleep); a kill ends the wait early.
        /// </summary>
        internal static bool RegisterWaitingForReaper(Process process)
        {
            if (Register(process))
                return true;
            if (!ProcessReaper.HasUnfinished)
                return false;
            ProcessReaper.WaitUntilFreed(Capacity - 1, Arch.X64.Cpu.ReadTimeStampCounter() + Time.SystemClock.TscFrequency);
            return Register(process);
        }

        internal static void Unregister(Process process)
        {
            using (s_lock.Hold())
                for (int i = 0; i < Capacity; i++)
                    if (s_processes[i] == process)
                        s_processes[i] = null;
        }

        /// <summary>The process with this id, with a reference the caller releases; null if none.</summary>
        public static Process Find(int id)
        {
            using (s_lock.Hold())
            {
                for (int i = 0; i < Capacity; i++)
                {
                    Process process = s_processes[i];
                    if (process != null && process.Id == id && process.References > 0)
                    {
                        process.AddReference();
                        return process;
                    }
                }
                return null;
            }
        }

        /// <summary>
        /// An id from the process ids' sequence for a personality's thread (Linux's thread ids share the pid space), so
        /// that it is never a process's id nor another thread's.
        /// </summary>
        public static int TakeThreadId()
        {
            using (s_lock.Hold())
                return s_nextId++;
        }

        /// <summary>The newest process (or thread) id handed out (ids count up from 1 and are never reused).</summary>
        public static int NewestId
        {
            get
            {
                using (s_lock.Hold())
                    return s_nextId - 1;
            }
        }

        /// <summary>The process in table slot 'slot' (0 to Capacity - 1), with a reference the caller releases; null if none.</summary>
        public static Process ReferenceAt(int slot)
        {
            using (s_lock.Hold())
            {
                Process process = (uint)slot < Capacity ? s_processes[slot] : null;
                if (process == null || process.References == 0)
                    return null;
                process.AddReference();
                return process;
            }
        }

        public static int Count
        {
            get
            {
                int count = 0;
                using (s_lock.Hold())
                    for (int i = 0; i < Capacity; i++)
                        if (s_processes[i] != null)
                            count++;
                return count;
            }
        }

        /// <summary>
        /// Takes the address space away from an ending process, under the lock ps reads it under, so that a
        /// snapshot never looks at a space being destroyed. The caller destroys what is returned.
        /// </summary>
        internal static Memory.AddressSpace DetachAddressSpace(Process process) => ReplaceAddressSpace(process, null);

        /// <summary>exec: 'space' becomes the process's under the same lock; the old one is returned to be destroyed.</summary>
        internal static Memory.AddressSpace ReplaceAddressSpace(Process process, Memory.AddressSpace replacement)
        {
            using (s_lock.Hold())
            {
                Memory.AddressSpace space = process.AddressSpace;
                process.AddressSpace = replacement;
                return space;
            }
        }

        /// <summary>One process as ps shows it, copied out of the table (printed with no lock held).</summary>
        public struct Summary
        {
            public int Id;
            public ProcessState State;
            public ulong MappedPages;
            public int Handles;
            public int NameLength;
            public fixed byte Name[Process.NameCapacity];
        }

        /// <summary>Copies up to 'capacity' processes into 'into'; the number copied.</summary>
        public static int Snapshot(Summary* into, int capacity)
        {
            int count = 0;
            using (s_lock.Hold())
            {
                for (int i = 0; i < Capacity && count < capacity; i++)
                {
                    Process process = s_processes[i];
                    if (process == null)
                        continue;
                    Summary* summary = into + count++;
                    summary->Id = process.Id;
                    summary->State = process.State;
                    summary->MappedPages = process.AddressSpace != null ? process.AddressSpace.MappedPages : 0;
                    summary->Handles = process.Handles.Count;
                    summary->NameLength = process.NameLength;
                    for (int c = 0; c < process.NameLength; c++)
                        summary->Name[c] = process.Name[c];
                }
            }
            return count;
        }
    }
}
