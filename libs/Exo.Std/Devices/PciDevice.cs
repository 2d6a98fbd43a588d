using Exo.Abi;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Devices
{
    /// <summary>
    /// One PCI function's configuration space: reads anywhere in it (256 bytes, 4096 with ECAM), writes only
    /// where the kernel allows (command, status, the capability area but MSI/MSI-X; AccessDenied elsewhere),
    /// and the sizes of its BARs.
    /// </summary>
    public readonly struct PciDevice
    {
        public readonly Handle Handle;

        public PciDevice(Handle handle) { Handle = handle; }

        /// <summary>The 'width'-byte (1, 2 or 4) value at 'offset'; Invalid for a bad width, a misaligned or out-of-range offset.</summary>
        public Error Read(int offset, int width, out uint value)
        {
            long result = SystemCall.Call(SystemCallNumber.PciConfigRead, Handle.Value, (ulong)offset, (ulong)width);
            value = result >= 0 ? (uint)result : 0;
            return SystemCall.ErrorOf(result);
        }

        public Error Write(int offset, int width, uint value)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.PciConfigWrite, Handle.Value, (ulong)offset, (ulong)width, value));

        /// <summary>BAR 'index''s size in bytes as the kernel sized it at boot (0: unused, or a 64-bit BAR's upper half).</summary>
        public Error BarSize(int index, out ulong size)
        {
            long result = SystemCall.Call(SystemCallNumber.PciBarSize, Handle.Value, (ulong)index);
            size = result >= 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>MSI-X entry 'entry' signals 'bits' of 'notification' on each message; the kernel programs the entry
        /// and enables MSI-X (needs Manage; NotSupported without MSI-X; Busy when the kernel has no vector left).</summary>
        public Error BindInterrupt(int entry, Notification notification, ulong bits)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.PciInterruptBind, Handle.Value, (ulong)entry, notification.Handle.Value, bits));

        public Error Close() => Handle.Close();
    }
}
