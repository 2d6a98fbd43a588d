using System.Runtime.InteropServices;
using Exo.Protocols.NetworkDevice;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The network-device protocol's layout and frame slots: the shapes the rings need, and the rules a reader enforces.</summary>
public unsafe class NetworkDeviceProtocolTests
{
    [Fact]
    public void The_layout_holds_whole_frames_in_page_aligned_rings()
    {
        Assert.Equal(1528, NetworkChannelLayout.SlotSize);   // 8-byte header + 1514, whole words
        Assert.Equal(0, NetworkChannelLayout.SlotSize % 8);
        Assert.True(NetworkChannelLayout.SlotSize >= FrameSlot.HeaderLength + NetworkChannelLayout.MaximumFrameLength);
        Assert.True(NetworkChannelLayout.SlotSize <= 4096);   // SpscRing.MaximumSlotSize
        Assert.Equal(0, NetworkChannelLayout.SlotCount & (NetworkChannelLayout.SlotCount - 1));
        Assert.True(NetworkChannelLayout.RingBytes >= 320 + NetworkChannelLayout.SlotCount * NetworkChannelLayout.SlotSize);
        Assert.Equal(0, NetworkChannelLayout.TransmitRingOffset % 4096);
        Assert.Equal(0, NetworkChannelLayout.ReceiveRingOffset % 4096);
        Assert.Equal(NetworkChannelLayout.ReceiveRingOffset + NetworkChannelLayout.RingBytes, NetworkChannelLayout.Size);
        Assert.True(Marshal.SizeOf<NetworkDeviceFacts>() <= NetworkChannelLayout.FactsBytes);
        Assert.Equal(NetworkChannelLayout.MaximumFrameLength, 14 + NetworkChannelLayout.Mtu);
    }

    [Theory]
    [InlineData(14, true)]
    [InlineData(60, true)]
    [InlineData(1514, true)]
    [InlineData(13, false)]
    [InlineData(0, false)]
    [InlineData(1515, false)]
    [InlineData(-1, false)]
    public void A_slot_takes_only_ethernet_frame_lengths(int length, bool taken)
    {
        byte* slot = stackalloc byte[NetworkChannelLayout.SlotSize];
        *(ulong*)slot = 0xFFFF_FFFF_FFFF_FFFF;
        Assert.Equal(taken, FrameSlot.SetLength(slot, length));
        Assert.Equal(taken ? length : -1, FrameSlot.Length(slot));
        Assert.True(FrameSlot.Frame(slot) == slot + 8);
    }

    [Fact]
    public void A_reader_refuses_what_a_hostile_peer_wrote()
    {
        byte* slot = stackalloc byte[NetworkChannelLayout.SlotSize];
        Assert.True(FrameSlot.SetLength(slot, 42));
        slot[2] = 1;   // a flag not defined
        Assert.Equal(-1, FrameSlot.Length(slot));
        slot[2] = 0;
        slot[7] = 0x80;   // the reserved word
        Assert.Equal(-1, FrameSlot.Length(slot));
        slot[7] = 0;
        *(ushort*)slot = 0xFFFF;   // longer than a frame
        Assert.Equal(-1, FrameSlot.Length(slot));
        *(ushort*)slot = 42;
        Assert.Equal(42, FrameSlot.Length(slot));
    }

    [Fact]
    public void The_facts_are_where_both_sides_read_them()
    {
        Assert.Equal(0, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.Magic)));
        Assert.Equal(8, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.MacAddress)));
        Assert.Equal(20, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.LinkUp)));
        Assert.Equal(24, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.DriverGone)));
        Assert.Equal(64, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.ReceivedFrames)));
        Assert.Equal(120, (int)Marshal.OffsetOf<NetworkDeviceFacts>(nameof(NetworkDeviceFacts.WakeUps)));
    }
}
