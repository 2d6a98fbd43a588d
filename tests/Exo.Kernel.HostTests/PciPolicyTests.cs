using System.Collections.Generic;
using Exo.Kernel.Drivers.Pci;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The pure logic behind PCI device capabilities: addresses, the configuration-space policy, BAR
/// decoding and the capability list walk.</summary>
public unsafe class PciPolicyTests
{
    private const int Ecam = PciConfigurationPolicy.ExtendedSpaceSize;
    private const int Legacy = PciConfigurationPolicy.LegacySpaceSize;

    // ---- addresses ----

    [Fact]
    public void An_address_packs_as_bus_device_function()
    {
        var address = new PciAddress(0x12, 31, 7);
        Assert.Equal(0x12FF, address.Packed);
        Assert.Equal((0x12, 31, 7), (address.Bus, address.Device, address.Function));
        Assert.True(PciAddress.TryFrom(0xFFFF, out var last));
        Assert.Equal((255, 31, 7), (last.Bus, last.Device, last.Function));
        Assert.False(PciAddress.TryFrom(0x10000, out _));
        Assert.False(PciAddress.TryFrom(ulong.MaxValue, out _));
    }

    // ---- offsets and widths ----

    [Theory]
    [InlineData(0UL, 1UL, Legacy, true)]
    [InlineData(0xFFUL, 1UL, Legacy, true)]
    [InlineData(0xFEUL, 2UL, Legacy, true)]
    [InlineData(0xFCUL, 4UL, Legacy, true)]
    [InlineData(0x100UL, 1UL, Legacy, false)]      // past mechanism 1's 256 bytes
    [InlineData(0x100UL, 4UL, Ecam, true)]
    [InlineData(0xFFCUL, 4UL, Ecam, true)]
    [InlineData(0x1000UL, 1UL, Ecam, false)]
    [InlineData(0x01UL, 2UL, Ecam, false)]         // misaligned
    [InlineData(0x02UL, 4UL, Ecam, false)]
    [InlineData(0x00UL, 3UL, Ecam, false)]         // no such width
    [InlineData(0x00UL, 8UL, Ecam, false)]
    [InlineData(0x00UL, 0UL, Ecam, false)]
    [InlineData(ulong.MaxValue - 3, 4UL, Ecam, false)]   // would wrap
    public void Accesses_need_a_width_of_1_2_or_4_aligned_inside_the_space(ulong offset, ulong width, int space, bool valid)
    {
        Assert.Equal(valid, PciConfigurationPolicy.IsValidAccess(offset, width, space));
        Assert.Equal(valid ? PciAccessVerdict.Allowed : PciAccessVerdict.Malformed, PciConfigurationPolicy.CheckRead(offset, width, space));
    }

    // ---- what a driver may write ----

    private static readonly PciKernelRegisters VirtioLike = new() { MsixOffset = 0x98, MsixLength = 12 };
    private static readonly PciKernelRegisters WithMsi = new() { MsiOffset = 0x50, MsiLength = 24 };

    [Theory]
    [InlineData(0x04UL, 2UL)]   // command
    [InlineData(0x04UL, 4UL)]   // command and status
    [InlineData(0x06UL, 2UL)]   // status (write one to clear)
    [InlineData(0x0CUL, 1UL)]   // cache line size
    [InlineData(0x0DUL, 1UL)]   // latency timer
    [InlineData(0x3CUL, 1UL)]   // interrupt line
    [InlineData(0x40UL, 4UL)]   // the capability area outside MSI/MSI-X
    [InlineData(0x94UL, 4UL)]   // just before the MSI-X capability
    [InlineData(0xA4UL, 4UL)]   // just after it
    [InlineData(0xFCUL, 4UL)]
    public void Drivers_may_write_command_status_and_the_capability_area(ulong offset, ulong width)
        => Assert.Equal(PciAccessVerdict.Allowed, PciConfigurationPolicy.CheckWrite(offset, width, Ecam, VirtioLike));

    [Theory]
    [InlineData(0x00UL, 4UL)]   // vendor and device ids
    [InlineData(0x08UL, 4UL)]   // class and revision
    [InlineData(0x0CUL, 4UL)]   // includes the header type and BIST
    [InlineData(0x0EUL, 1UL)]   // header type
    [InlineData(0x0FUL, 1UL)]   // BIST: starts a self test
    [InlineData(0x10UL, 4UL)]   // BAR 0
    [InlineData(0x14UL, 4UL)]
    [InlineData(0x24UL, 4UL)]   // BAR 5
    [InlineData(0x26UL, 2UL)]
    [InlineData(0x2CUL, 4UL)]   // subsystem ids
    [InlineData(0x30UL, 4UL)]   // expansion ROM
    [InlineData(0x34UL, 1UL)]   // capability pointer
    [InlineData(0x3CUL, 2UL)]   // the interrupt line with the pin
    [InlineData(0x3DUL, 1UL)]   // interrupt pin
    [InlineData(0x98UL, 4UL)]   // the MSI-X capability: id, next and control
    [InlineData(0x9CUL, 4UL)]   // its table offset and BIR
    [InlineData(0xA0UL, 4UL)]   // its last dword (pending bit array)
    [InlineData(0x96UL, 4UL)]   // misaligned, straddling it: refused as malformed below, not here
    [InlineData(0x100UL, 4UL)]  // the extended space
    [InlineData(0xFFCUL, 4UL)]
    public void Kernel_registers_are_refused(ulong offset, ulong width)
    {
        var verdict = PciConfigurationPolicy.CheckWrite(offset, width, Ecam, VirtioLike);
        Assert.NotEqual(PciAccessVerdict.Allowed, verdict);
        if ((offset & (width - 1)) == 0)
            Assert.Equal(PciAccessVerdict.KernelOwned, verdict);
    }

    [Fact]
    public void Every_byte_of_the_msi_capability_is_the_kernels()
    {
        for (ulong offset = 0x40; offset < 0x100; offset++)
        {
            bool msi = offset >= 0x50 && offset < 0x50 + 24;
            Assert.Equal(msi ? PciAccessVerdict.KernelOwned : PciAccessVerdict.Allowed, PciConfigurationPolicy.CheckWrite(offset, 1, Ecam, WithMsi));
        }
        // A dword that covers one byte of it is refused whole.
        Assert.Equal(PciAccessVerdict.KernelOwned, PciConfigurationPolicy.CheckWrite(0x4C, 4, Legacy, new PciKernelRegisters { MsiOffset = 0x4F, MsiLength = 10 }));
    }

    [Fact]
    public void A_bad_width_is_malformed_before_it_is_checked_against_the_registers()
    {
        Assert.Equal(PciAccessVerdict.Malformed, PciConfigurationPolicy.CheckWrite(0x04, 3, Ecam, default));
        Assert.Equal(PciAccessVerdict.Malformed, PciConfigurationPolicy.CheckWrite(0x05, 2, Ecam, default));
        Assert.Equal(PciAccessVerdict.Malformed, PciConfigurationPolicy.CheckWrite(0x1000, 4, Ecam, default));
        Assert.Equal(PciAccessVerdict.Malformed, PciConfigurationPolicy.CheckWrite(0x100, 4, Legacy, default));
    }

    // ---- BARs ----

    [Fact]
    public void A_32_bit_memory_bar_decodes_address_size_and_prefetch()
    {
        var bar = PciBar.Decode(0xFEB00000, 0xFFFFF000, 0, 0);
        Assert.Equal(PciBarKind.Memory32, bar.Kind);
        Assert.Equal(0xFEB00000UL, bar.Address);
        Assert.Equal(0x1000UL, bar.Size);
        Assert.False(bar.Prefetchable);
        var prefetchable = PciBar.Decode(0xFD000008, 0xFF000008, 0, 0);
        Assert.True(prefetchable.Prefetchable);
        Assert.Equal(16UL << 20, prefetchable.Size);
    }

    [Fact]
    public void A_64_bit_memory_bar_takes_the_next_register_as_its_upper_half()
    {
        Assert.True(PciBar.IsLowerHalfOf64Bit(0xFE00000C));
        var bar = PciBar.Decode(0xFE00000C, 0xFFFFC00C, 0x00000001, 0xFFFFFFFF);
        Assert.Equal(PciBarKind.Memory64, bar.Kind);
        Assert.Equal(0x1FE000000UL, bar.Address);
        Assert.Equal(0x4000UL, bar.Size);
        Assert.True(bar.Prefetchable);
        var large = PciBar.Decode(0x0000000C, 0x0000000C, 0, 0xFFFFFFF0);   // 64 GiB
        Assert.Equal(64UL << 30, large.Size);
    }

    [Fact]
    public void An_io_bar_decodes_16_or_32_bit_port_masks()
    {
        var bar = PciBar.Decode(0xC041, 0xFFFFFFE1, 0, 0);
        Assert.Equal(PciBarKind.IoPorts, bar.Kind);
        Assert.Equal(0xC040UL, bar.Address);
        Assert.Equal(0x20UL, bar.Size);
        var sixteenBits = PciBar.Decode(0xC001, 0x0000FFC1, 0, 0);   // upper bits not implemented
        Assert.Equal(0x40UL, sixteenBits.Size);
    }

    [Fact]
    public void A_bar_that_reads_back_zero_is_not_implemented()
    {
        Assert.Equal(PciBarKind.None, PciBar.Decode(0, 0, 0, 0).Kind);
        Assert.Equal(0UL, PciBar.Decode(0, 0, 0, 0).Size);
        Assert.Equal(PciBarKind.None, PciBar.Decode(1, 1, 0, 0).Kind);
        Assert.Equal(PciBarKind.None, PciBar.Decode(4, 4, 0, 0).Kind);
    }

    // ---- the capability list ----

    private static byte[] SpaceWithCapabilities(params (int Offset, byte Id, int Next)[] capabilities)
    {
        var space = new byte[Legacy];
        space[0x06] = 1 << 4;   // status: capability list
        space[0x34] = capabilities.Length > 0 ? (byte)capabilities[0].Offset : (byte)0;
        foreach (var (offset, id, next) in capabilities)
        {
            space[offset] = id;
            space[offset + 1] = (byte)next;
        }
        return space;
    }

    private static List<(int, byte)> Walk(byte[] space)
    {
        var found = new List<(int, byte)>();
        fixed (byte* s = space)
        {
            var list = new PciCapabilityList(s);
            while (list.MoveNext(out int offset, out byte id))
                found.Add((offset, id));
        }
        return found;
    }

    [Fact]
    public void The_walk_follows_the_list_and_finds_msi_x()
    {
        // virtio-blk-pci on q35: MSI-X at 0x98, then vendor capabilities (virtio's structures).
        var space = SpaceWithCapabilities((0x98, 0x11, 0x84), (0x84, 0x09, 0x70), (0x70, 0x09, 0x60), (0x60, 0x09, 0x50), (0x50, 0x09, 0x40), (0x40, 0x09, 0));
        Assert.Equal(new List<(int, byte)> { (0x98, 0x11), (0x84, 9), (0x70, 9), (0x60, 9), (0x50, 9), (0x40, 9) }, Walk(space));
        fixed (byte* s = space)
        {
            Assert.Equal(0x98, PciCapabilityList.Find(s, PciCapabilityList.MsixId));
            Assert.Equal(0, PciCapabilityList.Find(s, PciCapabilityList.MsiId));
            var registers = PciCapabilityList.KernelRegisters(s);
            Assert.Equal((0x98, 12, 0), (registers.MsixOffset, registers.MsixLength, registers.MsiLength));
        }
    }

    [Fact]
    public void No_list_when_the_status_bit_is_clear()
    {
        var space = SpaceWithCapabilities((0x40, 0x05, 0));
        space[0x06] = 0;
        Assert.Empty(Walk(space));
    }

    [Fact]
    public void A_looping_or_outside_list_ends_the_walk()
    {
        var loop = SpaceWithCapabilities((0x40, 0x09, 0x44), (0x44, 0x09, 0x40));
        Assert.Equal(PciCapabilityList.MaximumCapabilities, Walk(loop).Count);
        var intoHeader = SpaceWithCapabilities((0x40, 0x09, 0x10));
        Assert.Single(Walk(intoHeader));
        var low = SpaceWithCapabilities((0x40, 0x09, 0));
        low[0x34] = 0x3C;
        Assert.Empty(Walk(low));
        var unaligned = SpaceWithCapabilities((0x40, 0x09, 0x47), (0x44, 0x05, 0));
        Assert.Equal(new List<(int, byte)> { (0x40, 9), (0x44, 5) }, Walk(unaligned));   // the low two bits are reserved
        var atTheEnd = SpaceWithCapabilities((0xFC, 0x11, 0));
        fixed (byte* s = atTheEnd)
            Assert.Equal(4, PciCapabilityList.KernelRegisters(s).MsixLength);   // clipped at the space's end
    }

    [Theory]
    [InlineData(0x0000, 10)]    // 32-bit address
    [InlineData(0x0080, 14)]    // 64-bit address
    [InlineData(0x0100, 20)]    // 32-bit with per-vector masking
    [InlineData(0x0180, 24)]    // 64-bit with masking
    public void Msi_length_follows_its_control_register(int control, int length)
    {
        var space = SpaceWithCapabilities((0x50, 0x05, 0));
        space[0x52] = (byte)control;
        space[0x53] = (byte)(control >> 8);
        fixed (byte* s = space)
        {
            Assert.Equal(length, PciCapabilityList.MsiLength(s, 0x50));
            Assert.Equal((0x50, length), (PciCapabilityList.KernelRegisters(s).MsiOffset, PciCapabilityList.KernelRegisters(s).MsiLength));
        }
    }
}
