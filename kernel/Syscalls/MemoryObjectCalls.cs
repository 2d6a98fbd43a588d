using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Memory objects: create(length) gives a handle to zeroed pages, charged to the creator's memory quota;
    /// map(handle, address or 0, writable) maps all of them (needs Map, and Write to map writable). A process
    /// keeps every object it mapped until it unmaps the whole mapping (MemoryUnmap) or ends (at most
    /// Process.MappedObjectCapacity mappings), so frames outlive the mappings; handing the handle to another process shares the pages: zero-copy.
    /// </summary>
    public static unsafe class MemoryObjectCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.MemoryObjectCreate, &DoCreate);
            SystemCalls.Register(SystemCallNumber.MemoryObjectMap, &DoMap);
            SystemCalls.Register(SystemCallNumber.DmaAddress, &DoDmaAddress);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong length = frame->Argument0;
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            if (length == 0 || length > MemoryObject.MaximumSize)
                return SystemCallResult.From(Error.Invalid);
            return Create(process, length, contiguous: false, Rights.All);
        }

        /// <summary>A memory object of 'length' bytes for 'process', charged to its mapping quota: ordinary, or DMA
        /// memory (physically contiguous; resource_create from the root resource).</summary>
        internal static ulong Create(Process process, ulong length, bool contiguous, Rights rights)
        {
            ulong rounded = (length + 0xFFF) & ~0xFFFUL;
            using (process.MappingLock.Hold())   // charged first, refunded if the object cannot be made
            {
                if (process.MappedBytes + rounded > Process.MemoryQuota)
                    return SystemCallResult.From(Error.OutOfMemory);
                process.MappedBytes += rounded;
            }
            MemoryObject memory = contiguous ? MemoryObject.CreateContiguous(length) : MemoryObject.Create(length);
            if (memory == null)
            {
                using (process.MappingLock.Hold())
                    process.MappedBytes -= rounded;
                return SystemCallResult.From(Error.OutOfMemory);
            }
            return SystemCalls.InsertHandle(process, memory, ObjectType.MemoryObject, rights);
        }

        private static ulong DoMap(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong address = frame->Argument1;
            ulong writable = frame->Argument2;
            Process process = SystemCalls.CurrentProcess;
            Rights needed = writable != 0 ? Rights.Map | Rights.Write : Rights.Map;
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.MemoryObject, needed, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            MemoryObject memory = (MemoryObject)found;
            using (process.MappingLock.Hold())   // the kept objects, the placement and the mapping as one step
            {
                int slot = -1;
                for (int i = 0; i < Process.MappedObjectCapacity && slot < 0; i++)
                    if (process.MappedObjects[i] == null)
                        slot = i;
                if (slot < 0)
                {
                    memory.Release();
                    return SystemCallResult.From(Error.OutOfMemory);     // too many objects mapped
                }
                address = process.PlaceMapping(address);
                if ((address & 0xFFF) != 0 || !UserMemory.IsUserRange(address, memory.Size) || !memory.MapInto(process.AddressSpace, address, writable != 0))
                {
                    memory.Release();
                    return SystemCallResult.From(Error.Invalid);  // misaligned, outside user space, or overlapping a mapping
                }
                process.MappingPlaced(address, memory.Size);
                process.MappedObjects[slot] = memory;   // the reference stays until the whole mapping is unmapped or the process ends
                process.MappedObjectAddresses[slot] = address;
            }
            return address;
        }

        // The physical address a device is given for DMA memory; ordinary memory objects' frames stay unknown to
        // ring 3 (Invalid).
        private static ulong DoDmaAddress(RegisterFrame* frame)
        {
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, frame->Argument0, ObjectType.MemoryObject, Rights.Manage, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            MemoryObject memory = (MemoryObject)found;
            ulong result = memory.IsContiguous ? memory.FrameAt(0) : SystemCallResult.From(Error.Invalid);
            memory.Release();
            return result;
        }
    }
}
