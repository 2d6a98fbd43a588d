using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Rings;

namespace RingTest
{
    /// <summary>
    /// The producer side of the SPSC ring test: sets up an asynchronous channel (a memory object with a
    /// submission and a completion ring, and a doorbell notification for each side), spawns ring_peer with
    /// them, sends MessageCount numbered messages through a deliberately small ring, then reads ring_peer's
    /// summary from the completion ring. Exits 0 only if every message arrived once, in order and intact,
    /// the ring was full at least once (back-pressure worked) and ring_peer exited 0.
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            ulong bytes = AsyncChannel.RequiredBytes(RingTestProtocol.SubmissionSlots, RingTestProtocol.CompletionSlots, RingTestProtocol.SlotSize);
            Error error = MemoryObject.Create(bytes, out MemoryObject memory);
            if (error != Error.None)
                return Fail("memory object create", error);
            if ((error = memory.Map(writable: true, out byte* shared)) != Error.None)
                return Fail("memory object map", error);
            if (!AsyncChannel.Initialize(shared, bytes, RingTestProtocol.SubmissionSlots, RingTestProtocol.CompletionSlots, RingTestProtocol.SlotSize))
                return Fail("channel initialise", Error.Invalid);
            if ((error = Notification.Create(out Notification peerBell)) != Error.None
                || (error = Notification.Create(out Notification testBell)) != Error.None)
                return Fail("notification create", error);

            // The same order as RingTestProtocol.MemoryHandle, PeerBellHandle, TestBellHandle.
            if ((error = Process.Spawn("ring_peer", memory.Handle, peerBell.Handle, testBell.Handle, out ProcessHandle peer)) != Error.None)
                return Fail("spawn ring_peer", error);

            if (!AsyncChannel.AttachClient(shared, out SpscProducer submissions, out SpscConsumer completions))
                return Fail("channel attach", Error.Invalid);
            // Ring the peer's bell, wait on ours.
            NotificationDoorbell peerDoorbell = new NotificationDoorbell(peerBell, 1);
            NotificationDoorbell ownDoorbell = new NotificationDoorbell(testBell, 1);

            RingMessage message = default;
            long fullRingWaits = 0;
            for (ulong sequence = 0; sequence <= RingTestProtocol.MessageCount; sequence++)
            {
                bool last = sequence == RingTestProtocol.MessageCount;
                message.Kind = last ? RingTestProtocol.KindEnd : RingTestProtocol.KindData;
                message.Sequence = sequence;
                message.Check = RingTestProtocol.CheckOf(sequence);
                int full = submissions.Write(&message, ref peerDoorbell, ref ownDoorbell);
                if (full < 0)
                    return Fail("ring write (doorbell)", peerDoorbell.Error != Error.None ? peerDoorbell.Error : ownDoorbell.Error);
                fullRingWaits += full;
                if (last || submissions.Unpublished >= RingTestProtocol.PublishBatch)
                    if (!submissions.Flush(ref peerDoorbell))
                        return Fail("ring publish (doorbell)", peerDoorbell.Error);
            }

            RingMessage summary = default;
            if (completions.Read(&summary, 1, ref peerDoorbell, ref ownDoorbell) != 1 || summary.Kind != RingTestProtocol.KindSummary)
                return Fail("completion read", ownDoorbell.Error);
            if ((error = peer.Wait(out long peerStatus)) != Error.None)
                return Fail("wait for ring_peer", error);

            bool inOrder = summary.Received == RingTestProtocol.MessageCount && summary.Errors == 0;
            Console.Write("ring_test: ");
            Console.Write(summary.Received);
            Console.Write(" messages, ");
            Console.Write(inOrder ? "in order" : "NOT in order");
            Console.Write(", ");
            Console.Write(fullRingWaits);
            Console.WriteLine(" full-ring waits");
            if (!inOrder)
            {
                Console.Write("ring_test: ");
                Console.Write(summary.Errors);
                Console.Write(" bad messages, first bad sequence ");
                Console.Write(summary.FirstBad);
                Console.WriteLine();
                return 1;
            }
            if (fullRingWaits == 0)
            {
                Console.WriteLine("ring_test: the ring was never full: back-pressure was not exercised");
                return 2;
            }
            if (peerStatus != 0)
            {
                Console.Write("ring_test: ring_peer ended with status ");
                Console.Write(peerStatus);
                Console.WriteLine();
                return 3;
            }
            return 0;
        }

        private static int Fail(string step, Error error)
        {
            Console.Write("ring_test: ");
            Console.Write(step);
            Console.Write(" failed: ");
            Console.WriteLine(Errors.Describe(error));
            return 10;
        }
    }
}
