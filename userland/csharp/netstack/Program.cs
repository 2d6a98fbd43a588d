using Exo.Abi;
using Exo.Network;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Std.Services;

namespace Netstack
{
    /// <summary>
    /// netstack: the network service (docs/network.md). The device manager starts it as a network card's client
    /// ("netstack netN" with the card's channel: its memory, the notification it waits on, the driver's, the console).
    /// It runs the TCP/IP stack of userland/services/network/stack on the card, configures it by DHCP (QEMU's user
    /// network answers), and offers the socket protocol to the kernel as "network", which POSIX-X's AF_INET sockets use,
    /// and a channel of their own to native programs (NativeClients; exo_std's Exo.Std.Net is their side).
    /// One thread, one loop: frames from the card, requests from the kernel, the stack's timers, readiness events back;
    /// it sleeps on one notification (the card's driver and the kernel both signal it) until the stack's next deadline.
    /// When the device manager says the driver is gone, it resets the card's channel for the driver the manager starts
    /// again and goes on: sockets survive, and TCP retransmits what the restart lost. If netstack itself ends, the kernel's
    /// sockets fail and the pair is started again with a new channel and a new offer.
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>TCP connection slots, and TCP's memory: the table, then buffers for about 120 connections at the default
        /// 64 KiB each way (the most one mapping gives; a native process has 64 MiB in all).</summary>
        private const int TcpConnections = 1024;
        private const ulong TcpMemoryBytes = VirtualMemory.MaximumMapping;
        /// <summary>How long the service sleeps at most when nothing is scheduled (it also looks at the driver's state).</summary>
        private const long IdleMilliseconds = 1000;

        public static int Main()
        {
            byte* tcpMemory = null;
            InternetChecksum.Accelerate(&Exo.Std.Net.OnesComplement.Sum);   // netstack_selftest checks it against the loop
            if (Process.StartupHandleCount < 3 || !Process.TryGetArgument(1, out byte* name, out int nameLength))
            {
                Console.WriteLine("netstack: started without a network-device channel (the device manager starts it)");
                return 1;
            }
            var own = new Notification(Process.StartupHandle(1));
            Error error = NetworkChannel.Attach(new MemoryObject(Process.StartupHandle(0)), own, new Notification(Process.StartupHandle(2)), false, out NetworkChannel card);
            if (error != Error.None)
                return Fail("the card's channel", error);
            while (!card.DriverReady)
            {
                if (card.DriverGone && !card.Reset())
                    return Fail("the channel's reset", Error.Invalid);
                own.Wait(out _);   // the driver rings once it has written the facts
            }

            var link = new ChannelLink(card);
            var clock = new ServiceClock();
            ulong stackBytes = NetworkStack.WorkspaceBytes;
            ulong tcpBytes = TcpMemoryBytes;
            error = VirtualMemory.Map(0, stackBytes, true, out byte* stackMemory);
            if (error == Error.None)
                error = VirtualMemory.Map(0, tcpBytes, true, out tcpMemory);
            if (error != Error.None)
                return Fail("memory for the stack", error);
            error = NetworkStack.Create(link, clock, stackMemory, stackBytes, out NetworkStack stack);
            if (error != Error.None)
                return Fail("the stack", error);
            ulong seed = Benchmark.ReadTimestamp();
            error = TcpStack.Create(stack.Transmitter, clock, seed * 0x9E3779B97F4A7C15UL, MonotonicClock.Nanoseconds * 0xBF58476D1CE4E5B9UL ^ seed,
                TcpConnections, tcpMemory, tcpBytes, out TcpStack tcp);
            if (error == Error.None)
                error = stack.RegisterProtocol(tcp);
            if (error == Error.None)
                error = stack.RegisterTimer(tcp);
            if (error != Error.None)
                return Fail("TCP", error);
            error = stack.StartDhcp();
            if (error != Error.None)
                return Fail("DHCP", error);
            error = SocketServerChannel.Offer("network", own, out SocketServerChannel channel);
            if (error != Error.None)
                return Fail("the socket channel's offer", error);
            var owners = new TcpSocketOwners(tcp);
            var sockets = new SocketService(channel, stack, tcp, owners);
            error = NativeClients.Create(own, stack, tcp, owners, out NativeClients natives);
            if (error != Error.None)
                return Fail("the native programs' socket channels", error);
            Console.Write("netstack: ");
            Console.WriteBytes(name, nameLength);
            Console.WriteLine(": serving sockets as \"network\", asking DHCP for an address");

            bool configured = false, waitingForDriver = false;
            while (true)
            {
                clock.Advance();
                if (link.DriverGone)
                {
                    Say(name, nameLength, "the driver is gone; the channel is reset for the next one");
                    if (!link.Reset())
                        return Fail("the channel's reset", Error.Invalid);
                    waitingForDriver = true;
                }
                if (waitingForDriver && link.DriverReady)
                {
                    waitingForDriver = false;
                    Say(name, nameLength, "a new driver is ready");
                }
                bool more = !waitingForDriver && link.Receive(stack, tcp);
                natives.Update();
                more |= sockets.ServeRequests();
                more |= natives.ServeRequests();
                stack.Poll();
                owners.MarkChanged();
                sockets.PostChanges();
                channel.Flush();
                natives.PostChangesAndFlush();
                if (!waitingForDriver)
                    link.Flush();
                if (!configured && stack.Configuration.IsConfigured)
                {
                    configured = true;
                    ReportConfiguration(name, nameLength, stack);
                }
                if (more)
                    continue;
                Sleep(own, link, channel, natives, stack, clock);
            }
        }

        private static void Say(byte* name, int nameLength, string what)
        {
            Console.Write("netstack: ");
            Console.WriteBytes(name, nameLength);
            Console.Write(": ");
            Console.WriteLine(what);
        }

        // Sleeps until a frame, a request or the stack's next deadline, announcing it on both rings first so that a
        // peer publishing meanwhile rings the notification (or this finds the work and does not sleep).
        private static void Sleep(Notification own, ChannelLink link, SocketServerChannel channel, NativeClients natives, NetworkStack stack, ServiceClock clock)
        {
            clock.Advance();
            long now = clock.NowMilliseconds;
            long deadline = stack.NextDeadline;
            if (deadline <= now)
                return;
            if (deadline - now > IdleMilliseconds)
                deadline = now + IdleMilliseconds;
            if (!link.PrepareToSleep())
                return;
            if (!channel.PrepareToSleep())
            {
                link.FinishSleep();
                return;
            }
            if (!natives.PrepareToSleep())
            {
                link.FinishSleep();
                channel.FinishSleep();
                return;
            }
            own.WaitUntil((ulong)deadline * 1_000_000UL, out _);   // the kernel rings it too when a native client comes or goes
            link.FinishSleep();
            channel.FinishSleep();
            natives.FinishSleep();
        }

        private static void ReportConfiguration(byte* name, int nameLength, NetworkStack stack)
        {
            var configuration = stack.Configuration;
            Console.Write("netstack: ");
            Console.WriteBytes(name, nameLength);
            Console.Write(": ");
            WriteAddress(configuration.Address);
            Console.Write("/");
            Console.Write(configuration.PrefixLength);
            Console.Write(" gateway ");
            WriteAddress(configuration.Gateway);
            Console.Write(" dns ");
            WriteAddress(configuration.DnsServer);
            Console.WriteLine(" (DHCP)");
        }

        private static void WriteAddress(Ipv4Address address)
        {
            for (int shift = 24; shift >= 0; shift -= 8)
            {
                Console.Write((int)((address.Value >> shift) & 0xFF));
                if (shift > 0)
                    Console.Write('.');
            }
        }

        private static int Fail(string what, Error error)
        {
            Console.Write("netstack: ");
            Console.Write(what);
            Console.Write(" failed: ");
            Console.WriteLine(Errors.Describe(error));
            return 1;
        }
    }
}
