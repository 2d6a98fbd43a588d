using Exo.Abi;

namespace Exo.Std.Handles
{
    /// <summary>
    /// Pages of zeroed memory that can be mapped into several processes (by granting the handle): the shared
    /// memory under Exo.Std.Ipc's rings.
    /// </summary>
    public readonly unsafe struct MemoryObject
    {
        public readonly Handle Handle;

        public MemoryObject(Handle handle) { Handle = handle; }

        /// <summary>A new memory object of 'length' bytes (rounded up to pages by the kernel).</summary>
        public static Error Create(ulong length, out MemoryObject memory)
        {
            long result = SystemCall.Call(SystemCallNumber.MemoryObjectCreate, length);
            memory = result > 0 ? new MemoryObject(new Handle((uint)result)) : default;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>Maps the whole object at 'address' (0: the kernel chooses). Needs Map, and Write for a writable mapping.</summary>
        public Error Map(ulong address, bool writable, out byte* mapped)
        {
            long result = SystemCall.Call(SystemCallNumber.MemoryObjectMap, Handle.Value, address, writable ? 1UL : 0UL);
            mapped = result > 0 ? (byte*)result : null;
            return SystemCall.ErrorOf(result);
        }

        public Error Map(bool writable, out byte* mapped) => Map(0, writable, out mapped);

        /// <summary>DMA memory's physical address (its frames are contiguous and stay put), for a device's
        /// descriptors; Invalid for an ordinary memory object. Needs Manage.</summary>
        public Error PhysicalAddress(out ulong address)
        {
            long result = SystemCall.Call(SystemCallNumber.DmaAddress, Handle.Value);
            address = result > 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        public Error Close() => Handle.Close();
        public Error Revoke() => Handle.Revoke();
        public Error Info(out ObjectType type, out Rights rights) => Handle.Info(out type, out rights);

        public Error Duplicate(Rights rights, out MemoryObject duplicate)
        {
            Error error = Handle.Duplicate(rights, out Handle handle);
            duplicate = new MemoryObject(handle);
            return error;
        }
    }
}
