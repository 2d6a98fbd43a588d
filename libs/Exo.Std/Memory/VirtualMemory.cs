using Exo.Abi;

namespace Exo.Std.Memory
{
    /// <summary>Anonymous memory: zeroed pages mapped (never executable) and unmapped in this process.</summary>
    public static unsafe class VirtualMemory
    {
        public const ulong PageSize = 4096;
        /// <summary>The kernel maps at most this much per call.</summary>
        public const ulong MaximumMapping = 16UL << 20;

        /// <summary>Maps 'length' bytes (rounded up to pages) at 'address' (page-aligned; 0: the kernel chooses).</summary>
        public static Error Map(ulong address, ulong length, bool writable, out byte* mapped)
        {
            long result = SystemCall.Call(SystemCallNumber.MemoryMap, address, length, writable ? 1UL : 0UL);
            mapped = result > 0 ? (byte*)result : null;
            return result == 0 ? Error.OutOfMemory : SystemCall.ErrorOf(result);
        }

        public static Error Unmap(void* address, ulong length)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.MemoryUnmap, (ulong)address, length));
    }
}
