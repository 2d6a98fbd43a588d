using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Protocols.NetworkDevice;

namespace VirtioNetTest
{
    /// <summary>
    /// A network card's client for the tests, as the device manager starts it ("virtio_net_test netN" with the channel's
    /// memory, its own notification, the driver's and the console): it reads the facts (MAC, link, MTU), asks QEMU's user
    /// network for its gateway's MAC with an ARP request from 10.0.2.15 for 10.0.2.2, pings the gateway, sends a burst of
    /// echo requests larger than the rings (so every slot and buffer is reused) and checks every reply, and prints a
    /// "virtio_net_test: netN: PASS ..." or "FAIL ..." line for each. Then it keeps pinging for a while (traffic for the
    /// restart test) and waits, answering ARP requests for its address. When the device manager says the driver is gone
    /// it reports it, resets the channel (NetworkChannel.Reset) for the driver the manager starts again, and does it all
    /// again with that one.
    /// </summary>
    public static unsafe class Program
    {
        private const uint OwnIp = 0x0A00020F;       // 10.0.2.15, QEMU user networking's guest
        private const uint GatewayIp = 0x0A000202;   // 10.0.2.2, its gateway (slirp answers ARP and pings to it)
        private const ushort Identifier = 0x4578;
        private const int PingPayload = 56;
        /// <summary>Echo requests in the burst: more than the channel's slots and the driver's buffers, so both wrap.</summary>
        private const int BurstFrames = 600;
        /// <summary>Echo requests of the burst that may be unanswered at once: half the receive ring.</summary>
        private const int BurstWindow = NetworkChannelLayout.SlotCount / 2;
        /// <summary>Echoes, one at a time, of the traffic phase after the checks.</summary>
        private const int TrafficEchoes = 10000;
        private const int Attempts = 5;
        /// <summary>Time-stamp counter ticks an answer may take before the request is sent again (about a second).</summary>
        private const ulong AnswerTicks = 3_000_000_000;
        private const int DriverGoneStatus = 3;

        private static NetworkChannel s_channel;
        private static ulong s_mac, s_gatewayMac;
        private static byte* s_name;
        private static int s_nameLength;
        private static int s_failures;
        private static uint s_linkUp;

        public static int Main()
        {
            if (Process.StartupHandleCount < 3 || !Process.TryGetArgument(1, out s_name, out s_nameLength))
            {
                Console.WriteLine("virtio_net_test: started without a network-device channel (the device manager starts it)");
                return 1;
            }
            Error error = NetworkChannel.Attach(new MemoryObject(Process.StartupHandle(0)), new Notification(Process.StartupHandle(1)),
                new Notification(Process.StartupHandle(2)), false, out s_channel);
            if (error != Error.None)
            {
                Line("FAIL attach", Errors.Describe(error));
                return 1;
            }
            while (true)
            {
                int status = Run();
                if (status != DriverGoneStatus)
                    return status;
                if (!s_channel.Reset())
                {
                    Line("FAIL reset", "the channel's rings could not be made again");
                    return 1;
                }
                Start("channel reset for a new driver");
                Console.WriteLine();
            }
        }

        // The checks, the traffic and the idle wait with the driver of the moment: DriverGoneStatus when it went, else the
        // status to exit with.
        private static int Run()
        {
            s_failures = 0;
            while (!s_channel.DriverReady)
            {
                if (s_channel.DriverGone)
                    return Gone(0);
                s_channel.Own.Notification.Wait(out _);   // the driver rings once it has written the facts
            }
            NetworkDeviceFacts* facts = s_channel.Facts;
            s_mac = facts->MacAddress;
            s_linkUp = Volatile.Read(ref facts->LinkUp);
            Start("facts: mac ");
            NetworkChannel.WriteMacAddress(s_mac);
            Console.Write(", link ");
            Console.Write(Volatile.Read(ref facts->LinkUp) != 0 ? "up" : "down");
            Console.Write(", mtu ");
            Console.Write(facts->Mtu);
            Console.WriteLine();

            int status = Arp();
            if (status == 0)
                status = Ping();
            if (status == 0)
                status = Burst();
            if (status > 0)
                return status;
            Start(s_failures == 0 ? "all checks passed" : "some checks failed");
            Console.Write(", frames sent ");
            Console.Write(Volatile.Read(ref facts->TransmittedFrames));
            Console.Write(", received ");
            Console.Write(Volatile.Read(ref facts->ReceivedFrames));
            Console.Write(", dropped ");
            Console.Write(Volatile.Read(ref facts->ReceiveDropped));
            Console.WriteLine();
            status = Traffic();
            if (status > 0)
                return status;
            return Idle();
        }

        // ARP: who has 10.0.2.2? The reply's sender is the gateway's MAC.
        private static int Arp()
        {
            byte* frame = stackalloc byte[NetworkChannelLayout.MaximumFrameLength];
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                int length = Frames.Arp(frame, Frames.ArpRequest, Frames.Broadcast, s_mac, OwnIp, 0, GatewayIp);
                if (!Send(frame, length))
                    return Gone(0);
                ulong deadline = Benchmark.ReadTimestamp() + AnswerTicks;
                while (true)
                {
                    int received = Receive(frame, deadline);
                    if (received == -2)
                        return Gone(0);
                    if (received < 0)
                        break;
                    if (Frames.ParseArp(frame, received, out ushort operation, out ulong senderMac, out uint senderIp, out _)
                        && operation == Frames.ArpReply && senderIp == GatewayIp)
                    {
                        s_gatewayMac = senderMac;
                        Start("PASS arp: 10.0.2.2 is at ");
                        NetworkChannel.WriteMacAddress(senderMac);
                        Console.WriteLine();
                        return 0;
                    }
                }
            }
            return Fail("arp: no reply from 10.0.2.2");
        }

        // One echo request to the gateway and its reply.
        private static int Ping()
        {
            byte* frame = stackalloc byte[NetworkChannelLayout.MaximumFrameLength];
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                int result = Echo(frame, (ushort)(1 + attempt));
                if (result == -2)
                    return Gone(0);
                if (result == 0)
                {
                    Start("PASS ping: echo reply from 10.0.2.2, ");
                    Console.Write(PingPayload);
                    Console.WriteLine(" bytes of payload as sent");
                    return 0;
                }
            }
            return Fail("ping: no echo reply from 10.0.2.2");
        }

        // BurstFrames echo requests back to back, replies read as they come; every sequence number must come back once.
        private static int Burst()
        {
            byte* frame = stackalloc byte[NetworkChannelLayout.MaximumFrameLength];
            byte* seen = stackalloc byte[BurstFrames];
            for (int i = 0; i < BurstFrames; i++)
                seen[i] = 0;
            const ushort first = 1000;
            int replies = 0, duplicates = 0;
            for (int i = 0; i < BurstFrames; i++)
            {
                int length = Frames.EchoRequestFrame(frame, s_gatewayMac, s_mac, OwnIp, GatewayIp, Identifier, (ushort)(first + i), PingPayload);
                if (!Send(frame, length))
                    return Gone(0);
                // Replies read as they come, and no more than BurstWindow requests unanswered: the receive ring must not
                // fill while the client is busy sending (the driver drops what does not fit, as a card does).
                ulong windowDeadline = Benchmark.ReadTimestamp() + AnswerTicks;
                while (s_channel.Incoming.TryPeek() != null || i + 1 - replies - duplicates >= BurstWindow)
                {
                    int received = Receive(frame, windowDeadline);
                    if (received == -2)
                        return Gone(0);
                    if (received == -1)
                        break;
                    CountReply(frame, received, first, seen, ref replies, ref duplicates);
                }
                s_channel.Release();   // the slots read go back to the driver at once
            }
            ulong deadline = Benchmark.ReadTimestamp() + 4 * AnswerTicks;
            while (replies + duplicates < BurstFrames)
            {
                int received = Receive(frame, deadline);
                if (received == -2)
                    return Gone(0);
                if (received == -1)
                    break;
                CountReply(frame, received, first, seen, ref replies, ref duplicates);
            }
            if (replies != BurstFrames || duplicates != 0)
            {
                Start("FAIL burst: ");
                Console.Write(replies);
                Console.Write(" of ");
                Console.Write(BurstFrames);
                Console.Write(" echo replies, ");
                Console.Write(duplicates);
                Console.WriteLine(" duplicates");
                s_failures++;
                return 0;
            }
            Start("PASS burst: ");
            Console.Write(BurstFrames);
            Console.Write(" echo requests through ");
            Console.Write(NetworkChannelLayout.SlotCount);
            Console.WriteLine("-slot rings, every reply back once");
            return 0;
        }

        private static void CountReply(byte* frame, int length, ushort first, byte* seen, ref int replies, ref int duplicates)
        {
            if (length < 0 || !Frames.ParseEchoReply(frame, length, GatewayIp, Identifier, PingPayload, out ushort sequence))
                return;
            int index = sequence - first;
            if (index < 0 || index >= BurstFrames)
                return;
            if (seen[index] != 0)
                duplicates++;
            else
            {
                seen[index] = 1;
                replies++;
            }
        }

        // Echoes one at a time for a while: the restart test kills the driver in the middle.
        private static int Traffic()
        {
            byte* frame = stackalloc byte[NetworkChannelLayout.MaximumFrameLength];
            Start("traffic started");
            Console.WriteLine();
            int answered = 0;
            for (int i = 0; i < TrafficEchoes; i++)
            {
                int result = Echo(frame, (ushort)(5000 + i));
                if (result == -2)
                    return Gone(answered);
                if (result == 0)
                    answered++;
            }
            Start("traffic done: ");
            Console.Write(answered);
            Console.Write(" of ");
            Console.Write(TrafficEchoes);
            Console.WriteLine(" echoes answered");
            return 0;
        }

        // Waits for ever, answering ARP requests for 10.0.2.15, until the driver is gone.
        private static int Idle()
        {
            byte* frame = stackalloc byte[NetworkChannelLayout.MaximumFrameLength];
            while (true)
            {
                byte* slot = s_channel.Incoming.TryPeek();
                if (slot != null)
                {
                    int length = Take(slot, frame);
                    AnswerArp(frame, length);
                    continue;
                }
                if (s_channel.DriverGone)
                    return Gone(0);
                ReportLink();
                if (!s_channel.Release())
                    return Fail("its doorbell failed");
                if (s_channel.Incoming.PrepareToSleep())
                {
                    s_channel.Own.Notification.Wait(out _);
                    s_channel.Incoming.FinishSleep();
                }
            }
        }

        // Sends an echo request with 'sequence' and waits for its reply: 0 answered, -1 not in time, -2 driver gone.
        private static int Echo(byte* frame, ushort sequence)
        {
            int length = Frames.EchoRequestFrame(frame, s_gatewayMac, s_mac, OwnIp, GatewayIp, Identifier, sequence, PingPayload);
            if (!Send(frame, length))
                return -2;
            ulong deadline = Benchmark.ReadTimestamp() + AnswerTicks;
            while (true)
            {
                int received = Receive(frame, deadline);
                if (received < 0)
                    return received;
                if (Frames.ParseEchoReply(frame, received, GatewayIp, Identifier, PingPayload, out ushort got) && got == sequence)
                    return 0;
            }
        }

        // Puts a frame in the transmit ring and publishes it, waiting for a slot when the ring is full; false if the driver is gone.
        private static bool Send(byte* frame, int length)
        {
            byte* slot;
            while ((slot = s_channel.Outgoing.TryReserve()) == null)
            {
                if (s_channel.DriverGone || !s_channel.Publish() || !s_channel.Release())
                    return false;
                if (s_channel.Outgoing.PrepareToWaitForSpace())
                {
                    s_channel.Own.Notification.Wait(out _);
                    s_channel.Outgoing.FinishWaitForSpace();
                }
            }
            System.Buffer.MemoryCopy(frame, FrameSlot.Frame(slot), length, length);
            FrameSlot.SetLength(slot, length);
            s_channel.Outgoing.Commit();
            return s_channel.Publish() && !s_channel.DriverGone;
        }

        // The next received frame copied to 'frame' (answering ARP requests for our address on the way): its length, -1 when
        // the time-stamp counter passes 'deadline' (0: do not wait), -2 when the driver is gone.
        private static int Receive(byte* frame, ulong deadline)
        {
            while (true)
            {
                byte* slot = s_channel.Incoming.TryPeek();
                if (slot != null)
                {
                    int length = Take(slot, frame);
                    if (!AnswerArp(frame, length))
                        return length;
                    continue;
                }
                if (s_channel.DriverGone)
                    return -2;
                ReportLink();
                s_channel.Release();
                if (deadline == 0 || Benchmark.ReadTimestamp() > deadline)
                    return -1;
                Process.Yield();
            }
        }

        // The link's state as the driver last wrote it in the facts, reported when it changes.
        private static void ReportLink()
        {
            uint up = Volatile.Read(ref s_channel.Facts->LinkUp);
            if (up == s_linkUp)
                return;
            s_linkUp = up;
            Start(up != 0 ? "link up" : "link down");
            Console.WriteLine();
        }

        private static int Take(byte* slot, byte* frame)
        {
            int length = FrameSlot.Length(slot);
            if (length > 0)
                System.Buffer.MemoryCopy(FrameSlot.Frame(slot), frame, length, length);
            s_channel.Incoming.Advance();
            return length;
        }

        // An ARP request for 10.0.2.15 (slirp asks before it sends to us) gets its reply; true if 'frame' was one.
        private static bool AnswerArp(byte* frame, int length)
        {
            if (!Frames.ParseArp(frame, length, out ushort operation, out ulong senderMac, out uint senderIp, out uint targetIp)
                || operation != Frames.ArpRequest || targetIp != OwnIp)
                return false;
            byte* reply = stackalloc byte[Frames.ArpFrameLength];
            int replyLength = Frames.Arp(reply, Frames.ArpReply, senderMac, s_mac, OwnIp, senderMac, senderIp);
            Send(reply, replyLength);
            return true;
        }

        private static int Gone(int answered)
        {
            Start("the driver is gone: the channel is dead");
            if (answered > 0)
            {
                Console.Write(" (after ");
                Console.Write(answered);
                Console.Write(" echoes)");
            }
            Console.WriteLine();
            return DriverGoneStatus;
        }

        private static int Fail(string what)
        {
            Start("FAIL ");
            Console.WriteLine(what);
            return 2;
        }

        private static void Line(string what, string detail)
        {
            Start(what);
            Console.Write(": ");
            Console.WriteLine(detail);
        }

        // "virtio_net_test: netN: <what>", the line's end left to the caller.
        private static void Start(string what)
        {
            Console.Write("virtio_net_test: ");
            Console.WriteBytes(s_name, s_nameLength);
            Console.Write(": ");
            Console.Write(what);
        }
    }
}
