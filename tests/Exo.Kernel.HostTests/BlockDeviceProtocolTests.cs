using Exo.Protocols.BlockDevice;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The block-device protocol's messages: round trips, and every rule a decoder enforces.</summary>
public unsafe class BlockDeviceProtocolTests
{
    private static BlockMessageProblem RoundTrip(BlockRequest request, out BlockRequest decoded)
    {
        byte* buffer = stackalloc byte[BlockRequest.Length];
        Assert.True(request.Encode(buffer));
        return BlockRequest.Decode(buffer, out decoded);
    }

    [Fact]
    public void Requests_round_trip()
    {
        var read = new BlockRequest { Operation = BlockOperation.Read, Tag = 0xDEADBEEF, Sector = 1UL << 40, SectorCount = 128, BufferOffset = 128 * 1024 };
        Assert.Equal(BlockMessageProblem.None, RoundTrip(read, out var decoded));
        Assert.Equal((read.Operation, read.Tag, read.Sector, read.SectorCount, read.BufferOffset),
            (decoded.Operation, decoded.Tag, decoded.Sector, decoded.SectorCount, decoded.BufferOffset));
        Assert.Equal(BlockMessageProblem.None, RoundTrip(new BlockRequest { Operation = BlockOperation.Flush, Tag = 7 }, out decoded));
        Assert.Equal((BlockOperation.Flush, 7u), (decoded.Operation, decoded.Tag));
        Assert.Equal(BlockMessageProblem.None, RoundTrip(new BlockRequest { Operation = BlockOperation.Capacity }, out _));
    }

    [Theory]
    [InlineData(BlockOperation.None, 0UL, 0u, 0u, BlockMessageProblem.UnknownOperation)]
    [InlineData((BlockOperation)5, 0UL, 1u, 0u, BlockMessageProblem.UnknownOperation)]
    [InlineData(BlockOperation.Read, 0UL, 0u, 0u, BlockMessageProblem.BadCount)]
    [InlineData(BlockOperation.Write, 0UL, 513u, 0u, BlockMessageProblem.BadCount)]
    [InlineData(BlockOperation.Read, 0UL, 1u, 100u, BlockMessageProblem.BadBuffer)]                 // not sector aligned
    [InlineData(BlockOperation.Read, 0UL, 2u, 2u * 1024 * 1024 - 8192 - 512, BlockMessageProblem.BadBuffer)]   // past the data area
    [InlineData(BlockOperation.Read, 0UL, 1u, uint.MaxValue - 511, BlockMessageProblem.BadBuffer)] // would wrap in 32 bits
    [InlineData(BlockOperation.Flush, 0UL, 1u, 0u, BlockMessageProblem.BadCount)]
    [InlineData(BlockOperation.Flush, 5UL, 0u, 0u, BlockMessageProblem.BadCount)]
    [InlineData(BlockOperation.Capacity, 0UL, 0u, 512u, BlockMessageProblem.BadBuffer)]
    public void Malformed_requests_are_refused_before_sending(BlockOperation operation, ulong sector, uint count, uint offset, BlockMessageProblem problem)
    {
        var request = new BlockRequest { Operation = operation, Sector = sector, SectorCount = count, BufferOffset = offset };
        Assert.Equal(problem, request.Check());
        byte* buffer = stackalloc byte[BlockRequest.Length];
        Assert.False(request.Encode(buffer));
    }

    [Fact]
    public void A_decoder_refuses_what_a_hostile_peer_wrote()
    {
        byte* buffer = stackalloc byte[BlockRequest.Length];
        Assert.True(new BlockRequest { Operation = BlockOperation.Write, SectorCount = 1 }.Encode(buffer));
        buffer[0] ^= 1;
        Assert.Equal(BlockMessageProblem.BadMagic, BlockRequest.Decode(buffer, out _));
        buffer[0] ^= 1;
        buffer[6] = 1;
        Assert.Equal(BlockMessageProblem.BadField, BlockRequest.Decode(buffer, out _));
        buffer[6] = 0;
        buffer[29] = 1;
        Assert.Equal(BlockMessageProblem.BadField, BlockRequest.Decode(buffer, out _));
        buffer[29] = 0;
        *(uint*)(buffer + 12) = 1000;
        Assert.Equal(BlockMessageProblem.BadCount, BlockRequest.Decode(buffer, out _));
    }

    [Fact]
    public void Completions_round_trip_and_errors_carry_no_value()
    {
        byte* buffer = stackalloc byte[BlockCompletion.Length];
        var capacity = new BlockCompletion { Tag = 3, Value = 64, Flags = BlockCompletion.FlagReadOnly };
        Assert.True(capacity.Encode(buffer));
        Assert.Equal(BlockMessageProblem.None, BlockCompletion.Decode(buffer, out var decoded));
        Assert.Equal((3u, (ushort)0, BlockCompletion.FlagReadOnly, 64UL), (decoded.Tag, decoded.Status, decoded.Flags, decoded.Value));
        Assert.False(new BlockCompletion { Status = 5, Value = 1 }.Encode(buffer));
        Assert.False(new BlockCompletion { Status = 4096 }.Encode(buffer));
        Assert.False(new BlockCompletion { Flags = 2 }.Encode(buffer));
        *(ushort*)(buffer + 6) = 4;
        Assert.Equal(BlockMessageProblem.BadField, BlockCompletion.Decode(buffer, out _));
    }

    [Fact]
    public void The_channel_layout_fits_its_rings_and_data()
    {
        Assert.True(BlockChannelLayout.MaximumInFlight * BlockRequest.Length <= BlockChannelLayout.CompletionRingOffset - BlockChannelLayout.RequestRingOffset - 64);
        Assert.True(BlockChannelLayout.MaximumInFlight * BlockCompletion.Length <= BlockChannelLayout.DataOffset - BlockChannelLayout.CompletionRingOffset - 64);
        Assert.Equal(0, BlockChannelLayout.Size % 4096);
        Assert.True(BlockChannelLayout.MaximumSectorsPerRequest * BlockChannelLayout.SectorSize <= BlockChannelLayout.DataLength);
        // extfs's room for transfers outside its read window holds several requests at their largest.
        Assert.True(3 * BlockChannelLayout.MaximumSectorsPerRequest * BlockChannelLayout.SectorSize
            <= BlockChannelLayout.DataLength - Exo.Protocols.FileSystem.FileSystemLimits.MaximumReadLength);
        Assert.Equal(2 * 1024 * 1024, BlockChannelLayout.Size);   // one block of the page allocator, as DMA memory takes
    }
}
