using System;
using System.Threading;
using Xunit;
using Exo.Protocols.Rings;

namespace Exo.Std.HostTests;

public unsafe class SpscRingTests
{
    private const uint SlotSize = 64;

    private static RingMemory NewRing(uint slots, uint slotSize = SlotSize)
    {
        var memory = new RingMemory(SpscRing.RequiredBytes(slots, slotSize));
        Assert.True(SpscRing.Initialize(memory.Pointer, memory.Length, slots, slotSize));
        return memory;
    }

    private static void Fill(byte* message, ulong value)
    {
        for (int i = 0; i < SlotSize / 8; i++)
            ((ulong*)message)[i] = value * 31 + (ulong)i;
    }

    private static void CheckMessage(byte* message, ulong value)
    {
        for (int i = 0; i < SlotSize / 8; i++)
            Assert.Equal(value * 31 + (ulong)i, ((ulong*)message)[i]);
    }

    [Theory]
    [InlineData(8u)]
    [InlineData(16u)]
    [InlineData(24u)]
    [InlineData(64u)]
    [InlineData(72u)]
    [InlineData(256u)]
    public void CopySlot_copies_exactly_one_slot(uint size)
    {
        // The straight-line sizes (16, 64) and the loop's: every word copied, nothing past the slot touched.
        ulong* source = stackalloc ulong[40];
        ulong* destination = stackalloc ulong[40];
        for (int i = 0; i < 40; i++)
        {
            source[i] = 0x0101010101010101UL * (ulong)(i + 1);
            destination[i] = ulong.MaxValue;
        }
        SpscRing.CopySlot(destination, source, size);
        for (int i = 0; i < 40; i++)
            Assert.Equal(i < size / 8 ? source[i] : ulong.MaxValue, destination[i]);
    }

    [Fact]
    public void Header_puts_each_counter_and_flag_on_its_own_cache_line()
    {
        Assert.Equal(SpscRingHeader.Size, sizeof(SpscRingHeader));
        SpscRingHeader header = default;
        byte* start = (byte*)&header;
        long[] offsets =
        {
            (byte*)&header.Tail - start, (byte*)&header.Head - start,
            (byte*)&header.ConsumerSleeping - start, (byte*)&header.ProducerWaiting - start,
        };
        for (int i = 0; i < offsets.Length; i++)
        {
            Assert.Equal(0, offsets[i] % 64);
            for (int j = 0; j < i; j++)
                Assert.NotEqual(offsets[i] / 64, offsets[j] / 64);
        }
    }

    [Fact]
    public void Rejects_invalid_shapes_and_memory()
    {
        Assert.Equal(0UL, SpscRing.RequiredBytes(3, 64));      // not a power of two
        Assert.Equal(0UL, SpscRing.RequiredBytes(1, 64));      // fewer than two slots
        Assert.Equal(0UL, SpscRing.RequiredBytes(16, 12));     // not whole words
        Assert.Equal(0UL, SpscRing.RequiredBytes(16, 0));
        using var memory = new RingMemory(4096);
        Assert.False(SpscRing.Initialize(memory.Pointer + 8, 4000, 16, 64));            // misaligned
        Assert.False(SpscRing.Initialize(memory.Pointer, 320 + 16 * 64 - 1, 16, 64));    // too short
        var producer = new SpscProducer();
        Assert.False(producer.Attach(memory.Pointer));                                   // never initialised
    }

    [Fact]
    public void Single_thread_messages_come_out_in_order()
    {
        using var memory = NewRing(16);
        var producer = new SpscProducer();
        var consumer = new SpscConsumer();
        Assert.True(producer.Attach(memory.Pointer));
        Assert.True(consumer.Attach(memory.Pointer));
        byte* message = stackalloc byte[(int)SlotSize];
        for (ulong i = 0; i < 10; i++)
        {
            Fill(message, i);
            Assert.True(producer.TryWrite(message));
        }
        producer.Publish();
        for (ulong i = 0; i < 10; i++)
        {
            Assert.True(consumer.TryRead(message));
            CheckMessage(message, i);
        }
        Assert.False(consumer.TryRead(message));
    }

    [Fact]
    public void Unpublished_messages_are_invisible_until_one_publish_makes_the_whole_batch_visible()
    {
        using var memory = NewRing(16);
        var producer = new SpscProducer();
        var consumer = new SpscConsumer();
        producer.Attach(memory.Pointer);
        consumer.Attach(memory.Pointer);
        byte* message = stackalloc byte[(int)SlotSize];
        for (ulong i = 0; i < 5; i++)
        {
            Fill(message, i);
            Assert.True(producer.TryWrite(message));
        }
        Assert.Equal(5, producer.Unpublished);
        Assert.False(consumer.TryRead(message));
        Assert.Equal(0, ((SpscRingHeader*)memory.Pointer)->Tail);
        Assert.False(producer.Publish());   // nobody sleeps
        Assert.Equal(5, ((SpscRingHeader*)memory.Pointer)->Tail);
        Assert.Equal(0, producer.Unpublished);
        byte* batch = stackalloc byte[(int)SlotSize * 8];
        Assert.Equal(5, consumer.ReadBatch(batch, 8));
        for (ulong i = 0; i < 5; i++)
            CheckMessage(batch + i * SlotSize, i);
        // Head moves only at Release, once for the batch.
        Assert.Equal(0, ((SpscRingHeader*)memory.Pointer)->Head);
        Assert.False(consumer.Release());
        Assert.Equal(5, ((SpscRingHeader*)memory.Pointer)->Head);
    }

    [Fact]
    public void Full_ring_refuses_and_never_overwrites_until_the_consumer_releases()
    {
        using var memory = NewRing(4);
        var producer = new SpscProducer();
        var consumer = new SpscConsumer();
        producer.Attach(memory.Pointer);
        consumer.Attach(memory.Pointer);
        byte* message = stackalloc byte[(int)SlotSize];
        for (ulong i = 0; i < 4; i++)
        {
            Fill(message, i);
            Assert.True(producer.TryWrite(message));
        }
        Fill(message, 99);
        Assert.False(producer.TryWrite(message));
        producer.Publish();
        Assert.False(producer.TryWrite(message));
        // Reading without releasing frees nothing: the slot may still be in use by the consumer.
        Assert.True(consumer.TryRead(message));
        CheckMessage(message, 0);
        Assert.False(producer.TryWrite(message));
        consumer.Release();
        Fill(message, 4);
        Assert.True(producer.TryWrite(message));
        Assert.False(producer.TryWrite(message));
        producer.Publish();
        for (ulong i = 1; i <= 4; i++)
        {
            Assert.True(consumer.TryRead(message));
            CheckMessage(message, i);
        }
    }

    [Fact]
    public void Wraps_around_many_times_keeping_order()
    {
        using var memory = NewRing(4);
        var producer = new SpscProducer();
        var consumer = new SpscConsumer();
        producer.Attach(memory.Pointer);
        consumer.Attach(memory.Pointer);
        byte* message = stackalloc byte[(int)SlotSize];
        ulong next = 0, expected = 0;
        var random = new Random(7);
        for (int round = 0; round < 1000; round++)
        {
            int writes = random.Next(0, 5);
            for (int i = 0; i < writes; i++)
            {
                Fill(message, next);
                if (!producer.TryWrite(message))
                    break;
                next++;
            }
            producer.Publish();
            int reads = random.Next(0, 5);
            for (int i = 0; i < reads && consumer.TryRead(message); i++)
                CheckMessage(message, expected++);
            consumer.Release();
        }
        producer.Publish();
        while (consumer.TryRead(message))
            CheckMessage(message, expected++);
        Assert.Equal(next, expected);
        Assert.True(next > 1000);   // the 4-slot ring wrapped hundreds of times
    }

    [Fact]
    public void Sleep_flags_follow_the_protocol()
    {
        using var memory = NewRing(2);
        var producer = new SpscProducer();
        var consumer = new SpscConsumer();
        producer.Attach(memory.Pointer);
        consumer.Attach(memory.Pointer);
        byte* message = stackalloc byte[(int)SlotSize];

        // Empty ring: the consumer may sleep, and the next publish must ask for a wake-up.
        Assert.True(consumer.PrepareToSleep());
        Assert.True(producer.TryWrite(message));
        Assert.True(producer.Publish());
        consumer.FinishSleep();
        // Data present: the consumer must not sleep, and the flag is left clear.
        Assert.False(consumer.PrepareToSleep());
        Assert.Equal(0, ((SpscRingHeader*)memory.Pointer)->ConsumerSleeping);

        // Full ring: the producer may wait; the release that frees space must ask for a wake-up.
        Assert.True(producer.TryWrite(message));
        Assert.False(producer.TryWrite(message));
        producer.Publish();
        Assert.True(producer.PrepareToWaitForSpace());
        Assert.True(consumer.TryRead(message));
        Assert.True(consumer.Release());
        producer.FinishWaitForSpace();
        Assert.False(producer.PrepareToWaitForSpace());   // space is there now
        Assert.Equal(0, ((SpscRingHeader*)memory.Pointer)->ProducerWaiting);
    }

    /// <summary>Real threads, the sleep/wake protocol with event doorbells, a small ring: no loss, no reordering, no lost wake-up.</summary>
    [Theory]
    [InlineData(4u, 2_000_000)]
    [InlineData(64u, 4_000_000)]
    public void Two_threads_with_sleeping_doorbells_lose_and_reorder_nothing(uint slots, int count)
        => RunTwoThreads(slots, count, sleeping: true);

    /// <summary>The same with spinning doorbells (no sleeping): maximum contention on the counters.</summary>
    [Fact]
    public void Two_threads_spinning_lose_and_reorder_nothing()
        => RunTwoThreads(16, 4_000_000, sleeping: false);

    private static void RunTwoThreads(uint slots, int count, bool sleeping)
    {
        using var memory = NewRing(slots);
        byte* ring = memory.Pointer;
        using var consumerEvent = new AutoResetEvent(false);
        using var producerEvent = new AutoResetEvent(false);
        string consumerFailure = null;
        long fullTimes = 0;
        ulong received = 0;

        var consumerThread = new Thread(() =>
        {
            var consumer = new SpscConsumer();
            consumer.Attach(ring);
            var own = new EventDoorbell(consumerEvent);
            var producerBell = new EventDoorbell(producerEvent);
            var spin = new SpinDoorbell();
            byte* batch = stackalloc byte[(int)SlotSize * 8];
            ulong expected = 0;
            while (expected < (ulong)count)
            {
                int got = sleeping ? consumer.Read(batch, 8, ref producerBell, ref own) : consumer.Read(batch, 8, ref spin, ref spin);
                if (got <= 0)
                {
                    consumerFailure = own.TimedOut ? "consumer: lost wake-up (waited 10 s)" : "consumer: doorbell failed";
                    return;
                }
                for (int i = 0; i < got; i++)
                {
                    ulong* message = (ulong*)(batch + i * SlotSize);
                    // The whole slot must be from the same message: a torn or stale read fails here.
                    for (int word = 0; word < SlotSize / 8; word++)
                    {
                        if (message[word] != expected * 8 + (ulong)word)
                        {
                            consumerFailure = $"consumer: message {expected} word {word} is {message[word]}";
                            return;
                        }
                    }
                    expected++;
                }
            }
            received = expected;
        });
        consumerThread.Start();

        var producer = new SpscProducer();
        producer.Attach(ring);
        var ownBell = new EventDoorbell(producerEvent);
        var consumerBell = new EventDoorbell(consumerEvent);
        var spinBell = new SpinDoorbell();
        ulong* slot = stackalloc ulong[(int)SlotSize / 8];
        string producerFailure = null;
        for (int sequence = 0; sequence < count && consumerFailure == null; sequence++)
        {
            for (int word = 0; word < SlotSize / 8; word++)
                slot[word] = (ulong)sequence * 8 + (ulong)word;
            int full = sleeping ? producer.Write(slot, ref consumerBell, ref ownBell) : producer.Write(slot, ref spinBell, ref spinBell);
            if (full < 0)
            {
                producerFailure = ownBell.TimedOut ? "producer: lost wake-up (waited 10 s)" : "producer: doorbell failed";
                break;
            }
            fullTimes += full;
            // Publish in irregular batches, to mix batch sizes with the consumer's.
            if (producer.Unpublished >= 1 + (sequence % 7))
            {
                if (sleeping) producer.Flush(ref consumerBell); else producer.Flush(ref spinBell);
            }
        }
        if (sleeping) producer.Flush(ref consumerBell); else producer.Flush(ref spinBell);
        Assert.True(consumerThread.Join(TimeSpan.FromSeconds(120)), "the consumer thread did not finish");
        Assert.Null(producerFailure);
        Assert.Null(consumerFailure);
        Assert.Equal((ulong)count, received);
        Assert.True(fullTimes > 0, "the ring was never full: back-pressure was not exercised");
    }
}
