using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// One personality's system calls by number, in the layout SystemCallEntry.asm indexes: the number of
    /// entries, the handler for numbers past them, one handler per number (the unknown-call handler where
    /// none is registered), then one count per number (the entry adds one on each call: what /proc and the
    /// shell report). A handler takes the caller's complete register frame and returns RAX. A thread's table is
    /// its personality's (UserContext.SystemCallTable), so routing costs the entry nothing.
    /// </summary>
    public unsafe struct SystemCallTable
    {
        public const int Capacity = 512;
        /// <summary>Where the counts start (checked at boot against KernelEntry.inc's TABLE_COUNTS).</summary>
        public const int CountsOffset = 16 + 8 * Capacity;

        private ulong _count;
        private ulong _unknownHandler;
        private fixed ulong _handlers[Capacity];
        private fixed ulong _counts[Capacity];   // SystemCallEntry.asm: at 16 + 8 * Capacity (KernelEntry.inc)

        /// <summary>Sets 'count' entries (at most Capacity), each to 'unknown' until a handler is registered.</summary>
        public void Initialize(int count, delegate*<RegisterFrame*, ulong> unknown)
        {
            if (count > Capacity)
                Diagnostics.Panic.Fail("a system call table larger than its capacity");
            _count = (ulong)count;
            _unknownHandler = (ulong)unknown;
            for (int i = 0; i < count; i++)
                _handlers[i] = (ulong)unknown;
        }

        public void Register(int number, delegate*<RegisterFrame*, ulong> handler)
        {
            if ((ulong)number >= _count || _handlers[number] != _unknownHandler)
                Diagnostics.Panic.Fail("a system call number outside its table, or registered twice");
            _handlers[number] = (ulong)handler;
        }

        /// <summary>The handler at 'number' (a tracer keeps it and puts its own in its place with SetHandler).</summary>
        public ulong HandlerAt(int number) => (ulong)number < _count ? _handlers[number] : 0;

        public void SetHandler(int number, ulong handler)
        {
            if ((ulong)number < _count)
                _handlers[number] = handler;
        }

        public bool IsRegistered(int number) => (ulong)number < _count && _handlers[number] != _unknownHandler;

        /// <summary>Calls made with this number since boot (all processors; a statistic: increments may race).</summary>
        public ulong CallCount(int number) => (ulong)number < _count ? _counts[number] : 0;

        public int Count => (int)_count;
    }
}
