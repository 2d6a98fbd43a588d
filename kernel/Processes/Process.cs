using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>How a process's system calls are routed: native Exo-OS calls now, Linux's ABI (POSIX-X) next.</summary>
    public enum Personality : byte { Native, Linux }

    public enum ProcessState : byte { Running, Exited, Reaped }

    /// <summary>
    /// A program running isolated in ring 3: its address space, its threads (one for now), its capabilities
    /// and its exit status. Created by <see cref="ProcessTable.Spawn"/>; the one who waits for it reaps it.
    /// </summary>
    public sealed unsafe class Process
    {
        public const int NameCapacity = 32;
        /// <summary>Anonymous memory a process may map in all (an explicit limit, checked).</summary>
        public const ulong MemoryQuota = 64UL << 20;
        public const ulong MappingBase = 0x10000000;      // where the kernel places mappings it chooses

        public int Id;
        public Personality Personality;
        public ProcessState State;
        public AddressSpace AddressSpace;
        public Scheduler.Thread MainThread;
        public ulong Entry, StackTop;
        public ulong ExitStatus;
        public bool Faulted;
        public ulong MappedBytes;
        public ulong NextMappingAddress = MappingBase;
        public int NameLength;
        private NameBytes _name;
        private struct NameBytes { public fixed byte Bytes[NameCapacity]; }

        /// <summary>The name's bytes (objects never move in this kernel, so the pointer stays valid).</summary>
        public byte* Name => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _name);

        public void SetName(byte* name, int length)
        {
            NameLength = length < NameCapacity ? length : NameCapacity;
            for (int i = 0; i < NameLength; i++)
                Name[i] = name[i];
        }
    }
}
