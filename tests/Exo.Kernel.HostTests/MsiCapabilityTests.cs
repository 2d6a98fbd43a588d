using System.Collections.Generic;
using Exo.Kernel.Drivers.Pci;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>
/// Plain MSI's capability (PCI Local Bus 3.0 section 6.8.1) as the kernel reads and programs it: the four layouts
/// (32- or 64-bit address, with or without per-vector masking), and the writes that bind and unbind one message,
/// applied to a configuration space held in an array the way the kernel applies them.
/// </summary>
public unsafe class MsiCapabilityTests
{
    private const int At = 0x60;   // QEMU's intel-hda puts its MSI capability here
    private const uint Address = 0xFEE00000;
    private const ushort Data = 0x61;

    [Theory]
    [InlineData(0x0000, false, false, At + 8, 10)]
    [InlineData(0x0080, true, false, At + 12, 14)]      // intel-hda: 64-bit, no masking
    [InlineData(0x0100, false, true, At + 8, 20)]
    [InlineData(0x0180, true, true, At + 12, 24)]
    [InlineData(0x008E, true, false, At + 12, 14)]      // 8 messages capable: the layout is the same
    public void The_layout_follows_the_control_word(int control, bool wide, bool masking, int dataOffset, int length)
    {
        var msi = new MsiCapability(At, (ushort)control);
        Assert.Equal((wide, masking, dataOffset, length), (msi.Is64Bit, msi.MasksPerVector, msi.DataOffset, msi.Length));
        if (masking)
            Assert.Equal(dataOffset + 4, msi.MaskOffset);
    }

    [Theory]
    [InlineData(0x0000)]
    [InlineData(0x0080)]
    [InlineData(0x0100)]
    [InlineData(0x0180)]
    public void Binding_programs_one_message_and_enables_it_last(int control)
    {
        var msi = new MsiCapability(At, (ushort)control);
        byte[] space = SpaceWith(msi, enabled: false, masked: true);
        var writes = Bind(msi);
        Apply(space, writes);

        Assert.Equal(Address, Read32(space, At + MsiCapability.AddressOffset));
        if (msi.Is64Bit)
            Assert.Equal(0u, Read32(space, At + 8));
        Assert.Equal(Data, Read16(space, msi.DataOffset));
        ushort final = Read16(space, At + MsiCapability.ControlOffset);
        Assert.Equal(MsiCapability.Enable, final & MsiCapability.Enable);
        Assert.Equal(0, final & MsiCapability.MultipleMessageEnableMask);   // one message
        Assert.Equal(control & (MsiCapability.Address64Capable | MsiCapability.PerVectorMaskCapable), final & ~(MsiCapability.Enable | MsiCapability.MultipleMessageEnableMask));
        if (msi.MasksPerVector)
            Assert.Equal(0u, Read32(space, msi.MaskOffset) & MsiCapability.FirstVectorMasked);

        // MSI is off from the first write until the address and data are whole; the last writes turn it on and unmask.
        Assert.Equal(At + MsiCapability.ControlOffset, writes[0].Offset);
        Assert.Equal(0u, writes[0].Value & MsiCapability.Enable);
        int enabling = writes.FindIndex(w => w.Offset == At + MsiCapability.ControlOffset && (w.Value & MsiCapability.Enable) != 0);
        Assert.Equal(writes.FindLastIndex(w => w.Offset == msi.DataOffset) + 1, enabling);
        Assert.True(writes.Count - enabling == (msi.MasksPerVector ? 2 : 1));
        if (msi.MasksPerVector)
            Assert.Equal(msi.MaskOffset, writes[1].Offset);   // masked before the address changes
    }

    [Theory]
    [InlineData(0x0000)]
    [InlineData(0x0080)]
    [InlineData(0x0100)]
    [InlineData(0x0180)]
    [InlineData(0x04B2)]   // 2 messages capable and enabled, extended data on: all turned down to one message
    public void Every_write_is_aligned_inside_the_capability(int control)
    {
        var msi = new MsiCapability(At, (ushort)control);
        var all = new List<PciConfigurationWrite>(Bind(msi));
        all.AddRange(Unbind(msi));
        foreach (var write in all)
        {
            Assert.Contains(write.Width, new byte[] { 2, 4 });
            Assert.Equal(0, write.Offset % write.Width);
            Assert.InRange(write.Offset, At + 2, At + msi.Length - write.Width);
            Assert.True(PciConfigurationPolicy.IsValidAccess(write.Offset, write.Width, PciConfigurationPolicy.LegacySpaceSize));
        }
        Assert.True(Bind(msi).Count <= MsiCapability.MaximumWrites);
        var rebound = Bind(msi);
        Assert.Equal(0, (int)rebound[rebound.Count - (msi.MasksPerVector ? 2 : 1)].Value & (MsiCapability.MultipleMessageEnableMask | MsiCapability.ExtendedDataEnable));
    }

    [Theory]
    [InlineData(0x0080)]
    [InlineData(0x0180)]
    public void Unbinding_turns_msi_off_and_masks_the_vector(int control)
    {
        var msi = new MsiCapability(At, (ushort)control);
        byte[] space = SpaceWith(msi, enabled: false, masked: false);
        Apply(space, Bind(msi));
        var bound = new MsiCapability(At, Read16(space, At + MsiCapability.ControlOffset));
        Apply(space, Unbind(bound));
        Assert.Equal(0, Read16(space, At + MsiCapability.ControlOffset) & MsiCapability.Enable);
        Assert.Equal(control, Read16(space, At + MsiCapability.ControlOffset));   // the read-only bits as they were
        if (msi.MasksPerVector)
            Assert.Equal(MsiCapability.FirstVectorMasked, Read32(space, msi.MaskOffset));
        Assert.Equal(Data, Read16(space, msi.DataOffset));   // the message stays; only its sending stops
    }

    [Fact]
    public void The_capability_list_measures_msi_with_the_same_layout()
    {
        foreach (int control in new[] { 0x0000, 0x0080, 0x0100, 0x0180 })
        {
            var msi = new MsiCapability(At, (ushort)control);
            byte[] space = SpaceWith(msi, enabled: false, masked: false);
            fixed (byte* s = space)
            {
                Assert.Equal(At, PciCapabilityList.Find(s, PciCapabilityList.MsiId));
                Assert.Equal(msi.Length, PciCapabilityList.MsiLength(s, At));
            }
        }
    }

    private static List<PciConfigurationWrite> Bind(MsiCapability msi)
    {
        var writes = new PciConfigurationWrite[MsiCapability.MaximumWrites];
        fixed (PciConfigurationWrite* w = writes)
            return new List<PciConfigurationWrite>(writes[..msi.Bind(w, Address, Data)]);
    }

    private static List<PciConfigurationWrite> Unbind(MsiCapability msi)
    {
        var writes = new PciConfigurationWrite[MsiCapability.MaximumWrites];
        fixed (PciConfigurationWrite* w = writes)
            return new List<PciConfigurationWrite>(writes[..msi.Unbind(w)]);
    }

    // A function whose only capability is this MSI one, at 'At'.
    private static byte[] SpaceWith(MsiCapability msi, bool enabled, bool masked)
    {
        var space = new byte[PciConfigurationPolicy.LegacySpaceSize];
        space[0x06] = 0x10;   // status: a capability list
        space[0x34] = At;
        space[At] = PciCapabilityList.MsiId;
        ushort control = (ushort)(msi.Control | (enabled ? MsiCapability.Enable : 0));
        space[At + 2] = (byte)control;
        space[At + 3] = (byte)(control >> 8);
        if (msi.MasksPerVector && masked)
            space[msi.MaskOffset] = 1;
        return space;
    }

    private static void Apply(byte[] space, List<PciConfigurationWrite> writes)
    {
        foreach (var write in writes)
            for (int i = 0; i < write.Width; i++)
                space[write.Offset + i] = (byte)(write.Value >> (8 * i));
    }

    private static ushort Read16(byte[] space, int offset) => (ushort)(space[offset] | space[offset + 1] << 8);
    private static uint Read32(byte[] space, int offset) => (uint)(space[offset] | space[offset + 1] << 8 | space[offset + 2] << 16 | space[offset + 3] << 24);
}
