using System;
using Exo.Abi;
using Exo.Network;
using Xunit;
using static Exo.Network.HostTests.TcpTestSockets;

namespace Exo.Network.HostTests
{
    /// <summary>The pieces on their own: sequence arithmetic, header options, reassembly, SACK scoreboard, ISNs, the buffer pool.</summary>
    public unsafe class TcpPartsTests
    {
        [Fact]
        public void Sequence_comparisons_wrap_modulo_two_to_the_32()
        {
            Assert.True(TcpSequence.Less(0xFFFF_FFF0u, 0x10u));
            Assert.True(TcpSequence.Greater(0x10u, 0xFFFF_FFF0u));
            Assert.True(TcpSequence.LessOrEqual(5u, 5u));
            Assert.False(TcpSequence.Less(5u, 5u));
            Assert.True(TcpSequence.InRange(0x2u, 0xFFFF_FFFEu, 0x10u));
            Assert.False(TcpSequence.InRange(0x10u, 0xFFFF_FFFEu, 0x10u));
            Assert.Equal(0x5u, TcpSequence.Max(0xFFFF_FFFFu, 0x5u));
            Assert.Equal(0xFFFF_FFFFu, TcpSequence.Min(0xFFFF_FFFFu, 0x5u));
        }

        [Fact]
        public void Syn_options_and_sack_blocks_round_trip_through_writer_and_parser()
        {
            byte* buffer = stackalloc byte[TcpLimits.MaximumHeaderLength];
            int length = TcpSegmentWriter.WriteHeader(buffer, 1234, 80, 0xFFFF_FFFF, 0, TcpFlags.Synchronize, 65535, 1460, 7, true, null, null, 0);
            Assert.Equal(20 + TcpSegmentWriter.SynOptionsLength, length);
            TcpSegmentWriter.WriteChecksum(buffer, length, AddressA, AddressB);
            Assert.True(TcpSegmentWriter.ChecksumValid(buffer, length, AddressA, AddressB));
            Assert.False(TcpSegmentWriter.ChecksumValid(buffer, length, AddressA, new Ipv4Address(10, 0, 0, 3)));   // the pseudo-header counts
            Assert.True(TcpSegment.Parse(buffer, length, out TcpSegment syn));
            Assert.Equal(1234, syn.SourcePort);
            Assert.Equal(0xFFFF_FFFFu, syn.Sequence);
            Assert.Equal(1460, syn.MaximumSegmentSize);
            Assert.Equal(7, syn.WindowScale);
            Assert.True(syn.SackPermitted);
            Assert.Equal(1, syn.SequenceLength);

            uint* left = stackalloc uint[3];
            uint* right = stackalloc uint[3];
            left[0] = 100; right[0] = 200; left[1] = 300; right[1] = 400; left[2] = 0xFFFF_FF00; right[2] = 5;
            length = TcpSegmentWriter.WriteHeader(buffer, 1, 2, 3, 4, TcpFlags.Acknowledgment, 5, 0, -1, false, left, right, 3);
            Assert.Equal(20 + 4 + 24, length);
            Assert.True(TcpSegment.Parse(buffer, length, out TcpSegment ack));
            Assert.Equal(3, ack.SackBlockCount);
            Assert.Equal(300u, ack.SackLeft[1]);
            Assert.Equal(5u, ack.SackRight[2]);
            Assert.Equal(-1, ack.WindowScale);

            // Malformed option lists are refused: a length running past the header, a zero length, a wrong MSS length.
            byte[][] bad =
            {
                new byte[] { 2, 8, 5, 180 },
                new byte[] { 8, 0, 0, 0 },
                new byte[] { 2, 3, 5, 1 },
                new byte[] { 1, 1, 1, 5 },
            };
            foreach (byte[] options in bad)
            {
                byte[] segment = BuildSegment(AddressA, AddressB, 1, 2, 3, 4, TcpFlags.Acknowledgment, 5, options);
                fixed (byte* p = segment)
                    Assert.False(TcpSegment.Parse(p, segment.Length, out _));
            }
            // A window scale above 14 counts as 14 (RFC 7323 2.3); unknown options are skipped by length.
            byte[] scaled = BuildSegment(AddressA, AddressB, 1, 2, 3, 4, TcpFlags.Synchronize, 5, new byte[] { 3, 3, 20, 99, 2, 0, 0, 0 });
            fixed (byte* p = scaled)
            {
                Assert.True(TcpSegment.Parse(p, scaled.Length, out TcpSegment s));
                Assert.Equal(14, s.WindowScale);
            }
        }

        [Fact]
        public void Receive_buffer_reassembles_out_of_order_data_and_reports_sack_blocks()
        {
            byte* memory = stackalloc byte[64];
            var buffer = new TcpReceiveBuffer();
            buffer.Attach(memory, 64);
            byte[] data = Pattern(64, 71);
            fixed (byte* d = data)
            {
                Assert.Equal(0, buffer.Insert(20, d + 20, 10));   // [20,30)
                Assert.Equal(0, buffer.Insert(40, d + 40, 10));   // [40,50)
                Assert.Equal(2, buffer.OutOfOrderRanges);
                uint* left = stackalloc uint[3];
                uint* right = stackalloc uint[3];
                Assert.Equal(2, buffer.SackBlocks(1000, left, right, 3));
                Assert.Equal(1040u, left[0]);   // the latest first
                Assert.Equal(1050u, right[0]);
                Assert.Equal(0, buffer.Insert(25, d + 25, 20));   // bridges both: [20,50)
                Assert.Equal(1, buffer.OutOfOrderRanges);
                Assert.Equal(50, buffer.Insert(0, d, 20));        // fills the hole: everything up to 50 is in order
                Assert.Equal(0, buffer.OutOfOrderRanges);
                Assert.Equal(50, buffer.Readable);
                Assert.Equal(14, buffer.Space);
                Assert.Equal(-1, buffer.Insert(14, d, 1));        // beyond the room
                Assert.Equal(14, buffer.Insert(0, d + 50, 30));   // cut to the room
            }
            byte[] got = new byte[64];
            fixed (byte* g = got)
            {
                Assert.Equal(64, buffer.Read(g, 100));
            }
            Assert.Equal(data, got);
            // Wrapping around the ring.
            fixed (byte* d = data)
            {
                Assert.Equal(40, buffer.Insert(0, d, 40));
                fixed (byte* g = got)
                    Assert.Equal(40, buffer.Read(g, 40));
                Assert.Equal(0, buffer.Insert(30, d + 30, 34));
                Assert.Equal(64, buffer.Insert(0, d, 30));
                fixed (byte* g = got)
                    Assert.Equal(64, buffer.Read(g, 64));
            }
            Assert.Equal(data, got);
        }

        [Fact]
        public void Receive_buffer_drops_a_segment_that_needs_one_range_too_many()
        {
            byte* memory = stackalloc byte[4096];
            var buffer = new TcpReceiveBuffer();
            buffer.Attach(memory, 4096);
            byte one = 1;
            for (int i = 0; i < TcpLimits.MaximumOutOfOrderRanges; i++)
                Assert.Equal(0, buffer.Insert(10 + 10 * i, &one, 1));
            Assert.Equal(-1, buffer.Insert(2000, &one, 1));
            Assert.Equal(0, buffer.Insert(11, &one, 1));   // extends a range: still fine
        }

        [Fact]
        public void Sack_scoreboard_finds_the_holes_below_the_highest_sacked_byte()
        {
            var board = new TcpSackScoreboard();
            board.Reset(1000);
            board.Add(2000, 3000, 1000, 10_000);
            board.Add(4000, 5000, 1000, 10_000);
            board.Add(20_000, 30_000, 1000, 10_000);   // beyond SND.MAX: ignored
            Assert.Equal(2, board.Count);
            Assert.True(board.NextHole(1000, 1000, 1460, out uint start, out int length));
            Assert.Equal(1000u, start);
            Assert.Equal(1000, length);
            Assert.True(board.NextHole(2000, 1000, 1460, out start, out length));
            Assert.Equal(3000u, start);
            Assert.Equal(1000, length);
            Assert.False(board.NextHole(5000, 1000, 1460, out _, out _));
            board.Acknowledge(3500);
            Assert.Equal(1, board.Count);
        }

        [Fact]
        public void Initial_sequence_numbers_differ_per_connection_and_advance_with_time()
        {
            var isn = new TcpInitialSequence(1, 2);
            uint first = isn.Next(0, AddressA, 1000, AddressB, 80);
            uint other = isn.Next(0, AddressA, 1001, AddressB, 80);
            Assert.NotEqual(first, other);
            Assert.Equal(first + 250u * 1000, isn.Next(1000, AddressA, 1000, AddressB, 80));   // 4 microsecond ticks
            Assert.NotEqual(first, new TcpInitialSequence(1, 3).Next(0, AddressA, 1000, AddressB, 80));   // keyed
        }

        private sealed class NoNetwork : IIpTransmitter
        {
            public Error Send(byte protocol, Ipv4Address source, Ipv4Address destination, byte* payload, int length) => Error.NetworkUnreachable;
            public Ipv4Address SourceFor(Ipv4Address destination) => Ipv4Address.Any;
            public int MaximumPayload(Ipv4Address destination) => 1480;
            public bool IsLocal(Ipv4Address destination) => false;
            public bool ReceivingLocal => false;
        }

        [Fact]
        public void Create_checks_its_arguments_and_workspace_and_connect_without_a_route_fails()
        {
            var clock = new ManualClock();
            var ip = new NoNetwork();
            byte[] small = new byte[1000];
            fixed (byte* w = small)
            {
                Assert.Equal(Error.OutOfMemory, TcpStack.Create(ip, clock, 1, 2, 16, w, (ulong)small.Length, out _));
                Assert.Equal(Error.Invalid, TcpStack.Create(ip, clock, 1, 2, 0, w, (ulong)small.Length, out _));
                Assert.Equal(Error.Invalid, TcpStack.Create(null, clock, 1, 2, 16, w, (ulong)small.Length, out _));
                Assert.Equal(Error.Invalid, TcpStack.Create(ip, clock, 1, 2, TcpLimits.MaximumConnections + 1, w, (ulong)small.Length, out _));
            }
            byte[] workspace = new byte[TcpStack.WorkspaceBytes(16, 1 << 20)];
            fixed (byte* w = workspace)
            {
                Assert.Equal(Error.None, TcpStack.Create(ip, clock, 1, 2, 16, w, (ulong)workspace.Length, out TcpStack stack));
                Assert.Equal(256, stack.BufferPool.TotalBlocks);
                Assert.Equal(TcpConnection.NoDeadline, stack.NextDeadline);
                Assert.Equal(Error.None, stack.Open(out int socket));
                Assert.Equal(Error.NetworkUnreachable, stack.Connect(socket, AddressB, 80));
                Assert.Equal(Error.NetworkUnreachable, stack.Connect(socket, Ipv4Address.Any, 80));
                for (int i = 1; i < 16; i++)
                    Assert.Equal(Error.None, stack.Open(out _));
                Assert.Equal(Error.SystemTooManyFiles, stack.Open(out _));
            }
        }

        [Fact]
        public void Buffer_pool_hands_out_contiguous_runs_and_takes_them_back()
        {
            int blocks = 8;
            byte[] workspace = new byte[TcpBufferPool.WorkspaceBytes(blocks)];
            fixed (byte* w = workspace)
            {
                var pool = new TcpBufferPool(w, blocks);
                byte* first = pool.Allocate(3 * 4096);
                byte* second = pool.Allocate(4096 + 1);   // two blocks
                Assert.True(first != null && second != null);
                Assert.Equal(3, pool.FreeBlocks);
                Assert.True(pool.Allocate(4 * 4096) == null);
                pool.Free(first, 3 * 4096);
                Assert.Equal(6, pool.FreeBlocks);
                Assert.True(pool.Allocate(4 * 4096) == null);   // 3 + 3 free but not contiguous
                byte* third = pool.Allocate(3 * 4096);
                Assert.True(third != null);
                pool.Free(second, 8192);
                pool.Free(third, 3 * 4096);
                Assert.Equal(blocks, pool.FreeBlocks);
                Assert.True(pool.Allocate(blocks * 4096) != null);
            }
        }

        [Fact]
        public void Buffer_pool_hands_a_run_given_back_to_the_next_request_of_its_length()
        {
            int blocks = 16;
            byte[] workspace = new byte[TcpBufferPool.WorkspaceBytes(blocks)];
            fixed (byte* w = workspace)
            {
                var pool = new TcpBufferPool(w, blocks);
                byte* send = pool.Allocate(4 * 4096);
                byte* receive = pool.Allocate(4 * 4096);
                pool.Free(send, 4 * 4096);
                pool.Free(receive, 4 * 4096);
                Assert.Equal(blocks, pool.FreeBlocks);
                Assert.True(pool.Allocate(4 * 4096) == receive);   // the last given back, without the bitmap
                Assert.True(pool.Allocate(4 * 4096) == send);
                pool.Free(send, 4 * 4096);
                pool.Free(receive, 4 * 4096);
                Assert.True(pool.Allocate(blocks * 4096) != null);   // the kept runs go back to the bitmap for it
                Assert.Equal(0, pool.FreeBlocks);
            }
        }

        [Fact]
        public void Buffer_pool_runs_across_bitmap_words_never_overlap_and_all_come_back()
        {
            int blocks = 300;   // five bitmap words, the last partly used
            byte[] workspace = new byte[TcpBufferPool.WorkspaceBytes(blocks)];
            var random = new System.Random(205);
            fixed (byte* w = workspace)
            {
                var pool = new TcpBufferPool(w, blocks);
                var owner = new int[blocks];   // the model: which allocation holds each block (0: free)
                var held = new System.Collections.Generic.List<(long Start, int Count, int Id)>();
                byte* memory = null;
                int next = 1;
                for (int step = 0; step < 5000; step++)
                {
                    if (held.Count > 0 && (random.Next(3) == 0 || pool.FreeBlocks < 20))
                    {
                        int index = random.Next(held.Count);
                        var (start, count, id) = held[index];
                        held.RemoveAt(index);
                        pool.Free(memory + start * 4096, count * 4096);
                        for (int b = 0; b < count; b++)
                            owner[start + b] = 0;
                        continue;
                    }
                    int want = 1 + random.Next(70);
                    byte* got = pool.Allocate(want * 4096);
                    if (got == null)
                        continue;
                    if (memory == null)
                        memory = got - (long)(got - (w + (workspace.Length - blocks * 4096)));   // the pool's first block
                    long first = (got - memory) / 4096;
                    Assert.True(first >= 0 && first + want <= blocks);
                    for (int b = 0; b < want; b++)
                    {
                        Assert.Equal(0, owner[first + b]);   // never a block someone holds
                        owner[first + b] = next;
                    }
                    held.Add((first, want, next++));
                    int free = 0;
                    foreach (int o in owner)
                        if (o == 0)
                            free++;
                    Assert.Equal(free, pool.FreeBlocks);
                }
                foreach (var (start, count, _) in held)
                    pool.Free(memory + start * 4096, count * 4096);
                Assert.Equal(blocks, pool.FreeBlocks);
                Assert.True(pool.Allocate(blocks * 4096) != null);   // one run over every word again
            }
        }
    }
}
