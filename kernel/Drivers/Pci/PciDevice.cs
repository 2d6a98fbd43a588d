using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// A capability for exactly one PCI function's configuration space (ObjectType.PciDevice), made from the root
    /// resource by address (ResourceKind.PciDevice): reads anywhere in it, writes where PciConfigurationPolicy
    /// allows, BAR sizes. One object per function at a time (a second is Busy), so whoever holds it (and the
    /// copies derived from it) is the function's one driver; the last reference frees the function.
    /// </summary>
    public sealed class PciDevice : KernelObject
    {
        public const Rights GrantedRights = Rights.Read | Rights.Write | Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke;

        public readonly PciFunction Function;

        private PciDevice(PciFunction function) { Function = function; }

        /// <summary>The capability object for the function at 'packedAddress'; null with NotFound (no such function),
        /// Invalid (not an address) or Busy (another object owns it).</summary>
        public static PciDevice Claim(ulong packedAddress, out Error error)
        {
            PciFunction function = PciAddress.TryFrom(packedAddress, out PciAddress address) ? PciBus.Find(address) : null;
            if (function == null)
            {
                error = packedAddress > ushort.MaxValue ? Error.Invalid : Error.NotFound;
                return null;
            }
            var device = new PciDevice(function);
            if (!PciBus.TryOwn(function, device))
            {
                Exo.Runtime.ObjectAllocator.Free(device);
                error = Error.Busy;
                return null;
            }
            error = Error.None;
            return device;
        }

        public PciAccessVerdict CheckRead(ulong offset, ulong width)
            => PciConfigurationPolicy.CheckRead(offset, width, PciConfigurationSpace.SpaceSize);

        public PciAccessVerdict CheckWrite(ulong offset, ulong width)
            => PciConfigurationPolicy.CheckWrite(offset, width, PciConfigurationSpace.SpaceSize, Function.KernelRegisters);

        public uint Read(int offset, int width) => PciConfigurationSpace.Read(Function.Address, offset, width);

        public void Write(int offset, int width, uint value) => PciConfigurationSpace.Write(Function.Address, offset, width, value);

        protected override void Destroy()
        {
            PciBus.Disown(Function, this);
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        public override void WriteDetails()
        {
            Console.KernelConsole.Write("  pci ");
            PciShellCommands.WriteAddress(Function.Address);
            Console.KernelConsole.Write(" ");
            Console.KernelConsole.WriteHex(Function.VendorId);
            Console.KernelConsole.Write(":");
            Console.KernelConsole.WriteHex(Function.DeviceId);
        }
    }
}
