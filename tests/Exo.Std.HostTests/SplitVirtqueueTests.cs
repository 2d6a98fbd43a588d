using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Drivers.Virtio;
using Xunit;

namespace Exo.Std.HostTests;

/// <summary>The virtio split virtqueue's layout and ring arithmetic, with a simulated device on ordinary memory.</summary>
public unsafe class SplitVirtqueueTests
{
    [Theory]
    [InlineData(16, 256, 256 + 6 + 32, 296 + 6 + 128)]   // the used ring aligned to 4 after the available ring's 38 bytes
    [InlineData(1, 16, 24, 24 + 14)]
    [InlineData(256, 4096, 4096 + 6 + 512 + 2, 4616 + 6 + 2048)]
    public void Layout_follows_the_specification(int size, int available, int usedUnaligned, int total)
    {
        Assert.Equal(available, SplitVirtqueue.AvailableOffset(size));
        Assert.Equal((usedUnaligned + 3) & ~3, SplitVirtqueue.UsedOffset(size));
        Assert.Equal(0, SplitVirtqueue.UsedOffset(size) % 4);
        Assert.Equal(total, SplitVirtqueue.TotalBytes(size));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(24, false)]
    [InlineData(32768, true)]
    [InlineData(65536, false)]
    public void Sizes_are_powers_of_two_up_to_32768(int size, bool valid) => Assert.Equal(valid, SplitVirtqueue.IsValidSize(size));

    private sealed class Ring : IDisposable
    {
        public readonly byte* Memory;
        public SplitVirtqueue Queue;
        public readonly ushort Size;
        private ushort _deviceAvailable;
        private ushort _deviceUsed;

        public Ring(ushort size)
        {
            Size = size;
            int bytes = SplitVirtqueue.TotalBytes(size);
            Memory = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            Queue = new SplitVirtqueue(Memory, size);
        }

        /// <summary>The device side: takes every newly available head (checking its chain) and completes it.</summary>
        public List<int> DeviceCompletesAll(uint written)
        {
            var heads = new List<int>();
            ushort* avail = (ushort*)(Memory + SplitVirtqueue.AvailableOffset(Size));
            byte* used = Memory + SplitVirtqueue.UsedOffset(Size);
            while (_deviceAvailable != avail[1])
            {
                int head = avail[2 + (_deviceAvailable & (Size - 1))];
                _deviceAvailable++;
                heads.Add(head);
                byte* element = used + 4 + 8 * (_deviceUsed & (Size - 1));
                *(uint*)element = (uint)head;
                *(uint*)(element + 4) = written;
                _deviceUsed++;
                *(ushort*)(used + 2) = _deviceUsed;
            }
            return heads;
        }

        public int Chain(params (ulong Address, uint Length, bool DeviceWrites)[] parts)
        {
            ulong* addresses = stackalloc ulong[parts.Length];
            uint* lengths = stackalloc uint[parts.Length];
            bool* writes = stackalloc bool[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                (addresses[i], lengths[i], writes[i]) = parts[i];
            return Queue.AddChain(addresses, lengths, writes, parts.Length);
        }

        public void Dispose() => NativeMemory.Free(Memory);
    }

    [Fact]
    public void A_chain_links_its_descriptors_with_the_device_write_flags()
    {
        using var ring = new Ring(8);
        int head = ring.Chain((0x1000, 16, false), (0x2000, 512, true), (0x3000, 1, true));
        Assert.Equal(0, head);
        Assert.Equal(5, ring.Queue.FreeCount);
        Descriptor* first = ring.Queue.Descriptor(head);
        Assert.Equal((0x1000UL, 16u, SplitVirtqueue.FlagNext), (first->Address, first->Length, first->Flags));
        Descriptor* second = ring.Queue.Descriptor(first->Next);
        Assert.Equal((0x2000UL, 512u, (ushort)(SplitVirtqueue.FlagNext | SplitVirtqueue.FlagDeviceWrites)), (second->Address, second->Length, second->Flags));
        Descriptor* last = ring.Queue.Descriptor(second->Next);
        Assert.Equal((0x3000UL, SplitVirtqueue.FlagDeviceWrites), (last->Address, last->Flags));
    }

    [Fact]
    public void Too_few_free_descriptors_refuses_a_chain()
    {
        using var ring = new Ring(4);
        Assert.True(ring.Chain((1, 1, false), (2, 1, false), (3, 1, false)) >= 0);
        Assert.Equal(-1, ring.Chain((1, 1, false), (2, 1, false)));
        Assert.Equal(1, ring.Queue.FreeCount);
        Assert.Equal(-1, ring.Chain());
    }

    [Fact]
    public void Requests_in_flight_complete_and_their_descriptors_come_back_across_index_wrap()
    {
        using var ring = new Ring(16);
        var rng = new Random(5);
        int completed = 0;
        // 70,000 requests: the 16-bit available and used indexes wrap at least once.
        while (completed < 70_000)
        {
            var heads = new HashSet<int>();
            int inFlight = rng.Next(1, 6);   // up to 5 chains of 3 = 15 descriptors
            for (int i = 0; i < inFlight; i++)
            {
                int head = ring.Chain((1, 16, false), (2, 512, true), (3, 1, true));
                Assert.True(head >= 0);
                Assert.True(heads.Add(head));
                ring.Queue.Publish(head);
            }
            Assert.Equal(16 - 3 * inFlight, ring.Queue.FreeCount);
            var seen = ring.DeviceCompletesAll(513);
            Assert.Equal(inFlight, seen.Count);
            while (ring.Queue.TryTakeUsed(out int done, out uint written))
            {
                Assert.True(heads.Remove(done));
                Assert.Equal(513u, written);
                Assert.True(ring.Queue.FreeChain(done));
                completed++;
            }
            Assert.Empty(heads);
            Assert.Equal(16, ring.Queue.FreeCount);
        }
        Assert.False(ring.Queue.TryTakeUsed(out _, out _));
    }

    [Fact]
    public void A_head_outside_the_table_is_not_freed()
    {
        using var ring = new Ring(8);
        Assert.False(ring.Queue.FreeChain(8));
        Assert.False(ring.Queue.FreeChain(-1));
        Assert.Equal(8, ring.Queue.FreeCount);
    }
}
