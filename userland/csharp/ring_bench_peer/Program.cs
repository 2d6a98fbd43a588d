using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Rings;

namespace RingBench
{
    /// <summary>
    /// The consumer side of ring_bench, spawned with the channel's memory object and the two doorbell
    /// notifications. Reads messages in batches of ConsumeBatch, checks that each carries the next sequence
    /// number, its check value and a known kind, and answers each sample's last message (and the final End)
    /// with an acknowledgement on the completion ring: the next sequence number expected and the error count.
    /// Exits 0 after End if every message was right.
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            if (Process.StartupHandleCount < 3)
                return Fail("startup handles", Error.Invalid);
            MemoryObject memory = new MemoryObject(Process.StartupHandle(RingBenchProtocol.MemoryHandle));
            NotificationDoorbell ownDoorbell = new NotificationDoorbell(new Notification(Process.StartupHandle(RingBenchProtocol.PeerBellHandle)), 1);
            NotificationDoorbell benchDoorbell = new NotificationDoorbell(new Notification(Process.StartupHandle(RingBenchProtocol.BenchBellHandle)), 1);

            Error error = memory.Map(writable: true, out byte* shared);
            if (error != Error.None)
                return Fail("memory object map", error);
            if (!AsyncChannel.AttachServer(shared, out SpscConsumer submissions, out SpscProducer completions))
                return Fail("channel attach", Error.Invalid);

            BenchMessage* batch = stackalloc BenchMessage[RingBenchProtocol.ConsumeBatch];
            ulong expected = 0, errors = 0, firstBad = ulong.MaxValue;
            while (true)
            {
                int count = submissions.Read(batch, RingBenchProtocol.ConsumeBatch, ref benchDoorbell, ref ownDoorbell);
                if (count < 0)
                    return Fail("ring read (doorbell)", ownDoorbell.Error != Error.None ? ownDoorbell.Error : benchDoorbell.Error);
                for (int i = 0; i < count; i++)
                {
                    BenchMessage* message = batch + i;
                    ulong kind = message->Kind;
                    bool right = message->Sequence == expected && message->Check == RingBenchProtocol.CheckOf(expected)
                                 && message->Payload0 == ~expected && message->Payload1 == message->Sample
                                 && (kind == RingBenchProtocol.KindData || kind == RingBenchProtocol.KindLast || kind == RingBenchProtocol.KindEnd);
                    if (!right)
                    {
                        if (errors++ == 0)
                            firstBad = expected;
                        expected = message->Sequence;   // resynchronise: count each fault once
                    }
                    expected++;
                    if (kind != RingBenchProtocol.KindLast && kind != RingBenchProtocol.KindEnd)
                        continue;
                    BenchMessage ack = default;
                    ack.Kind = RingBenchProtocol.KindAck;
                    ack.Sequence = errors == 0 ? expected : 0;
                    ack.Sample = message->Sample;
                    ack.Errors = errors;
                    ack.FirstBad = firstBad;
                    if (completions.Write(&ack, ref benchDoorbell, ref ownDoorbell) < 0 || !completions.Flush(ref benchDoorbell))
                        return Fail("completion write (doorbell)", benchDoorbell.Error != Error.None ? benchDoorbell.Error : ownDoorbell.Error);
                    if (kind == RingBenchProtocol.KindEnd)
                        return errors == 0 && i == count - 1 ? 0 : 1;
                }
            }
        }

        private static int Fail(string step, Error error)
        {
            Console.Write("ring_bench_peer: ");
            Console.Write(step);
            Console.Write(" failed: ");
            Console.WriteLine(Errors.Describe(error));
            return 10;
        }
    }
}
