using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Rings;

namespace RingBench
{
    /// <summary>
    /// make bench's ipc.ring_msg row: the cost per message of exo_std's asynchronous SPSC ring between two
    /// processes, batched. ring_bench produces, ring_bench_peer consumes: the producer writes 64-byte messages
    /// and publishes every PublishBatch, the consumer reads and frees up to ConsumeBatch at a time, and a
    /// doorbell is rung only when the other side sleeps (the ring empty, or full: back-pressure). With one
    /// processor the producer fills the ring, sleeps on its doorbell, the consumer drains it and sleeps, and so
    /// on: the cost includes those switches, as a real batched exchange would.
    /// Method as userland/programs/ipc_bench.asm: warm-up, then Samples samples; a sample is MessagesPerSample
    /// messages timed with LFENCE; RDTSC from before the first write until the consumer's acknowledgement of
    /// the last arrives on the completion ring; per message = delta / MessagesPerSample. Reports the median
    /// and minimum with SYS_BENCH_REPORT. Exits 0 only if every message arrived once, in order and intact, and
    /// ring_bench_peer exited 0.
    /// </summary>
    public static unsafe class Program
    {
        private const string RowName = "ipc.ring_msg";

        private static SpscProducer s_submissions;
        private static SpscConsumer s_completions;
        private static NotificationDoorbell s_peerDoorbell, s_ownDoorbell;
        private static ulong s_sequence;

        public static int Main()
        {
            ulong bytes = AsyncChannel.RequiredBytes(RingBenchProtocol.SubmissionSlots, RingBenchProtocol.CompletionSlots, RingBenchProtocol.SlotSize);
            Error error = MemoryObject.Create(bytes, out MemoryObject memory);
            if (error != Error.None)
                return Fail("memory object create", error);
            if ((error = memory.Map(writable: true, out byte* shared)) != Error.None)
                return Fail("memory object map", error);
            if (!AsyncChannel.Initialize(shared, bytes, RingBenchProtocol.SubmissionSlots, RingBenchProtocol.CompletionSlots, RingBenchProtocol.SlotSize))
                return Fail("channel initialise", Error.Invalid);
            if ((error = Notification.Create(out Notification peerBell)) != Error.None
                || (error = Notification.Create(out Notification benchBell)) != Error.None)
                return Fail("notification create", error);

            // The same order as RingBenchProtocol.MemoryHandle, PeerBellHandle, BenchBellHandle.
            if ((error = Process.Spawn("ring_bench_peer", memory.Handle, peerBell.Handle, benchBell.Handle, out ProcessHandle peer)) != Error.None)
                return Fail("spawn ring_bench_peer", error);
            if (!AsyncChannel.AttachClient(shared, out s_submissions, out s_completions))
                return Fail("channel attach", Error.Invalid);
            s_peerDoorbell = new NotificationDoorbell(peerBell, 1);
            s_ownDoorbell = new NotificationDoorbell(benchBell, 1);

            ulong* samples = stackalloc ulong[RingBenchProtocol.Samples];
            int status = 0;
            for (int sample = -RingBenchProtocol.WarmUpSamples; sample < RingBenchProtocol.Samples && status == 0; sample++)
            {
                ulong start = Benchmark.ReadTimestamp();
                status = SendSample((ulong)(sample + RingBenchProtocol.WarmUpSamples));
                ulong end = Benchmark.ReadTimestamp();
                if (sample >= 0)
                    samples[sample] = (end - start) / RingBenchProtocol.MessagesPerSample;
            }
            // Stop the consumer (it acknowledges End too), then wait for it, also after a failure.
            if (status == 0)
                status = Send(RingBenchProtocol.KindEnd, RingBenchProtocol.WarmUpSamples + RingBenchProtocol.Samples, flush: true);
            if (status == 0)
                status = ReceiveAcknowledgement(RingBenchProtocol.WarmUpSamples + RingBenchProtocol.Samples);
            if (status != 0)
            {
                peer.Kill();
                peer.Wait(out _);
                return status;
            }
            if ((error = peer.Wait(out long peerStatus)) != Error.None)
                return Fail("wait for ring_bench_peer", error);
            if (peerStatus != 0)
            {
                Console.Write("ring_bench: ring_bench_peer ended with status ");
                Console.Write(peerStatus);
                Console.WriteLine();
                return 3;
            }
            const ulong iterations = (ulong)RingBenchProtocol.Samples * RingBenchProtocol.MessagesPerSample;
            if ((error = Benchmark.ReportSamples(RowName, samples, RingBenchProtocol.Samples, iterations)) != Error.None)
                return Fail("bench report", error);
            return 0;
        }

        /// <summary>One sample: MessagesPerSample messages, published in batches, then the consumer's acknowledgement.</summary>
        private static int SendSample(ulong sample)
        {
            for (int i = 0; i < RingBenchProtocol.MessagesPerSample; i++)
            {
                bool last = i == RingBenchProtocol.MessagesPerSample - 1;
                int status = Send(last ? RingBenchProtocol.KindLast : RingBenchProtocol.KindData, sample,
                                  flush: last || s_submissions.Unpublished + 1 >= RingBenchProtocol.PublishBatch);
                if (status != 0)
                    return status;
            }
            return ReceiveAcknowledgement(sample);
        }

        private static int Send(ulong kind, ulong sample, bool flush)
        {
            BenchMessage message;
            message.Kind = kind;
            message.Sequence = s_sequence;
            message.Check = RingBenchProtocol.CheckOf(s_sequence);
            message.Sample = sample;
            message.Errors = 0;
            message.FirstBad = 0;
            message.Payload0 = ~s_sequence;
            message.Payload1 = sample;
            s_sequence++;
            if (s_submissions.Write(&message, ref s_peerDoorbell, ref s_ownDoorbell) < 0)
                return Fail("ring write (doorbell)", s_peerDoorbell.Error != Error.None ? s_peerDoorbell.Error : s_ownDoorbell.Error);
            if (flush && !s_submissions.Flush(ref s_peerDoorbell))
                return Fail("ring publish (doorbell)", s_peerDoorbell.Error);
            return 0;
        }

        /// <summary>Waits for the acknowledgement of 'sample': everything sent so far arrived in order and intact.</summary>
        private static int ReceiveAcknowledgement(ulong sample)
        {
            BenchMessage ack = default;
            if (s_completions.Read(&ack, 1, ref s_peerDoorbell, ref s_ownDoorbell) != 1)
                return Fail("completion read (doorbell)", s_ownDoorbell.Error != Error.None ? s_ownDoorbell.Error : s_peerDoorbell.Error);
            if (ack.Kind == RingBenchProtocol.KindAck && ack.Sample == sample && ack.Sequence == s_sequence && ack.Errors == 0)
                return 0;
            Console.Write("ring_bench: bad acknowledgement for sample ");
            Console.Write(sample);
            Console.Write(": kind ");
            Console.Write(ack.Kind);
            Console.Write(", sample ");
            Console.Write(ack.Sample);
            Console.Write(", ");
            Console.Write(ack.Sequence);
            Console.Write(" of ");
            Console.Write(s_sequence);
            Console.Write(" messages in order, ");
            Console.Write(ack.Errors);
            Console.Write(" bad, first bad sequence ");
            Console.Write(ack.FirstBad);
            Console.WriteLine();
            return 1;
        }

        private static int Fail(string step, Error error)
        {
            Console.Write("ring_bench: ");
            Console.Write(step);
            Console.Write(" failed: ");
            Console.WriteLine(Errors.Describe(error));
            return 10;
        }
    }
}
