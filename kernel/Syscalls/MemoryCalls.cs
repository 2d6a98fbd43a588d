using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Anonymous memory: map(address or 0, length, writable) reserves zeroed pages (never executable), unmap
    /// removes them. Pages are demand-paged: map only reserves the range (AddressSpace.Reserve); the first
    /// touch of each page gets its frame. The whole range counts against the quota at map time, so a process
    /// cannot overcommit: every reserved page can later be backed. Limits: one call maps at most
    /// MaximumMapping; a process at most Process.MemoryQuota.
    /// </summary>
    public static unsafe class MemoryCalls
    {
        public const int Map = 20, Unmap = 21;
        public const ulong MaximumMapping = 16UL << 20;

        internal static void Register()
        {
            SystemCalls.Register(Map, &DoMap);
            SystemCalls.Register(Unmap, &DoUnmap);
        }

        private static ulong DoMap(RegisterFrame* frame)
        {
            ulong address = frame->Argument0;
            ulong length = frame->Argument1;
            ulong writable = frame->Argument2;
            if (Scheduler.Scheduler.Current.Process is not Process process)
                return SystemCalls.AccessDenied;
            if (length == 0 || length > MaximumMapping || (address & 0xFFF) != 0)
                return SystemCalls.InvalidArgument;
            length = (length + 0xFFF) & ~0xFFFUL;
            using (process.MappingLock.Hold())   // the quota, the kernel's placement and the reservation as one step
            {
                if (process.MappedBytes + length > Process.MemoryQuota)
                    return SystemCalls.OutOfMemory;
                if (address == 0)
                    address = process.NextMappingAddress;
                if (!UserMemory.IsUserRange(address, length))
                    return SystemCalls.InvalidArgument;
                for (ulong offset = 0; offset < length; offset += 0x1000)
                {
                    if (!process.AddressSpace.Reserve(address + offset, writable != 0))
                    {
                        for (ulong undo = 0; undo < offset; undo += 0x1000)
                            process.AddressSpace.Unmap(address + undo);
                        return SystemCalls.OutOfMemory;   // or already mapped: nothing is left half-done
                    }
                }
                process.MappingPlaced(address, length);
                process.MappedBytes += length;
                return address;
            }
        }

        private static ulong DoUnmap(RegisterFrame* frame)
        {
            ulong address = frame->Argument0;
            ulong length = frame->Argument1;
            if (Scheduler.Scheduler.Current.Process is not Process process)
                return SystemCalls.AccessDenied;
            if ((address & 0xFFF) != 0 || length == 0 || length > Process.MemoryQuota || !UserMemory.IsUserRange(address, length))
                return SystemCalls.InvalidArgument;
            using (process.MappingLock.Hold())
            {
                ulong unmapped = 0;
                for (ulong offset = 0; offset < length; offset += 0x1000)
                    if (process.AddressSpace.Unmap(address + offset, out bool owned) && owned)
                        unmapped += 0x1000;   // anonymous pages, touched or not; shared memory-object pages were never charged here
                process.MappedBytes = process.MappedBytes > unmapped ? process.MappedBytes - unmapped : 0;
            }
            return 0;
        }
    }
}
