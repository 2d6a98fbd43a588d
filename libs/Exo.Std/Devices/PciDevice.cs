using Exo.Abi;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Devices
{
    /// <summary>
    /// One PCI function's configuration space: reads anywhere in it (256 bytes, 4096 with ECAM), writes only
    /// where the kernel allows (command, status, the capability area but MSI/MSI-X; AccessDenied elsewhere),
    /// the sizes of its BARs, and its message interrupts (MSI-X or MSI) bound to a notification.
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

        /// <summary>Message 'entry' signals 'bits' of 'notification' on each message: an MSI-X table entry when the function
        /// has MSI-X, else plain MSI's one message (entry 0); the kernel programs it and enables it until this process ends
        /// (needs Manage; NotSupported with neither; Busy when the kernel has no vector left).</summary>
        public Error BindInterrupt(int entry, Notification notification, ulong bits)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.PciInterruptBind, Handle.Value, (ulong)entry, notification.Handle.Value, bits));

        public const byte MsiCapabilityId = 0x05, MsixCapabilityId = 0x11;
        /// <summary>Steps of a capability walk, as the kernel's ((256 - 0x40) / 4: more means the list loops).</summary>
        public const int MaximumCapabilities = 48;

        /// <summary>The offset of the first capability with 'id' in the function's list, or 0 (no list, not found, or a
        /// link outside the capability area).</summary>
        public int FindCapability(byte id)
        {
            if (Read(6, 2, out uint status) != Error.None || (status & 0x10) == 0)
                return 0;
            Read(0x34, 1, out uint next);
            for (int steps = 0; (next &= 0xFC) >= 0x40 && steps < MaximumCapabilities; steps++)
            {
                Read((int)next, 1, out uint found);
                if (found == id)
                    return (int)next;
                Read((int)next + 1, 1, out next);
            }
            return 0;
        }

        public Error Close() => Handle.Close();
    }
}
