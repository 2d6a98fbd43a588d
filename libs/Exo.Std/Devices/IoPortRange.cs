using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std.Devices
{
    /// <summary>
    /// I/O ports this process may enable for IN/OUT in ring 3 (the instructions themselves need assembly: C#
    /// has no port intrinsics). They stay usable until the handle is closed, revoked or moved away.
    /// </summary>
    public readonly struct IoPortRange
    {
        public readonly Handle Handle;

        public IoPortRange(Handle handle) { Handle = handle; }

        /// <summary>Allows the ports in this process (needs Read and Write).</summary>
        public Error Enable() => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.IoPortEnable, Handle.Value));

        public Error Close() => Handle.Close();
    }
}
