using System;
using System.Collections.Generic;
using System.Text;
using Exo.Abi;
using Exo.Network;
using Xunit;

namespace Exo.Network.HostTests
{
    public unsafe class DnsTests
    {
        private static readonly byte[] ParseWorkspace = new byte[DnsMessage.ParseWorkspaceBytes];

        /// <summary>
        /// An answer as a recursive resolver gives it for www.example.com (id 0xABCD): the question, then
        /// www.example.com CNAME edge.example.net (compressed against the question), then edge.example.net A 93.184.216.34
        /// whose owner is a pointer into the CNAME's data.
        /// </summary>
        private static byte[] CnameAnswer() => Convert.FromHexString(
            "abcd81800001000200000000" +
            "03777777076578616d706c6503636f6d0000010001" +            // question at 12: www.example.com A IN
            "c00c000500010000012c0012" + "0465646765076578616d706c65036e657400" +   // CNAME -> edge.example.net (data at 45)
            "c02d000100010000003c00045db8d822");                       // edge.example.net A 93.184.216.34

        private static Error Parse(byte[] message, ushort id, out Ipv4Address address, out uint ttl)
        {
            using var guard = new GuardedBuffer();
            byte* placed = guard.Place(message, message.Length);
            fixed (byte* w = ParseWorkspace)
                return DnsMessage.ParseAddress(placed, message.Length, id, w, out address, out ttl);
        }

        [Fact]
        public void A_query_is_built_as_rfc_1035_says()
        {
            var buffer = new byte[DnsMessage.MaximumUdpMessage];
            byte[] name = Encoding.ASCII.GetBytes("www.example.com.");
            fixed (byte* b = buffer)
            fixed (byte* n = name)
            {
                int length = DnsMessage.BuildQuery(b, 0x1234, n, name.Length);
                Assert.Equal("123401000001000000000000" + "03777777076578616d706c6503636f6d00" + "00010001",
                    Convert.ToHexString(buffer, 0, length).ToLowerInvariant());
                byte[] bad = Encoding.ASCII.GetBytes("a..b");
                fixed (byte* x = bad)
                    Assert.Equal(-1, DnsMessage.BuildQuery(b, 1, x, bad.Length));
                byte[] longLabel = Encoding.ASCII.GetBytes(new string('a', 64) + ".com");
                fixed (byte* x = longLabel)
                    Assert.Equal(-1, DnsMessage.BuildQuery(b, 1, x, longLabel.Length));
            }
        }

        [Fact]
        public void An_answer_with_compression_and_a_cname_gives_the_address()
        {
            Assert.Equal(Error.None, Parse(CnameAnswer(), 0xABCD, out Ipv4Address address, out uint ttl));
            Assert.Equal(new Ipv4Address(93, 184, 216, 34), address);
            Assert.Equal(60u, ttl);
            Assert.Equal(Error.Invalid, Parse(CnameAnswer(), 0xABCE, out _, out _));

            // An answer to another question (same id) is refused when the query is given.
            var query = new byte[DnsMessage.MaximumUdpMessage];
            byte[] asked = Encoding.ASCII.GetBytes("WWW.example.com");
            byte[] other = Encoding.ASCII.GetBytes("www.example.org");
            byte[] answer = CnameAnswer();
            using (var guard = new GuardedBuffer())
            fixed (byte* q = query)
            fixed (byte* w = ParseWorkspace)
            {
                byte* placed = guard.Place(answer, answer.Length);
                int length;
                fixed (byte* n = asked)
                    length = DnsMessage.BuildQuery(q, 0xABCD, n, asked.Length);
                Assert.Equal(Error.None, DnsMessage.ParseAddress(placed, answer.Length, 0xABCD, w, out _, out _, q, length));
                fixed (byte* n = other)
                    length = DnsMessage.BuildQuery(q, 0xABCD, n, other.Length);
                Assert.Equal(Error.Invalid, DnsMessage.ParseAddress(placed, answer.Length, 0xABCD, w, out _, out _, q, length));
            }

            // A plain answer (owner a pointer to the question) in upper case matches case-insensitively.
            byte[] plain = Convert.FromHexString("00078180000100010000000003575757074558414d504c4503434f4d0000010001c00c00010001000000050004c0000201");
            Assert.Equal(Error.None, Parse(plain, 7, out address, out _));
            Assert.Equal(new Ipv4Address(192, 0, 2, 1), address);
        }

        [Fact]
        public void Name_errors_server_failures_and_truncation()
        {
            byte[] answer = CnameAnswer();
            answer[3] = 0x83;   // NXDOMAIN
            Assert.Equal(Error.NotFound, Parse(answer, 0xABCD, out _, out _));
            answer[3] = 0x82;   // SERVFAIL
            Assert.Equal(Error.InputOutput, Parse(answer, 0xABCD, out _, out _));
            answer = CnameAnswer();
            answer[2] |= 0x02;  // TC
            Assert.Equal(Error.InputOutput, Parse(answer, 0xABCD, out _, out _));
            answer = CnameAnswer();
            answer[7] = 1;      // only the CNAME: no address
            Assert.Equal(Error.NotFound, Parse(answer, 0xABCD, out _, out _));
            answer = CnameAnswer();
            answer[2] &= 0x7F;  // a query, not a response
            Assert.Equal(Error.Invalid, Parse(answer, 0xABCD, out _, out _));
        }

        [Fact]
        public void Malformed_answers_are_refused_cleanly()
        {
            // The question's name a pointer to itself.
            byte[] loop = Convert.FromHexString("abcd81800001000100000000" + "c00c00010001");
            Assert.Equal(Error.Invalid, Parse(loop, 0xABCD, out _, out _));
            // A pointer forward, to a pointer back to it: a two-step loop.
            byte[] twoStep = Convert.FromHexString("abcd81800001000000000000" + "c01200010001" + "c00c");
            Assert.Equal(Error.Invalid, Parse(twoStep, 0xABCD, out _, out _));
            // A label running past the end.
            byte[] pastEnd = Convert.FromHexString("abcd81800001000100000000" + "3f777777");
            Assert.Equal(Error.Invalid, Parse(pastEnd, 0xABCD, out _, out _));
            // An answer count larger than the records present.
            byte[] answer = CnameAnswer();
            answer[7] = 9;
            answer[66] = 0x10;   // the A record made a TXT: no address, so the scan walks off the end
            Assert.Equal(Error.Invalid, Parse(answer, 0xABCD, out _, out _));
            // An RDLENGTH past the end.
            answer = CnameAnswer();
            answer[answer.Length - 5] = 0xFF;
            Assert.Equal(Error.Invalid, Parse(answer, 0xABCD, out _, out _));
            // An A record of 5 bytes.
            byte[] fiveBytes = Convert.FromHexString("abcd8180000100010000000001610000010001c00c0001000100000005000501020304ff");
            Assert.Equal(Error.Invalid, Parse(fiveBytes, 0xABCD, out _, out _));
            // A CNAME loop: a -> b, b -> a.
            byte[] aliasLoop = Convert.FromHexString("abcd81800001000200000000" + "01610000010001" +
                "c00c000500010000000000040162c00e" + "c01d000500010000000000020161" + "00");
            Assert.NotEqual(Error.None, Parse(aliasLoop, 0xABCD, out _, out _));
            // The reserved label types 0x40 and 0x80.
            byte[] reserved = Convert.FromHexString("abcd81800001000100000000" + "4161" + "00010001");
            Assert.Equal(Error.Invalid, Parse(reserved, 0xABCD, out _, out _));
            // Every truncation of a good answer fails without reading past it.
            byte[] good = CnameAnswer();
            for (int length = 0; length < good.Length; length++)
                Assert.NotEqual(Error.None, Parse(good.AsSpan(0, length).ToArray(), 0xABCD, out _, out _));
        }

        [Fact]
        public void Random_mutations_never_read_out_of_bounds()
        {
            var random = new Random(1035);
            byte[] good = CnameAnswer();
            int accepted = 0;
            for (int round = 0; round < 20_000; round++)
            {
                byte[] message = (byte[])good.Clone();
                int mutations = 1 + random.Next(4);
                for (int m = 0; m < mutations; m++)
                    message[random.Next(message.Length)] = (byte)random.Next(256);
                int length = random.Next(4) == 0 ? random.Next(message.Length + 1) : message.Length;
                if (Parse(message.AsSpan(0, length).ToArray(), NetworkOrder16(message), out _, out _) == Error.None)
                    accepted++;
            }
            Assert.True(accepted > 0);   // some mutations (TTLs, the address) leave a valid answer
        }

        private static ushort NetworkOrder16(byte[] message) => (ushort)(message[0] << 8 | message[1]);

        [Fact]
        public void The_resolver_asks_the_configured_server_and_retries()
        {
            var hosts = new TwoHosts();
            Assert.Equal(Error.None, hosts.A.Stack.Configure(new InterfaceConfiguration(TwoHosts.AddressA, 24, default, TwoHosts.AddressB)));
            int server = hosts.B.OpenUdp(53);
            byte[] name = Encoding.ASCII.GetBytes("www.example.com");
            int query;
            fixed (byte* n = name)
                Assert.Equal(Error.None, hosts.A.Stack.Dns.Start(n, name.Length, out query));
            hosts.Run();
            // The server ignores the first query; the resolver asks again after the timeout.
            Assert.Equal(Error.None, hosts.B.Receive(server, out byte[] first, out _, out _));
            hosts.Elapse(DnsResolver.TimeoutMilliseconds);
            Assert.Equal(Error.None, hosts.B.Receive(server, out byte[] second, out Ipv4Address client, out ushort clientPort));
            Assert.Equal(first, second);
            Assert.Equal(DnsQueryState.Pending, hosts.A.Stack.Dns.GetResult(query, out _, out _, out _));

            // An answer from the wrong port is ignored; the right one resolves.
            byte[] answer = CnameAnswer();
            answer[0] = second[0];
            answer[1] = second[1];
            int wrongPort = hosts.B.OpenUdp(5353);
            hosts.B.SendTo(wrongPort, answer, client, clientPort);
            hosts.Run();
            Assert.Equal(DnsQueryState.Pending, hosts.A.Stack.Dns.GetResult(query, out _, out _, out _));
            hosts.B.SendTo(server, answer, client, clientPort);
            hosts.Run();
            Assert.Equal(DnsQueryState.Resolved, hosts.A.Stack.Dns.GetResult(query, out Ipv4Address address, out uint ttl, out _));
            Assert.Equal(new Ipv4Address(93, 184, 216, 34), address);
            Assert.Equal(60u, ttl);
            hosts.A.Stack.Dns.Release(query);

            // Nobody answers: three sends, then TimedOut.
            fixed (byte* n = name)
                Assert.Equal(Error.None, hosts.A.Stack.Dns.Start(n, name.Length, out query));
            hosts.Elapse(DnsResolver.TimeoutMilliseconds * DnsResolver.MaximumAttempts + 100);
            Assert.Equal(DnsQueryState.Failed, hosts.A.Stack.Dns.GetResult(query, out _, out _, out Error error));
            Assert.Equal(Error.TimedOut, error);
            int sends = 0;
            while (hosts.B.Receive(server, out _, out _, out _) == Error.None)
                sends++;
            Assert.Equal(DnsResolver.MaximumAttempts, sends);
        }

        [Fact]
        public void A_server_with_nothing_on_port_53_fails_the_query_at_once()
        {
            var hosts = new TwoHosts();
            Assert.Equal(Error.None, hosts.A.Stack.Configure(new InterfaceConfiguration(TwoHosts.AddressA, 24, default, TwoHosts.AddressB)));
            byte[] name = Encoding.ASCII.GetBytes("example.com");
            int query;
            fixed (byte* n = name)
                Assert.Equal(Error.None, hosts.A.Stack.Dns.Start(n, name.Length, out query));
            hosts.Run();
            Assert.Equal(DnsQueryState.Failed, hosts.A.Stack.Dns.GetResult(query, out _, out _, out Error error));
            Assert.Equal(Error.ConnectionRefused, error);
            Assert.Equal(1, hosts.B.Stack.Counters[NetworkCounter.UdpDropNoSocket]);
        }

        [Fact]
        public void Without_a_dns_server_resolution_is_refused()
        {
            var hosts = new TwoHosts();
            byte[] name = Encoding.ASCII.GetBytes("example.com");
            fixed (byte* n = name)
                Assert.Equal(Error.NetworkUnreachable, hosts.A.Stack.Dns.Start(n, name.Length, out _));
        }
    }
}
