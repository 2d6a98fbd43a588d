using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Rings;

namespace RingTest
{
    /// <summary>
    /// The consumer side of the SPSC ring test, spawned by ring_test with the channel's memory object and the
    /// two doorbell notifications. Reads messages in batches, checks that each carries the next sequence
    /// number and its check value, then sends a summary back through the completion ring. Exits 0 only if
    /// every message was right.
    /// </summary>
    public static unsafe class Program
    {
        private const int BatchSize = 16;

        public static int Main()
        {
            if (Process.StartupHandleCount < 3)
                return Fail("startup handles", Error.Invalid);
            MemoryObject memory = new MemoryObject(Process.StartupHandle(RingTestProtocol.MemoryHandle));
            NotificationDoorbell ownDoorbell = new NotificationDoorbell(new Notification(Process.StartupHandle(RingTestProtocol.PeerBellHandle)), 1);
            NotificationDoorbell testDoorbell = new NotificationDoorbell(new Notification(Process.StartupHandle(RingTestProtocol.TestBellHandle)), 1);

            Error error = memory.Map(writable: true, out byte* shared);
            if (error != Error.None)
                return Fail("memory object map", error);
            if (!AsyncChannel.AttachServer(shared, out SpscConsumer submissions, out SpscProducer completions))
                return Fail("channel attach", Error.Invalid);

            RingMessage* batch = stackalloc RingMessage[BatchSize];
            ulong expected = 0, received = 0, errors = 0, firstBad = ulong.MaxValue;
            bool ended = false;
            while (!ended)
            {
                int count = submissions.Read(batch, BatchSize, ref testDoorbell, ref ownDoorbell);
                if (count < 0)
                    return Fail("ring read (doorbell)", ownDoorbell.Error != Error.None ? ownDoorbell.Error : testDoorbell.Error);
                for (int i = 0; i < count; i++)
                {
                    RingMessage* message = batch + i;
                    bool right = message->Sequence == expected && message->Check == RingTestProtocol.CheckOf(message->Sequence)
                                 && (message->Kind == RingTestProtocol.KindData || message->Kind == RingTestProtocol.KindEnd);
                    if (!right)
                    {
                        if (errors++ == 0)
                            firstBad = expected;
                        expected = message->Sequence;   // resynchronise: count each fault once
                    }
                    else if (message->Kind == RingTestProtocol.KindData)
                    {
                        received++;
                    }
                    expected++;
                    if (message->Kind == RingTestProtocol.KindEnd)
                        ended = true;
                }
            }

            RingMessage summary = default;
            summary.Kind = RingTestProtocol.KindSummary;
            summary.Received = received;
            summary.Errors = errors;
            summary.FirstBad = firstBad;
            if (completions.Write(&summary, ref testDoorbell, ref ownDoorbell) < 0 || !completions.Flush(ref testDoorbell))
                return Fail("completion write (doorbell)", testDoorbell.Error != Error.None ? testDoorbell.Error : ownDoorbell.Error);
            return errors == 0 && received == RingTestProtocol.MessageCount ? 0 : 1;
        }

        private static int Fail(string step, Error error)
        {
            Console.Write("ring_peer: ");
            Console.Write(step);
            Console.Write(" failed: ");
            Console.WriteLine(Errors.Describe(error));
            return 10;
        }
    }
}
