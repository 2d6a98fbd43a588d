using System.Runtime.InteropServices;

namespace Exo.Protocols.Rings
{
    /// <summary>
    /// The shared header of a single-producer single-consumer ring, at the start of its shared memory. Each
    /// counter and flag has its own 64-byte cache line: the producer's writes (Tail, ProducerWaiting) and the
    /// consumer's (Head, ConsumerSleeping) never share a line, so neither side's stores evict the line the
    /// other side is polling. Slots follow the header.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public struct SpscRingHeader
    {
        public const int Size = 320;
        public const uint ExpectedMagic = 0x43535053;   // "SPSC"

        // Line 0: fixed when the ring is initialised, read-only afterwards.
        [FieldOffset(0)] public uint Magic;
        [FieldOffset(4)] public uint SlotCount;
        [FieldOffset(8)] public uint SlotSize;

        /// <summary>Line 1, written by the producer: messages published so far (a counter; slot = Tail mod SlotCount).</summary>
        [FieldOffset(64)] public long Tail;

        /// <summary>Line 2, written by the consumer: messages consumed so far; their slots may be reused.</summary>
        [FieldOffset(128)] public long Head;

        /// <summary>Line 3, written by the consumer: 1 while it is (about to be) asleep waiting for messages.</summary>
        [FieldOffset(192)] public int ConsumerSleeping;

        /// <summary>Line 4, written by the producer: 1 while it is (about to be) asleep waiting for space.</summary>
        [FieldOffset(256)] public int ProducerWaiting;
    }
}
