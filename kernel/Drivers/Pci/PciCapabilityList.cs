namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// Walks a function's capability list in a copy of its first 256 bytes of configuration space: from the
    /// capability pointer (0x34) while the status register says there is a list, each entry's offset in the
    /// capability area (0x40-0xFF), aligned to 4, at most <see cref="MaximumCapabilities"/> steps (a list that
    /// loops or points outside ends the walk). Also the lengths of the MSI and MSI-X capabilities the kernel
    /// keeps. Pure logic, compiled into the host tests.
    /// </summary>
    public unsafe struct PciCapabilityList
    {
        public const byte MsiId = 0x05;
        public const byte VendorSpecificId = 0x09;
        public const byte MsixId = 0x11;
        /// <summary>(256 - 0x40) / 4: more steps than that means the list loops.</summary>
        public const int MaximumCapabilities = 48;
        private const int StatusCapabilityList = 1 << 4;

        private readonly byte* _space;
        private int _next;
        private int _steps;

        /// <param name="space">256 bytes of the function's configuration space.</param>
        public PciCapabilityList(byte* space)
        {
            _space = space;
            _steps = 0;
            ushort status = (ushort)(space[PciConfigurationPolicy.Status] | space[PciConfigurationPolicy.Status + 1] << 8);
            _next = (status & StatusCapabilityList) != 0 ? space[PciConfigurationPolicy.CapabilityPointer] & 0xFC : 0;
        }

        /// <summary>The next capability's offset and id; false at the end of the list or at a malformed link.</summary>
        public bool MoveNext(out int offset, out byte id)
        {
            offset = 0;
            id = 0;
            if (_next < PciConfigurationPolicy.CapabilityAreaStart || _next > PciConfigurationPolicy.LegacySpaceSize - 4 || _steps >= MaximumCapabilities)
                return false;
            offset = _next;
            id = _space[offset];
            _next = _space[offset + 1] & 0xFC;
            _steps++;
            return true;
        }

        /// <summary>The offset of the first capability with 'id', or 0.</summary>
        public static int Find(byte* space, byte id)
        {
            var list = new PciCapabilityList(space);
            while (list.MoveNext(out int offset, out byte found))
                if (found == id)
                    return offset;
            return 0;
        }

        /// <summary>The bytes of the MSI capability at 'offset' (MsiCapability.Length), never past the 256-byte space.</summary>
        public static int MsiLength(byte* space, int offset)
        {
            int length = new MsiCapability(offset, (ushort)(space[offset + 2] | space[offset + 3] << 8)).Length;
            return offset + length > PciConfigurationPolicy.LegacySpaceSize ? PciConfigurationPolicy.LegacySpaceSize - offset : length;
        }

        public const int MsixLength = 12;

        /// <summary>The MSI and MSI-X capabilities of the function in 'space' (length 0 where it has none).</summary>
        public static PciKernelRegisters KernelRegisters(byte* space)
        {
            PciKernelRegisters registers = default;
            int msi = Find(space, MsiId);
            if (msi != 0)
            {
                registers.MsiOffset = (ushort)msi;
                registers.MsiLength = (ushort)MsiLength(space, msi);
            }
            int msix = Find(space, MsixId);
            if (msix != 0)
            {
                registers.MsixOffset = (ushort)msix;
                registers.MsixLength = (ushort)(msix + MsixLength > PciConfigurationPolicy.LegacySpaceSize ? PciConfigurationPolicy.LegacySpaceSize - msix : MsixLength);
            }
            return registers;
        }
    }
}
