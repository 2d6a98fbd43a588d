using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std.Devices
{
    /// <summary>Device memory (registers, a framebuffer) this process may map, uncached.</summary>
    public readonly unsafe struct PhysicalRange
    {
        public readonly Handle Handle;

        public PhysicalRange(Handle handle) { Handle = handle; }

        /// <summary>Maps the whole range at 'address' (0: the kernel chooses). Needs Map, and Write for a writable mapping.</summary>
        public Error Map(ulong address, bool writable, out byte* mapped)
        {
            long result = SystemCall.Call(SystemCallNumber.PhysicalMap, Handle.Value, address, writable ? 1UL : 0UL);
            mapped = result > 0 ? (byte*)result : null;
            return SystemCall.ErrorOf(result);
        }

        public Error Close() => Handle.Close();
    }
}
