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
        public const ulong MaximumMapping = 16UL << 20;

        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.MemoryMap, &DoMap);
            SystemCalls.Register(SystemCallNumber.MemoryUnmap, &DoUnmap);
        }

        private static ulong DoMap(RegisterFrame* frame)
        {
            ulong address = frame->Argument0;
            ulong length = frame->Argument1;
            ulong writable = frame->Argument2;
            if (Scheduler.Scheduler.Current.Process is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            if (length == 0 || length > MaximumMapping || (address & 0xFFF) != 0)
                return SystemCallResult.From(Error.Invalid);
            length = (length + 0xFFF) & ~0xFFFUL;
            using (process.MappingLock.Hold())   // the quota, the kernel's placement and the reservation as one step
            {
                if (process.MappedBytes + length > Process.MemoryQuota)
                    return SystemCallResult.From(Error.OutOfMemory);
                if (address == 0)
                    address = process.NextMappingAddress;
                if (!UserMemory.IsUserRange(address, length))
                    return SystemCallResult.From(Error.Invalid);
                for (ulong offset = 0; offset < length; offset += 0x1000)
                {
                    if (!process.AddressSpace.Reserve(address + offset, writable != 0))
                    {
                        for (ulong undo = 0; undo < offset; undo += 0x1000)
                            process.AddressSpace.Unmap(address + undo);
                        return SystemCallResult.From(Error.OutOfMemory);   // or already mapped: nothing is left half-done
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
                return SystemCallResult.From(Error.AccessDenied);
            if ((address & 0xFFF) != 0 || length == 0 || length > Process.MemoryQuota || !UserMemory.IsUserRange(address, length))
                return SystemCallResult.From(Error.Invalid);
            using (process.MappingLock.Hold())
            {
                ulong unmapped = 0;
                for (ulong offset = 0; offset < length; offset += 0x1000)
                    if (process.AddressSpace.Unmap(address + offset, out bool owned) && owned)
                        unmapped += 0x1000;   // anonymous pages, touched or not; shared memory-object pages were never charged here
                process.MappedBytes = process.MappedBytes > unmapped ? process.MappedBytes - unmapped : 0;
                // A memory object mapping wholly inside the range is gone: the process lets go of the object (its frames
                // stay while another holder maps them). One partly unmapped keeps it until the process ends.
                for (int i = 0; i < Process.MappedObjectCapacity; i++)
                {
                    Memory.MemoryObject memory = process.MappedObjects[i];
                    ulong start = process.MappedObjectAddresses[i];
                    if (memory == null || start < address || start + memory.Size > address + length)
                        continue;
                    process.MappedObjects[i] = null;
                    process.MappedObjectAddresses[i] = 0;
                    memory.Release();   // not the last reference: the caller's handle or another holder keeps it, or it frees its frames here
                }
            }
            return 0;
        }
    }
}
