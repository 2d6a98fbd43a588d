using System.Runtime.InteropServices;

namespace RingBench
{
    /// <summary>
    /// What ring_bench and ring_bench_peer agree on (compiled into both): the channel's shape, the batch
    /// sizes, the order of the granted handles, the message kinds and the 64-byte message.
    /// </summary>
    public static class RingBenchProtocol
    {
        /// <summary>Messages per sample: the producer times all of them, until the consumer acknowledges the last.</summary>
        public const int MessagesPerSample = 4096;
        public const int Samples = 64;
        /// <summary>Untimed samples first (page faults on the ring, caches, the consumer reaching its loop).</summary>
        public const int WarmUpSamples = 2;

        public const uint SubmissionSlots = 256;
        /// <summary>One acknowledgement per sample, read before the next sample starts.</summary>
        public const uint CompletionSlots = 4;
        public const uint SlotSize = 64;
        /// <summary>The producer publishes this many messages at a time (one store of Tail per batch).</summary>
        public const int PublishBatch = 32;
        /// <summary>The consumer reads (and frees) up to this many messages at a time.</summary>
        public const int ConsumeBatch = 32;

        // Startup handles of ring_bench_peer, in this order.
        public const int MemoryHandle = 0, PeerBellHandle = 1, BenchBellHandle = 2;

        /// <summary>Data: a message; Last: the sample's last message (acknowledge it); End: stop (acknowledge, exit); Ack: the reply.</summary>
        public const ulong KindData = 1, KindLast = 2, KindEnd = 3, KindAck = 4;

        /// <summary>A value derived from the sequence number: a torn or stale slot read shows as a mismatch.</summary>
        public static ulong CheckOf(ulong sequence) => (sequence * 0x9E3779B97F4A7C15UL) ^ 0x5A5A_F00D_5A5A_F00DUL;
    }

    /// <summary>One slot: SlotSize (64) bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BenchMessage
    {
        public ulong Kind;
        /// <summary>Data: numbered from 0 across all samples. Ack: the next sequence number expected (messages received in order).</summary>
        public ulong Sequence;
        public ulong Check;
        /// <summary>The sample the message belongs to (Ack: the sample acknowledged).</summary>
        public ulong Sample;
        /// <summary>Ack: messages out of order, lost, duplicated or corrupted so far.</summary>
        public ulong Errors;
        /// <summary>Ack: the first sequence number that was wrong (or ulong.MaxValue).</summary>
        public ulong FirstBad;
        public ulong Payload0, Payload1;
    }
}
