using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>How a process's system calls are routed: native Exo-OS calls, or Linux's ABI (POSIX-X).</summary>
    public enum Personality : byte { Native, Linux }

    public enum ProcessState : byte { Starting, Running, Exited }

    /// <summary>
    /// A program running isolated in ring 3: its address space, its threads, its capabilities and its exit
    /// status. A kernel object: whoever holds a handle to it (its parent, the shell) keeps it, and the running
    /// program holds a reference of its own until it ends; the memory and capabilities go as soon as it ends,
    /// the object itself with the last reference (then the reaper frees it).
    ///
    /// Locks, and what each guards (a field not listed is set before the process starts and then only read):
    /// <see cref="LifecycleLock"/> (its exit waiters' queue lock, so a waiter checks and sleeps atomically):
    /// State, Threads, ThreadCount, ReleasedThreadsRunTime, KillRequested's effect on new threads, ExitNotification,
    /// ExitBits, ClaimedSocketChannel and ClaimedSocketService, and each thread's UserThread.Thread link. <see cref="MappingLock"/>: MappedBytes, NextMappingAddress,
    /// MappedObjects. Interlocked, no lock: LiveThreads, Ending, KillRequested. The handle table has the
    /// capability space's lock; the address space its own.
    /// </summary>
    public sealed unsafe class Process : KernelObject
    {
        public const int NameCapacity = Constants.ProgramNameCapacity;
        public const int HandleCapacity = 256;
        /// <summary>Memory object mappings one process may have at once (an explicit limit, checked; unmapping a whole mapping frees its slot).</summary>
        public const int MappedObjectCapacity = 64;
        /// <summary>Anonymous memory a process may map in all (an explicit limit, checked).</summary>
        public const ulong MemoryQuota = 64UL << 20;
        public const ulong MappingBase = 0x10000000;      // where the kernel places mappings it chooses
        /// <summary>
        /// Threads one process may have at once (an explicit limit, checked: a thread that has ended holds its slot
        /// until it is released, ProcessLifecycle.ReleaseEndedThread, which a new thread does when it needs the slot).
        /// </summary>
        public const int ThreadCapacity = Constants.MaximumThreads;
        /// <summary>The longest command line (program name and arguments), in bytes.</summary>
        public const int CommandLineCapacity = Constants.CommandLineCapacity;
        public const ulong KilledWaitResult = Constants.KilledStatus;

        public int Id;
        /// <summary>The id of the process that started it (spawn or fork), 0 for the kernel's own.</summary>
        public int ParentId;
        public ProcessState State;
        public AddressSpace AddressSpace;
        /// <summary>What the loader found: entry, stack top, personality, program headers.</summary>
        public ProgramImage Image;
        public readonly HandleTable Handles = new HandleTable(HandleCapacity);
        /// <summary>
        /// Its threads, the first being the one the program started on (never released before the process ends, like
        /// Linux's group leader); a slot is null once its ended thread has been released, and reused by a new thread.
        /// </summary>
        public readonly UserThread[] Threads = new UserThread[ThreadCapacity];
        /// <summary>Slots used so far (the highest plus one): Threads past it are null.</summary>
        public int ThreadCount;
        /// <summary>The run time (TSC ticks) of its released threads, which the process's CPU time keeps.</summary>
        public ulong ReleasedThreadsRunTime;
        /// <summary>Threads not yet ended; the one that ends last ends the process.</summary>
        public int LiveThreads;
        /// <summary>Set by the first thread whose end ends the process (exit, fault, kill).</summary>
        public int Ending;
        public int KillRequested;
        /// <summary>Set while a thread ends every other one (ProcessLifecycle.EndOtherThreads, before an exec): no thread is made or released.</summary>
        public int EndingOtherThreads;
        public ulong ExitStatus;
        public bool Faulted;
        /// <summary>Ended by kill (process wait reports KilledWaitResult).</summary>
        public bool Killed;
        /// <summary>Threads waiting for it to end (process wait); woken when it has exited.</summary>
        public readonly Scheduler.WaitQueue ExitWaiters = new Scheduler.WaitQueue();
        /// <summary>Signalled with ExitBits when the process ends (process watch: how init learns of a crash).</summary>
        public Ipc.Notification ExitNotification;
        public ulong ExitBits;
        /// <summary>The native socket channel it claimed and its service's notification (Ipc/SocketClaims), told when it ends.</summary>
        public MemoryObject ClaimedSocketChannel;
        public Ipc.Notification ClaimedSocketService;

        public Sync.SpinLock MappingLock;
        public ulong MappedBytes;
        public ulong NextMappingAddress = MappingBase;
        public readonly MemoryObject[] MappedObjects = new MemoryObject[MappedObjectCapacity];
        /// <summary>Where each of MappedObjects is mapped (one slot per mapping: an object mapped twice takes two).</summary>
        public readonly ulong[] MappedObjectAddresses = new ulong[MappedObjectCapacity];

        /// <summary>Its personality's own state (POSIX-X's for a Linux process), or null for a native one.</summary>
        public ProcessPersonality PersonalityState;
        /// <summary>The I/O port capabilities it enabled and their bitmap; null until its first io_port_enable.</summary>
        public Drivers.IoPortGrants IoPorts;
        /// <summary>Set by its first pci_interrupt_bind: its end then releases the message interrupts it bound.</summary>
        public bool BoundMessageInterrupts;
        internal Process ReapNext;
        public int NameLength;
        private NameBytes _name;
        private struct NameBytes { public fixed byte Bytes[NameCapacity]; }
        public int CommandLineLength;
        // One more byte than the longest command line: the program finds it zero-terminated.
        private CommandLineBytes _commandLine;
        private struct CommandLineBytes { public fixed byte Bytes[CommandLineCapacity + 1]; }

        public Process()
        {
            Handles.Owner = this;
            MappingLock.Rank = Sync.LockRank.ProcessMappings;
        }

        public Personality Personality => Image.Personality;

        /// <summary>The lock of its life cycle (see the class summary): its exit waiters' queue lock.</summary>
        public ref Sync.TicketLock LifecycleLock => ref ExitWaiters.Lock;

        /// <summary>Where a mapping asked at 'address' goes: there, or for 0 the next place the kernel chooses. Hold MappingLock.</summary>
        public ulong PlaceMapping(ulong address) => address == 0 ? NextMappingAddress : address;

        /// <summary>A mapping of 'length' bytes was made at 'address': the kernel's next choice moves past it. Hold MappingLock.</summary>
        public void MappingPlaced(ulong address, ulong length)
        {
            if (address == NextMappingAddress)
                NextMappingAddress += length + 0x1000;   // a gap page between mappings
        }

        /// <summary>The name's bytes (objects never move in this kernel, so the pointer stays valid).</summary>
        public byte* Name => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _name);

        /// <summary>The command line the process was started with (zero-terminated).</summary>
        public byte* CommandLine => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _commandLine);

        public void SetCommandLine(byte* line, int length)
        {
            CommandLineLength = length < CommandLineCapacity ? length : CommandLineCapacity;
            for (int i = 0; i < CommandLineLength; i++)
                CommandLine[i] = line[i];
            CommandLine[CommandLineLength] = 0;
        }

        public void SetName(byte* name, int length)
        {
            NameLength = length < NameCapacity ? length : NameCapacity;
            for (int i = 0; i < NameLength; i++)
                Name[i] = name[i];
        }

        /// <summary>The exit status as process wait reports it: the status, 2^32 + vector after a fault, 2^33 if killed.</summary>
        public ulong WaitResult => Killed ? KilledWaitResult
            : Faulted ? (1UL << 32) + (ExitStatus - UserMode.UserMode.FaultResultBase) : ExitStatus;

        protected override void Destroy() => ProcessReaper.Reap(this);
    }
}
