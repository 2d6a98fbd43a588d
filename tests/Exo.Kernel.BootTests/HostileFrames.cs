using System.Buffers.Binary;
using System.Net;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Frames that <see cref="HostileWireRelay"/> injects toward the guest: well-formed Ethernet, IPv4, TCP and UDP built here
/// with correct checksums, and the malformed ones the network service must survive (truncated headers, bad checksums and
/// lengths, bogus TCP options, overlapping fragments), and SYNs for a flood.
/// </summary>
public static class HostileFrames
{
    public const byte Icmp = 1, Tcp = 6, Udp = 17;
    public const byte Syn = 0x02, Ack = 0x10, Reset = 0x04;
    private const ushort Ipv4Type = 0x0800, ArpType = 0x0806;

    public static byte[] Ethernet(byte[] destination, byte[] source, ushort type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + payload.Length];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>An IPv4 packet with a 20-byte header; 'fragment' is the flags and offset field (offset in 8-byte units).</summary>
    public static byte[] Ipv4(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> payload, ushort identification = 1, ushort fragment = 0)
    {
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identification);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), fragment);
        packet[8] = 64;
        packet[9] = protocol;
        source.GetAddressBytes().CopyTo(packet, 12);
        destination.GetAddressBytes().CopyTo(packet, 16);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20), 0));
        payload.CopyTo(packet.AsSpan(20));
        return packet;
    }

    /// <summary>A TCP segment whose header carries 'options' as given, padded with zeros to a multiple of 4 bytes.</summary>
    public static byte[] TcpSegment(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment,
        byte flags, ushort window, ReadOnlySpan<byte> options, ReadOnlySpan<byte> data)
    {
        int headerLength = 20 + (options.Length + 3) / 4 * 4;
        var segment = new byte[headerLength + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), acknowledgment);
        segment[12] = (byte)(headerLength / 4 << 4);
        segment[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), window);
        options.CopyTo(segment.AsSpan(20));
        data.CopyTo(segment.AsSpan(headerLength));
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), TransportChecksum(source, destination, Tcp, segment));
        return segment;
    }

    public static byte[] UdpDatagram(IPAddress source, IPAddress destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> data)
    {
        var datagram = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        data.CopyTo(datagram.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(6), TransportChecksum(source, destination, Udp, datagram));
        return datagram;
    }

    /// <summary>The Internet checksum of 'bytes' (RFC 1071), starting from a partial sum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> bytes, uint sum)
    {
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (i < bytes.Length)
            sum += (uint)bytes[i] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static ushort TransportChecksum(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        Span<byte> pseudo = stackalloc byte[12];
        source.GetAddressBytes().CopyTo(pseudo);
        destination.GetAddressBytes().CopyTo(pseudo[4..]);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo[10..], (ushort)segment.Length);
        uint sum = 0;
        for (int i = 0; i < 12; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(pseudo[i..]);
        return Checksum(segment, sum);
    }

    /// <summary>An IPv4 TCP frame's addresses, ports, sequence and acknowledgment numbers; false for any other frame.</summary>
    public static bool TryReadTcp(byte[] frame, out IPAddress destination, out ushort sourcePort, out ushort destinationPort, out uint sequence, out uint acknowledgment)
    {
        destination = IPAddress.None;
        sourcePort = destinationPort = 0;
        sequence = acknowledgment = 0;
        if (frame.Length < 14 + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != Ipv4Type || frame[14 + 9] != Tcp)
            return false;
        int tcp = 14 + (frame[14] & 0x0F) * 4;
        if (frame.Length < tcp + 20)
            return false;
        destination = new IPAddress(frame.AsSpan(14 + 16, 4));
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(tcp));
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(tcp + 2));
        sequence = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(tcp + 4));
        acknowledgment = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(tcp + 8));
        return true;
    }

    /// <summary>A TCP frame from the gateway's 'peer' to the guest, in an existing connection.</summary>
    public static byte[] TcpFrame(byte[] guestMac, byte[] peerMac, IPAddress peer, ushort peerPort, IPAddress guest, ushort guestPort, uint sequence,
        uint acknowledgment, byte flags, ushort window, ReadOnlySpan<byte> options, ReadOnlySpan<byte> data)
        => Ethernet(guestMac, peerMac, Ipv4Type,
            Ipv4(peer, guest, Tcp, TcpSegment(peer, guest, peerPort, guestPort, sequence, acknowledgment, flags, window, options, data)));

    /// <summary>A SYN from 'source' to the guest's listening port, with the options a Linux client sends.</summary>
    public static byte[] SynFrame(byte[] guestMac, byte[] peerMac, IPAddress source, ushort sourcePort, IPAddress guest, ushort port, uint sequence)
    {
        byte[] options = { 2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
        return Ethernet(guestMac, peerMac, Ipv4Type,
            Ipv4(source, guest, Tcp, TcpSegment(source, guest, sourcePort, port, sequence, 0, Syn, 64240, options, default)));
    }

    /// <summary>
    /// The malformed frames, each with what it is: from the gateway ('peer', 10.0.2.2 at 'peerMac') to the guest (at
    /// 'guestMac' and 'guest'), aimed at 'port' (a listening TCP port) where a port matters; 'random' fills the garbage.
    /// </summary>
    public static List<(string What, byte[] Frame)> Malformed(byte[] guestMac, byte[] peerMac, IPAddress peer, IPAddress guest, ushort port, Random random)
    {
        var frames = new List<(string, byte[])>();
        void Add(string what, ushort type, byte[] payload) => frames.Add((what, Ethernet(guestMac, peerMac, type, payload)));
        byte[] Garbage(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
        byte[] Segment(byte flags, ReadOnlySpan<byte> options, int dataLength = 0) =>
            TcpSegment(peer, guest, (ushort)random.Next(1024, 65535), port, (uint)random.Next(), (uint)random.Next(), flags, 65535, options, Garbage(dataLength));
        byte[] Packet(byte protocol, byte[] payload) => Ipv4(peer, guest, protocol, payload, (ushort)random.Next());

        // Ethernet and ARP.
        frames.Add(("a 10-byte frame", Garbage(10)));
        frames.Add(("an Ethernet header alone", Ethernet(guestMac, peerMac, Ipv4Type, default)));
        Add("a 1515-byte frame (one past the largest)", Ipv4Type, Packet(Udp, UdpDatagram(peer, guest, 53, 53, Garbage(1501 - 28))));
        Add("a 9000-byte jumbo frame", Ipv4Type, Packet(Udp, UdpDatagram(peer, guest, 53, 53, Garbage(8986 - 28))));
        Add("a 65000-byte frame", Ipv4Type, Packet(Tcp, Segment(Ack, default, 64000)));
        Add("a 6-byte ARP packet", ArpType, Garbage(6));
        Add("ARP with hardware length 200", ArpType, new byte[] { 0, 1, 8, 0, 200, 4, 0, 1, 1, 2, 3, 4, 5, 6, 10, 0, 2, 2, 0, 0, 0, 0, 0, 0, 10, 0, 2, 15 });
        Add("ARP garbage", ArpType, Garbage(28));

        // IPv4 headers.
        Add("an IPv4 header cut at 10 bytes", Ipv4Type, Packet(Udp, new byte[8])[..10]);
        var shortHeader = Packet(Udp, new byte[8]);
        shortHeader[0] = 0x43;
        Add("IPv4 header length 12 bytes", Ipv4Type, shortHeader);
        var longHeader = Packet(Udp, new byte[8]);
        longHeader[0] = 0x4F;
        Add("IPv4 header length 60 bytes in a 28-byte packet", Ipv4Type, longHeader);
        var version6 = Packet(Udp, new byte[8]);
        version6[0] = 0x65;
        Add("version 6 in an IPv4 frame", Ipv4Type, version6);
        var badHeaderSum = Packet(Udp, UdpDatagram(peer, guest, 53, 53, Garbage(16)));
        badHeaderSum[10] ^= 0x5A;
        Add("a bad IPv4 header checksum", Ipv4Type, badHeaderSum);
        foreach (ushort total in new ushort[] { 0, 19, 21, 1500, 65535 })
        {
            var lying = Packet(Tcp, Segment(Syn, default));
            BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(2), total);
            BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(10), 0);
            BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(10), Checksum(lying.AsSpan(0, 20), 0));
            Add($"IPv4 total length {total} for {lying.Length} bytes", Ipv4Type, lying);
        }
        Add("IPv4 protocol 253 (unknown)", Ipv4Type, Packet(253, Garbage(40)));
        Add("IPv4 to a broadcast address from the guest's own address", Ipv4Type, Ipv4(guest, IPAddress.Broadcast, Udp, UdpDatagram(guest, IPAddress.Broadcast, 68, 68, Garbage(20))));

        // TCP headers and options.
        Add("a TCP header cut at 10 bytes", Ipv4Type, Packet(Tcp, Segment(Syn, default)[..10]));
        foreach (int offset in new[] { 0, 4, 15 })
        {
            var segment = Segment(Syn, default, 8);
            segment[12] = (byte)(offset << 4);
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), 0);
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(16), TransportChecksum(peer, guest, Tcp, segment));
            Add($"TCP data offset {offset} words", Ipv4Type, Packet(Tcp, segment));
        }
        var badTcpSum = Segment(Syn, default);
        badTcpSum[16] ^= 0x33;
        Add("a bad TCP checksum on a SYN", Ipv4Type, Packet(Tcp, badTcpSum));
        byte[][] bogusOptions =
        {
            new byte[] { 2, 0, 5, 0xB4 },                      // MSS with length 0
            new byte[] { 2, 1, 5, 0xB4 },                      // MSS with length 1
            new byte[] { 2, 4, 0, 0 },                         // MSS 0
            new byte[] { 3, 3, 200, 0 },                       // window scale 200
            new byte[] { 3, 40, 1, 0 },                        // an option running past the header
            new byte[] { 4, 3, 0, 0 },                         // SACK permitted with length 3
            new byte[] { 5, 3, 0, 0 },                         // a SACK block list of 1 byte
            new byte[] { 5, 34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
            new byte[] { 8, 9, 1, 2, 3, 4, 5, 6, 7 },          // timestamps of length 9
            new byte[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
            new byte[] { 99, 255, 1, 2 },                      // an unknown option of length 255
        };
        foreach (var options in bogusOptions)
        {
            Add($"a SYN with options {Convert.ToHexString(options)}", Ipv4Type, Packet(Tcp, Segment(Syn, options)));
            Add($"an ACK with data and options {Convert.ToHexString(options)}", Ipv4Type, Packet(Tcp, Segment(Ack, options, 32)));
        }
        Add("a RST to the listening port", Ipv4Type, Packet(Tcp, Segment(Reset | Ack, default)));
        Add("every TCP flag at once", Ipv4Type, Packet(Tcp, Segment(0xFF, default, 16)));

        // UDP.
        Add("a UDP header cut at 4 bytes", Ipv4Type, Packet(Udp, UdpDatagram(peer, guest, 53, 68, default)[..4]));
        var badUdpSum = UdpDatagram(peer, guest, 67, 68, Garbage(300));
        badUdpSum[6] ^= 0x44;
        Add("a bad UDP checksum to the DHCP client port", Ipv4Type, Packet(Udp, badUdpSum));
        foreach (ushort length in new ushort[] { 0, 7, 9, 2000 })
        {
            var lying = UdpDatagram(peer, guest, 53, 68, Garbage(24));
            BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(4), length);
            BinaryPrimitives.WriteUInt16BigEndian(lying.AsSpan(6), 0);   // no checksum: the length is what is checked
            Add($"UDP length {length} for {lying.Length} bytes", Ipv4Type, Packet(Udp, lying));
        }
        Add("a garbage DHCP answer", Ipv4Type, Packet(Udp, UdpDatagram(peer, guest, 67, 68, Garbage(548))));
        Add("a garbage DNS answer", Ipv4Type, Packet(Udp, UdpDatagram(peer, guest, 53, 53, Garbage(100))));

        // ICMP.
        var badIcmp = new byte[] { 8, 0, 0, 0, 0, 1, 0, 1 };
        Add("an echo request with a bad ICMP checksum", Ipv4Type, Packet(Icmp, badIcmp));
        var unreachable = new byte[8 + 28];
        unreachable[0] = 3;
        unreachable[1] = 4;   // fragmentation needed, next-hop MTU 0
        Garbage(28).CopyTo(unreachable, 8);
        BinaryPrimitives.WriteUInt16BigEndian(unreachable.AsSpan(2), Checksum(unreachable, 0));
        Add("destination unreachable (MTU 0) quoting garbage", Ipv4Type, Packet(Icmp, unreachable));
        Add("a 4-byte ICMP message", Ipv4Type, Packet(Icmp, new byte[] { 8, 0, 0xF7, 0xFF }));

        // Fragments: overlapping, past 64 KiB, and many sets never completed.
        var echo = new byte[8 + 64];
        echo[0] = 8;
        random.NextBytes(echo.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(2), Checksum(echo, 0));
        const ushort MoreFragments = 0x2000;
        ushort id = (ushort)random.Next();
        Add("fragment 0-40 of an echo", Ipv4Type, Ipv4(peer, guest, Icmp, echo.AsSpan(0, 40), id, MoreFragments));
        Add("fragment 24-56 overlapping it", Ipv4Type, Ipv4(peer, guest, Icmp, Garbage(32), id, MoreFragments | 3));
        Add("fragment 16-72 overlapping both, the last", Ipv4Type, Ipv4(peer, guest, Icmp, Garbage(56), id, 2));
        Add("fragment 0-40 again, different bytes", Ipv4Type, Ipv4(peer, guest, Icmp, Garbage(40), id, MoreFragments));
        Add("a fragment ending past 65535 bytes", Ipv4Type, Ipv4(peer, guest, Icmp, Garbage(64), (ushort)(id + 1), MoreFragments | 8189));
        Add("a last fragment of 0 bytes at offset 0", Ipv4Type, Ipv4(peer, guest, Udp, default, (ushort)(id + 2), 0));
        Add("a middle fragment not a multiple of 8 bytes", Ipv4Type, Ipv4(peer, guest, Udp, Garbage(13), (ushort)(id + 3), MoreFragments | 1));
        for (int set = 0; set < 200; set++)
            Add($"the first fragment of incomplete set {set}", Ipv4Type, Ipv4(peer, guest, Udp, Garbage(1024), (ushort)(id + 100 + set), MoreFragments));

        // Garbage after a valid-looking Ethernet header.
        for (int i = 0; i < 100; i++)
            Add($"garbage IPv4 {i}", Ipv4Type, Garbage(random.Next(1, 1500)));
        return frames;
    }
}
