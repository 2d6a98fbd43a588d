using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// A capability for exactly one PCI function's configuration space (ObjectType.PciDevice), made from the root
    /// resource by address (ResourceKind.PciDevice): reads anywhere in it, writes where PciConfigurationPolicy
    /// allows, BAR sizes. One object per function at a time (a second is Busy), so whoever holds it (and the
    /// copies derived from it) is the function's one driver. Its message interrupts (MSI-X, or MSI without it) belong
    /// to the process that bound them: that process's end, or the last reference, disables them, gives the vectors back
    /// (and the last reference frees the function).
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
        /// <summary>Plain MSI: the kernel enables one message (Multiple Message Enable 0).</summary>
        private const ulong MsiMessages = 1;

        public readonly PciFunction Function;
        // Per MSI-X entry (MSI: entry 0): its vector + 1 (0: none), under _bindLock.
        private readonly byte[] _vectors = new byte[MessageInterrupts.MaximumPerFunction];
        private Sync.SpinLock _bindLock;
        private object _binder;

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

        /// <summary>The process whose call bound the function's messages (null: none bound). Compared, never referenced:
        /// that process's end releases them (PciBus.ReleaseMessagesBoundBy) before its object can go.</summary>
        internal object Binder => _binder;   // a reference's write is atomic; the release checks again under _bindLock

        /// <summary>MSI-X when the function has it (its table in the kernel's direct map), else plain MSI.</summary>
        private bool UsesMsix => Function.MsixTableSize != 0 && Function.MsixTablePhysical + (ulong)Function.MsixTableSize * MsixEntrySize <= DirectMapCovers;

        /// <summary>Plain MSI: no usable MSI-X, and an MSI capability that fits in the 256-byte space (boot clips one that
        /// does not, and the kernel writes nothing past it).</summary>
        private bool UsesMsi
        {
            get
            {
                if (UsesMsix || Function.KernelRegisters.MsiLength == 0)
                    return false;
                MsiCapability msi = CurrentMsi();
                return msi.Offset + msi.Length <= PciConfigurationPolicy.LegacySpaceSize;
            }
        }

        /// <summary>
        /// Message 'entry' signals 'bits' of 'notification' on each message; the kernel picks the mechanism: MSI-X when
        /// the function has it (entry: an MSI-X table entry), else plain MSI (entry 0 only: one message). The kernel
        /// takes a vector (the entry's own, if it has one: a rebinding changes only the notification and bits), writes
        /// the message address and data, unmasks, enables MSI-X or MSI and turns legacy INTx off. The binding belongs to
        /// 'binder' (the calling process): it ends with that process, or with the last reference to the capability.
        /// NotSupported: neither MSI-X (with its table in the direct map) nor MSI; Invalid: an entry past the table,
        /// past MaximumPerFunction, or past MSI's one message; Busy: no vector left, or another live process's bindings.
        /// </summary>
        public Error BindMessageInterrupt(ulong entry, Notification notification, ulong bits, object binder)
        {
            bool msix = UsesMsix;
            if (!msix && !UsesMsi)
                return Error.NotSupported;
            ulong entries = msix ? (ulong)Function.MsixTableSize : MsiMessages;
            if (entry >= entries || entry >= MessageInterrupts.MaximumPerFunction)
                return Error.Invalid;
            int index = (int)entry;
            using (_bindLock.Hold())
            {
                if (_binder != null && _binder != binder)
                    return Error.Busy;
                int vector = _vectors[index] - 1;
                if (vector >= 0)
                {
                    MessageInterrupts.Rebind(vector, notification, bits);
                    if (!msix)
                        return Error.None;   // MSI stays on: turning it off to rewrite the same message could lose one
                }
                else
                {
                    vector = MessageInterrupts.Allocate(notification, bits);
                    if (vector < 0)
                        return Error.Busy;
                    _vectors[index] = (byte)(vector + 1);
                }
                _binder = binder;
                if (msix)
                    ProgramMsixEntry(index, vector);
                else
                    ProgramMsi(vector);
                Write(PciConfigurationPolicy.Command, 2, Read(PciConfigurationPolicy.Command, 2) | CommandInterruptDisable);
            }
            return Error.None;
        }

        private void ProgramMsixEntry(int index, int vector)
        {
            uint* slot = EntryAt(index);
            System.Threading.Volatile.Write(ref slot[3], EntryMasked);
            System.Threading.Volatile.Write(ref slot[0], MessageInterrupts.MessageAddress);
            System.Threading.Volatile.Write(ref slot[1], 0u);
            System.Threading.Volatile.Write(ref slot[2], MessageInterrupts.MessageData(vector));
            System.Threading.Volatile.Write(ref slot[3], 0u);
            int control = Function.KernelRegisters.MsixOffset + 2;
            Write(control, 2, (Read(control, 2) | MsixEnable) & ~MsixFunctionMask);
        }

        private void ProgramMsi(int vector)
        {
            PciConfigurationWrite* writes = stackalloc PciConfigurationWrite[MsiCapability.MaximumWrites];
            MsiCapability msi = CurrentMsi();
            Apply(writes, msi.Bind(writes, MessageInterrupts.MessageAddress, (ushort)MessageInterrupts.MessageData(vector)));
        }

        private MsiCapability CurrentMsi()
        {
            int offset = Function.KernelRegisters.MsiOffset;
            return new MsiCapability(offset, (ushort)Read(offset + MsiCapability.ControlOffset, 2));
        }

        private void Apply(PciConfigurationWrite* writes, int count)
        {
            for (int i = 0; i < count; i++)
                Write(writes[i].Offset, writes[i].Width, writes[i].Value);
        }

        private uint* EntryAt(int entry) => (uint*)PhysicalMemory.ToVirtual(Function.MsixTablePhysical + (ulong)(entry * MsixEntrySize));

        /// <summary>
        /// MSI-X or MSI off and every bound entry masked before its vector goes back, so no message comes after; only if
        /// 'boundBy' made the bindings (null: whoever did, the capability's end). INTx stays disabled: no one handles it.
        /// </summary>
        internal void ReleaseMessageInterrupts(object boundBy)
        {
            using (_bindLock.Hold())
            {
                if (_binder == null || (boundBy != null && _binder != boundBy))
                    return;
                if (UsesMsix)
                {
                    int control = Function.KernelRegisters.MsixOffset + 2;
                    Write(control, 2, (Read(control, 2) & ~MsixEnable) | MsixFunctionMask);
                }
                else
                {
                    PciConfigurationWrite* writes = stackalloc PciConfigurationWrite[MsiCapability.MaximumWrites];
                    Apply(writes, CurrentMsi().Unbind(writes));
                }
                for (int entry = 0; entry < _vectors.Length; entry++)
                {
                    if (_vectors[entry] == 0)
                        continue;
                    if (UsesMsix)
                        System.Threading.Volatile.Write(ref EntryAt(entry)[3], EntryMasked);
                    MessageInterrupts.Free(_vectors[entry] - 1);
                    _vectors[entry] = 0;
                }
                _binder = null;
            }
        }

        protected override void Destroy()
        {
            // No driver left: the device stops DMA (its DMA memory may be freed next) and its messages.
            Write(PciConfigurationPolicy.Command, 2, Read(PciConfigurationPolicy.Command, 2) & ~CommandBusMaster);
            ReleaseMessageInterrupts(null);
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
