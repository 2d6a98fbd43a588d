using System;
using System.Collections.Generic;
using Exo.Kernel.Arch.X64;
using Exo.Abi;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Drivers;
using Exo.Kernel.Memory;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The pure logic behind user-mode drivers: the I/O bitmap, the deny lists, the physical range checks.</summary>
public unsafe class DriverPolicyTests
{
    // ---- I/O permission bitmap ----

    [Fact]
    public void A_new_bitmap_denies_every_port_and_is_empty()
    {
        var bitmap = new IoPermissionBitmap();
        Assert.True(bitmap.IsEmpty);
        for (int i = 0; i < IoPermissionBitmap.ByteCount; i++)
            Assert.Equal(0xFF, bitmap.ByteAt(i));
    }

    [Fact]
    public void Allow_opens_exactly_the_range_and_tracks_the_window()
    {
        var bitmap = new IoPermissionBitmap();
        Assert.True(bitmap.Allow(0x70, 2));
        Assert.False(bitmap.Allows(0x6F));
        Assert.True(bitmap.Allows(0x70));
        Assert.True(bitmap.Allows(0x71));
        Assert.False(bitmap.Allows(0x72));
        Assert.Equal(0x70 / 8, bitmap.Low);
        Assert.Equal(0x70 / 8 + 1, bitmap.High);
        Assert.Equal(0xFC, bitmap.ByteAt(0x70 / 8));   // bits 0 and 1 of byte 14 cleared
        Assert.True(bitmap.Allow(0xFFFE, 2));             // the last two ports
        Assert.Equal(IoPermissionBitmap.ByteCount, bitmap.High);
    }

    [Theory]
    [InlineData(0x70, 0)]
    [InlineData(-1, 2)]
    [InlineData(0xFFFF, 2)]
    [InlineData(0x10000, 1)]
    public void Allow_refuses_ranges_outside_the_port_space(int first, int count)
    {
        var bitmap = new IoPermissionBitmap();
        Assert.False(bitmap.Allow(first, count));
        Assert.True(bitmap.IsEmpty);
    }

    [Fact]
    public void Clear_denies_everything_again()
    {
        var bitmap = new IoPermissionBitmap();
        bitmap.Allow(0x1F0, 8);
        bitmap.Allow(0xC000, 64);
        bitmap.Clear();
        Assert.True(bitmap.IsEmpty);
        for (int i = 0; i < IoPermissionBitmap.ByteCount; i++)
            Assert.Equal(0xFF, bitmap.ByteAt(i));
    }

    [Fact]
    public void Randomised_allows_and_clears_match_a_port_model()
    {
        var random = new Random(6);
        var bitmap = new IoPermissionBitmap();
        var model = new HashSet<int>();
        for (int step = 0; step < 400; step++)
        {
            if (random.Next(10) == 0)
            {
                bitmap.Clear();
                model.Clear();
            }
            else
            {
                int first = random.Next(IoPermissionBitmap.PortCount);
                int count = random.Next(1, 40);
                bool fits = first + count <= IoPermissionBitmap.PortCount;
                Assert.Equal(fits, bitmap.Allow(first, count));
                if (fits)
                    for (int port = first; port < first + count; port++)
                        model.Add(port);
            }
            foreach (int port in new[] { 0, random.Next(IoPermissionBitmap.PortCount), IoPermissionBitmap.PortCount - 1 })
                Assert.Equal(model.Contains(port), bitmap.Allows(port));
            // Outside the window every byte denies: installing copies only the window.
            for (int i = 0; i < IoPermissionBitmap.ByteCount; i++)
                if (i < bitmap.Low || i >= bitmap.High)
                    Assert.Equal(0xFF, bitmap.ByteAt(i));
            foreach (int port in model)
                Assert.True(bitmap.Allows(port));
        }
    }

    // ---- I/O port deny list ----

    [Fact]
    public void Every_port_of_the_fixed_deny_list_is_kernel_owned()
    {
        for (int i = 0; i < IoPortPolicy.FixedRangeCount; i++)
        {
            IoPortPolicy.FixedRange(i, out int first, out int count);
            for (int port = first; port < first + count; port++)
                Assert.True(IoPortPolicy.IsKernelOwned((ulong)port, 1), $"port {port:X}");
        }
    }

    [Theory]
    [InlineData(0x3F8, 8, true)]     // COM1
    [InlineData(0x3F0, 9, true)]     // ends on COM1's first port
    [InlineData(0x3F0, 8, false)]    // ends just before it
    [InlineData(0x20, 1, true)]      // PIC
    [InlineData(0xA1, 1, true)]
    [InlineData(0x40, 4, true)]      // PIT
    [InlineData(0x60, 1, false)]     // i8042 data: the PS/2 driver's
    [InlineData(0x64, 1, false)]     // i8042 command and status: the PS/2 driver's
    [InlineData(0xF4, 1, true)]      // QEMU debug exit
    [InlineData(0xCF9, 1, true)]     // reset control
    [InlineData(0xCFC, 4, true)]     // PCI configuration data
    [InlineData(0x70, 2, false)]     // CMOS RTC: a driver's
    [InlineData(0x1F0, 8, false)]    // IDE
    [InlineData(0x0, 0x20, false)]
    [InlineData(0x0, 0x21, true)]
    public void The_kernel_keeps_its_own_ports(int first, int count, bool owned)
        => Assert.Equal(owned, IoPortPolicy.IsKernelOwned((ulong)first, (ulong)count));

    [Theory]
    [InlineData(0UL, 1UL, true)]
    [InlineData(0UL, 65536UL, true)]
    [InlineData(0xFFFFUL, 1UL, true)]
    [InlineData(0xFFFFUL, 2UL, false)]
    [InlineData(0x70UL, 0UL, false)]
    [InlineData(0x10000UL, 1UL, false)]
    [InlineData(1UL, ulong.MaxValue, false)]
    public void Port_ranges_must_lie_within_the_port_space(ulong first, ulong count, bool valid)
        => Assert.Equal(valid, IoPortPolicy.IsValid(first, count));

    // ---- interrupt lines ----

    [Fact]
    public void Only_isa_lines_the_kernel_does_not_use_are_grantable()
    {
        for (ulong irq = 0; irq < 16; irq++)
            Assert.True(InterruptLinePolicy.IsValid(irq));
        Assert.False(InterruptLinePolicy.IsValid(16));
        Assert.True(InterruptLinePolicy.IsKernelLine(0));
        Assert.True(InterruptLinePolicy.IsKernelLine(2));
        Assert.True(InterruptLinePolicy.IsKernelLine(4));
        Assert.False(InterruptLinePolicy.IsKernelLine(8));
        Assert.False(InterruptLinePolicy.IsKernelLine(1));
    }

    // ---- physical ranges ----

    private static PhysicalRangeVerdict CheckPhysical(ulong start, ulong length)
    {
        var ram = new PhysicalRangeSet();
        ram.Add(0, 0x9FC00);
        ram.Add(0x100000, 0x10000000);          // 256 MiB
        ram.Add(0x100000000, 0x140000000);      // above 4 GiB
        var devices = new PhysicalRangeSet();
        devices.Add(0xFEE00000, 0xFEE01000);    // local APIC
        devices.Add(0xFEC00000, 0xFEC01000);    // I/O APIC
        return PhysicalRangePolicy.Check(start, length, ref ram, ref devices);
    }

    [Theory]
    [InlineData(0xFED00000UL, 0x1000UL, PhysicalRangeVerdict.Allowed)]         // HPET
    [InlineData(0xB8000UL, 0x8000UL, PhysicalRangeVerdict.Allowed)]            // VGA text, in the hole below 1 MiB
    [InlineData(0xFD000000UL, 0x1000000UL, PhysicalRangeVerdict.Allowed)]      // a framebuffer BAR
    [InlineData(0x10000000UL, 0x1000UL, PhysicalRangeVerdict.Allowed)]         // right after RAM ends
    [InlineData(0x0FFFF000UL, 0x1000UL, PhysicalRangeVerdict.KernelOwned)]     // RAM's last page
    [InlineData(0x0FFFF000UL, 0x2000UL, PhysicalRangeVerdict.KernelOwned)]     // straddles RAM's end
    [InlineData(0x9F000UL, 0x2000UL, PhysicalRangeVerdict.KernelOwned)]        // low RAM's last partial page
    [InlineData(0x13FFFF000UL, 0x1000UL, PhysicalRangeVerdict.KernelOwned)]    // high RAM
    [InlineData(0xFEE00000UL, 0x1000UL, PhysicalRangeVerdict.KernelOwned)]     // local APIC
    [InlineData(0xFEBFF000UL, 0x2000UL, PhysicalRangeVerdict.KernelOwned)]     // reaches into the I/O APIC
    [InlineData(0xFED00010UL, 0x1000UL, PhysicalRangeVerdict.Malformed)]       // not page aligned
    [InlineData(0xFED00000UL, 0x10UL, PhysicalRangeVerdict.Malformed)]         // not whole pages
    [InlineData(0xFED00000UL, 0UL, PhysicalRangeVerdict.Malformed)]
    [InlineData(0xF0000000UL, 0x20000000UL, PhysicalRangeVerdict.Malformed)]   // above the 256 MiB limit
    [InlineData(0xFFFFFFFFFFFFF000UL, 0x2000UL, PhysicalRangeVerdict.Malformed)] // wraps
    [InlineData(0x10000000000000UL, 0x1000UL, PhysicalRangeVerdict.Malformed)] // beyond 52 bits
    public void Physical_ranges_are_device_memory_only(ulong start, ulong length, PhysicalRangeVerdict expected)
        => Assert.Equal(expected, CheckPhysical(start, length));

    [Fact]
    public void Touching_is_not_overlapping()
    {
        var set = new PhysicalRangeSet();
        set.Add(0x1000, 0x2000);
        Assert.False(set.Overlaps(0x0, 0x1000));
        Assert.False(set.Overlaps(0x2000, 0x3000));
        Assert.True(set.Overlaps(0x1FFF, 0x2000));
        Assert.True(set.Overlaps(0x0, 0x1001));
        Assert.True(set.Overlaps(0x0, 0x10000));
    }

    // ---- the handle table's removal hook (what recomputes a process's port bitmap) ----

    private static readonly object s_owner = new();
    private static readonly List<ObjectType> s_removed = new();

    private static void Record(HandleTable table, ObjectType type)
    {
        if (table.Owner != s_owner)
            return;   // another test's table
        lock (s_removed)
            s_removed.Add(type);
    }

    [Fact]
    public void Close_revoke_and_move_each_report_the_removed_type()
    {
        HandleTable.CapabilityRemoved = &Record;
        var parent = new HandleTable(8) { Owner = s_owner };
        var child = new HandleTable(8) { Owner = s_owner };
        var other = new HandleTable(8);
        Assert.Equal(Error.None, parent.Insert(new object(), ObjectType.IoPortRange, Rights.All, null, out Handle ports));
        Assert.Equal(Error.None, HandleTable.Transfer(parent, ports, child, Rights.Read | Rights.Write, false, out _));
        lock (s_removed) s_removed.Clear();

        Assert.Equal(Error.None, parent.Revoke(ports));        // takes the child's copy
        lock (s_removed) Assert.Equal(new[] { ObjectType.IoPortRange }, s_removed.ToArray());

        Assert.Equal(Error.None, parent.Insert(new object(), ObjectType.Notification, Rights.All, null, out Handle notification));
        Assert.Equal(Error.None, HandleTable.Transfer(parent, notification, other, Rights.All, true, out _));   // moved away
        Assert.Equal(Error.None, parent.Close(ports));
        lock (s_removed) Assert.Equal(new[] { ObjectType.IoPortRange, ObjectType.Notification, ObjectType.IoPortRange }, s_removed.ToArray());
    }
}
