using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// A capability for exactly one PCI function's configuration space (ObjectType.PciDevice), made from the root
    /// resource by address (ResourceKind.PciDevice): reads anywhere in it, writes where PciConfigurationPolicy
    /// allows, BAR sizes. One object per function at a time (a second is Busy), so whoever holds it (and the
    /// copies derived from it) is the function's one driver; the last reference disables its MSI-X, gives its
    /// vectors back and frees the function.
    /// </summary>
    public sealed unsafe class PciDevice : KernelObject
    {
        public const Rights GrantedRights = Rights.Read | Rights.Write | Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke;

        private const int MsixEntrySize = 16;
        private const uint MsixEnable = 1u << 15;
        private const uint MsixFunctionMask = 1u << 14;
        private const uint EntryMasked = 1;
        private const uint CommandInterruptDisable = 1u << 10;
        private const uint CommandBusMaster = 1u << 2;
        private const ulong DirectMapCovers = 0x100000000;

        public readonly PciFunction Function;
        // Per MSI-X entry: its vector + 1 (0: none), under _bindLock.
        private readonly byte[] _vectors = new byte[MessageInterrupts.MaximumPerFunction];
        private Sync.SpinLock _bindLock;

        private PciDevice(PciFunction function) { Function = function; _bindLock.Rank = Sync.LockRank.PciDevice; }

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

        /// <summary>
        /// MSI-X entry 'entry' signals 'bits' of 'notification' on each message: the kernel takes a vector (the
        /// entry's own, if it has one), writes the entry's address and data and unmasks it, enables MSI-X and
        /// turns legacy INTx off. NotSupported: no MSI-X, or its table outside the kernel's direct map; Invalid:
        /// an entry past the table or past MaximumPerFunction; Busy: no vector left.
        /// </summary>
        public Error BindMessageInterrupt(ulong entry, Notification notification, ulong bits)
        {
            PciFunction function = Function;
            if (function.MsixTableSize == 0 || function.MsixTablePhysical + (ulong)function.MsixTableSize * MsixEntrySize > DirectMapCovers)
                return Error.NotSupported;
            if (entry >= (ulong)function.MsixTableSize || entry >= MessageInterrupts.MaximumPerFunction)
                return Error.Invalid;
            int index = (int)entry;
            int vector;
            using (_bindLock.Hold())
            {
                vector = _vectors[index] - 1;
                if (vector >= 0)
                {
                    MessageInterrupts.Rebind(vector, notification, bits);
                }
                else
                {
                    vector = MessageInterrupts.Allocate(notification, bits);
                    if (vector < 0)
                        return Error.Busy;
                    _vectors[index] = (byte)(vector + 1);
                }
                uint* slot = EntryAt(index);
                System.Threading.Volatile.Write(ref slot[3], EntryMasked);
                System.Threading.Volatile.Write(ref slot[0], MessageInterrupts.MessageAddress);
                System.Threading.Volatile.Write(ref slot[1], 0u);
                System.Threading.Volatile.Write(ref slot[2], MessageInterrupts.MessageData(vector));
                System.Threading.Volatile.Write(ref slot[3], 0u);
                int control = function.KernelRegisters.MsixOffset + 2;
                Write(control, 2, (Read(control, 2) | MsixEnable) & ~MsixFunctionMask);
                Write(PciConfigurationPolicy.Command, 2, Read(PciConfigurationPolicy.Command, 2) | CommandInterruptDisable);
            }
            return Error.None;
        }

        private uint* EntryAt(int entry) => (uint*)PhysicalMemory.ToVirtual(Function.MsixTablePhysical + (ulong)(entry * MsixEntrySize));

        // MSI-X off and every bound entry masked before its vector goes back: no message can come after.
        private void ReleaseMessageInterrupts()
        {
            bool any = false;
            for (int entry = 0; entry < _vectors.Length; entry++)
                any |= _vectors[entry] != 0;
            if (!any)
                return;
            int control = Function.KernelRegisters.MsixOffset + 2;
            Write(control, 2, (Read(control, 2) & ~MsixEnable) | MsixFunctionMask);
            for (int entry = 0; entry < _vectors.Length; entry++)
            {
                if (_vectors[entry] == 0)
                    continue;
                System.Threading.Volatile.Write(ref EntryAt(entry)[3], EntryMasked);
                MessageInterrupts.Free(_vectors[entry] - 1);
                _vectors[entry] = 0;
            }
        }

        protected override void Destroy()
        {
            // No driver left: the device stops DMA (its DMA memory may be freed next) and its messages.
            Write(PciConfigurationPolicy.Command, 2, Read(PciConfigurationPolicy.Command, 2) & ~CommandBusMaster);
            ReleaseMessageInterrupts();
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
