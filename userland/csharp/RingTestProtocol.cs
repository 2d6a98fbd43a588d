using System.Runtime.InteropServices;

namespace RingTest
{
    /// <summary>
    /// What ring_test and ring_peer agree on (compiled into both): the channel's shape, the order of the
    /// granted handles, the doorbell bits and the 64-byte message.
    /// </summary>
    public static class RingTestProtocol
    {
        public const ulong MessageCount = 1000000;
        /// <summary>Small on purpose: the producer must run into a full ring (back-pressure is part of the test).</summary>
        public const uint SubmissionSlots = 16;
        public const uint CompletionSlots = 4;
        public const uint SlotSize = 64;
        /// <summary>The producer publishes this many messages at a time (one store of Tail per batch).</summary>
        public const int PublishBatch = 8;

        // Startup handles of ring_peer, in this order.
        public const int MemoryHandle = 0, PeerBellHandle = 1, TestBellHandle = 2;

        public const ulong KindData = 1, KindEnd = 2, KindSummary = 3;

        /// <summary>A value derived from the sequence number: a torn or stale slot read shows as a mismatch.</summary>
        public static ulong CheckOf(ulong sequence) => (sequence * 0x9E3779B97F4A7C15UL) ^ 0x5A5A_F00D_5A5A_F00DUL;
    }

    /// <summary>One slot: SlotSize (64) bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RingMessage
    {
        public ulong Kind;
        public ulong Sequence;
        public ulong Check;
        /// <summary>Summary: messages received in order.</summary>
        public ulong Received;
        /// <summary>Summary: messages out of order, lost, duplicated or corrupted.</summary>
        public ulong Errors;
        /// <summary>Summary: the first sequence number that was wrong (or ulong.MaxValue).</summary>
        public ulong FirstBad;
        public ulong Reserved0, Reserved1;
    }
}
