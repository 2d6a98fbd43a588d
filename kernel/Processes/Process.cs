using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>How a process's system calls are routed: native Exo-OS calls now, Linux's ABI (POSIX-X) next.</summary>
    public enum Personality : byte { Native, Linux }

    public enum ProcessState : byte { Starting, Running, Exited }

    /// <summary>
    /// A program running isolated in ring 3: its address space, its thread (one for now), its capabilities
    /// and its exit status. A kernel object: whoever holds a handle to it (its parent, the shell) keeps it, and
    /// the running program holds a reference of its own until it ends; the memory and capabilities go as soon
    /// as it ends, the object itself with the last reference (then a reaper thread frees it).
    /// </summary>
    public sealed unsafe class Process : KernelObject
    {
        public const int NameCapacity = 32;
        public const int HandleCapacity = 256;
        /// <summary>Memory objects one process may have mapped (an explicit limit, checked).</summary>
        public const int MappedObjectCapacity = 16;
        /// <summary>Anonymous memory a process may map in all (an explicit limit, checked).</summary>
        public const ulong MemoryQuota = 64UL << 20;
        public const ulong MappingBase = 0x10000000;      // where the kernel places mappings it chooses

        public int Id;
        public Personality Personality;
        public ProcessState State;
        public AddressSpace AddressSpace;
        public readonly HandleTable Handles = new HandleTable(HandleCapacity);
        /// <summary>Threads one process may have started over its life (an explicit limit, checked).</summary>
        public const int ThreadCapacity = 16;
        /// <summary>Its threads, the first being the one the program started on; slots are never reused.</summary>
        public readonly UserThread[] Threads = new UserThread[ThreadCapacity];
        public int ThreadCount;        // slots used, under ExitWaiters.Lock
        public int LiveThreads;        // threads not yet ended; the one that ends last ends the process
        public int Ending;             // set by the first thread whose end ends the process (exit, fault, kill)
        /// <summary>Where the loaded program starts, and the top of its initial stack (Start lays out its handles there).</summary>
        public ulong Entry, StackTop;
        public ulong ExitStatus;
        public bool Faulted;
        /// <summary>Ended by kill (process wait reports KilledWaitResult).</summary>
        public bool Killed;
        public int KillRequested;
        public const ulong KilledWaitResult = 2UL << 32;
        public ulong MappedBytes;
        public ulong NextMappingAddress = MappingBase;
        /// <summary>Threads waiting for it to end (process wait); woken when it has exited.</summary>
        public readonly Scheduler.WaitQueue ExitWaiters = new Scheduler.WaitQueue();
        public readonly MemoryObject[] MappedObjects = new MemoryObject[MappedObjectCapacity];
        /// <summary>The I/O port capabilities it enabled and their bitmap; null until its first io_port_enable.</summary>
        public Drivers.IoPortGrants IoPorts;
        internal Process ReapNext;
        /// <summary>Signalled with ExitBits when the process ends (process watch: how init learns of a crash).</summary>
        public Ipc.Notification ExitNotification;
        public ulong ExitBits;
        public int NameLength;
        private NameBytes _name;
        private struct NameBytes { public fixed byte Bytes[NameCapacity]; }
        public int CommandLineLength;
        // One more byte than the longest command line: the program finds it zero-terminated.
        private CommandLineBytes _commandLine;
        private struct CommandLineBytes { public fixed byte Bytes[ProcessTable.CommandLineCapacity + 1]; }

        public Process() { Handles.Owner = this; }

        /// <summary>Where a mapping asked at 'address' goes: there, or for 0 the next place the kernel chooses.</summary>
        public ulong PlaceMapping(ulong address) => address == 0 ? NextMappingAddress : address;

        /// <summary>A mapping of 'length' bytes was made at 'address': the kernel's next choice moves past it.</summary>
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
            CommandLineLength = length < ProcessTable.CommandLineCapacity ? length : ProcessTable.CommandLineCapacity;
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

        protected override void Destroy() => ProcessTable.Reap(this);
    }
}
