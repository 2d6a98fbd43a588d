using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;

namespace DeviceManager
{
    /// <summary>What starting any PCI driver takes: its device's memory BARs as physical ranges, and the report line.</summary>
    internal static unsafe class DriverLaunch
    {
        /// <summary>
        /// Adds a physical range for each memory BAR of 'device' to 'handles' (at 'count') and its index to the command line
        /// (at 'length'); returns the command line's new length. I/O BARs are left out (the modern virtio transport does not
        /// use them), and so is the MSI-X table's BAR, which the kernel refuses (AccessDenied): that one stays the kernel's.
        /// </summary>
        public static int AddBarRanges(RootResource root, PciDevice device, Handle* handles, ref int count, byte* command, int length)
        {
            for (int bar = 0; bar < 6; bar++)
            {
                if (CreateBarRange(root, device, bar, out PhysicalRange range) != Error.None)
                    continue;
                handles[count++] = range.Handle;
                command[length++] = (byte)' ';
                command[length++] = (byte)('0' + bar);
            }
            return length;
        }

        /// <summary>A physical range over memory BAR 'bar' of 'device' (NotFound: unused, or an I/O BAR).</summary>
        public static Error CreateBarRange(RootResource root, PciDevice device, int bar, out PhysicalRange range)
        {
            range = default;
            if (device.BarSize(bar, out ulong size) != Error.None || size == 0)
                return Error.NotFound;
            device.Read(0x10 + 4 * bar, 4, out uint low);
            if ((low & 1) != 0)
                return Error.NotFound;
            ulong start = low & ~0xFu;
            if (((low >> 1) & 3) == 2)
            {
                device.Read(0x14 + 4 * bar, 4, out uint high);
                start |= (ulong)high << 32;
            }
            return root.CreatePhysical(start, size < 4096 ? 4096 : size, out range);
        }

        /// <summary>Turns the device's bus mastering off: a dead driver's DMA memory is gone, and with no IOMMU the device
        /// must not write there any more.</summary>
        public static void StopBusMastering(PciDevice device)
        {
            device.Read(4, 2, out uint command);
            device.Write(4, 2, command & ~4u);
        }

        /// <summary>"devices: started COMMAND" or "devices: cannot start COMMAND: why".</summary>
        public static void Report(Error error, byte* command, int length)
        {
            Console.Write("devices: ");
            Console.Write(error == Error.None ? "started " : "cannot start ");
            Console.WriteBytes(command, length);
            if (error != Error.None)
            {
                Console.Write(": ");
                Console.Write(Errors.Describe(error));
            }
            Console.WriteLine();
        }
    }
}
