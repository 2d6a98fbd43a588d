namespace Exo.Kernel.Sync
{
    /// <summary>
    /// The kernel's locks, in the one order they may be taken: a code path that holds a lock takes only locks of
    /// a higher rank (a later line here), so no two paths can each wait for a lock the other holds. Two locks of
    /// one rank are never held together (TryEnter, which never waits, is the exception: the scheduler's
    /// stealing). A Debug build checks every acquisition (<see cref="LockOrder"/>) and panics with both names
    /// on an inversion. Each lock's owner gives it its rank before first use.
    /// </summary>
    public enum LockRank : byte
    {
        /// <summary>No rank given: a Debug build refuses to take it.</summary>
        Unranked = 0,
        /// <summary>POSIX-X's process tree: parents, children, process groups, sessions (Linux's tasklist_lock; it looks processes up in the registry).</summary>
        ProcessTree,
        /// <summary>The process registry (ids, the table ps reads).</summary>
        ProcessRegistry,
        /// <summary>POSIX-X's per-process state (credentials, limits, name) and small system-wide fields (the host name).</summary>
        PosixProcess,
        /// <summary>A futex bucket (POSIX-X): its waiters' list; a waiter's own wait queue is taken under it.</summary>
        PosixFutex,
        /// <summary>A process's mapping bookkeeping: quota used, where the kernel places mappings, objects kept mapped.</summary>
        ProcessMappings,
        /// <summary>A process's descriptor table (POSIX-X's capability cache).</summary>
        Descriptors,
        /// <summary>The file system services offered to the kernel by name (Ipc/ServiceOffers).</summary>
        ServiceOffers,
        /// <summary>POSIX-X's current channel to the network service (Sockets/Internet/SocketChannel); nothing is taken under it.</summary>
        SocketChannels,
        /// <summary>The service channels' listeners and live connections (Ipc/ServiceChannels): notifications are signalled under it.</summary>
        ServiceChannels,
        /// <summary>An open file's offset (POSIX-X), held across the read or write that moves it.</summary>
        OpenFile,
        /// <summary>A file system's structure and data (POSIX-X's tmpfs: one lock per file system), and the mount table.</summary>
        FileSystem,
        /// <summary>Every handle table and the derivation tree (the capability space).</summary>
        Capabilities,
        /// <summary>Interrupt lines owned by user-mode drivers.</summary>
        InterruptLines,
        /// <summary>A PCI device capability's MSI-X or MSI bindings (one lock per object).</summary>
        PciDevice,
        /// <summary>The MSI-X and MSI vectors given to PCI functions and the notifications they signal.</summary>
        MessageInterrupts,
        /// <summary>PCI configuration mechanism 1's address and data ports; the owners of PCI functions.</summary>
        PciConfiguration,
        /// <summary>The I/O APIC's redirection entries.</summary>
        IoApic,
        /// <summary>An address space's page tables (one lock per space).</summary>
        AddressSpace,
        /// <summary>Kernel stack slots.</summary>
        KernelStacks,
        /// <summary>The kernel half's page tables, shared by every space.</summary>
        KernelPageTables,
        /// <summary>TLB shoot-down: one at a time, waiting for every processor's acknowledgement.</summary>
        TlbShootDown,
        /// <summary>The registry of every thread (ps).</summary>
        ThreadRegistry,
        /// <summary>Processes whose last reference is gone, waiting for the reaper.</summary>
        ReapList,
        /// <summary>POSIX-X's epoll instances and what they watch (one lock for all); a watched file's poll (its wait queue's lock) is taken under it.</summary>
        EventPoll,
        /// <summary>POSIX-X's flock locks and fcntl's record locks (WholeFileLocks, RecordLocks: one lock each, never held together); nothing is taken under them.</summary>
        WholeFileLocks,
        /// <summary>The sleepers, by wake time (below the wait queues: a passed deadline interrupts the wait its thread sleeps in).</summary>
        SleepQueue,
        /// <summary>A wait queue: a process's or thread's end, a notification, an endpoint's callers, a semaphore, a join.</summary>
        WaitQueue,
        /// <summary>A processor's run queue and current thread; taken last of the scheduler's locks.</summary>
        Processor,
        /// <summary>Drivers' I/O port bitmaps and which processor's TSS holds one (a context switch installs one).</summary>
        IoPermissions,
        /// <summary>The allocator's size-class levels (slabs), then its page level.</summary>
        AllocatorClass,
        AllocatorPages,
        /// <summary>The console's output ring: a copy in or out, nothing else under it.</summary>
        ConsoleOutput,
        /// <summary>Locks of the in-kernel tests.</summary>
        Test,
    }
}
