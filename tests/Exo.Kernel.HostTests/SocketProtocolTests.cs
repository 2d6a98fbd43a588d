using System;
using Exo.Protocols.Sockets;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The socket protocol's messages (client and network service): round trips, and every rule a decoder enforces.</summary>
public unsafe class SocketProtocolTests
{
    private static readonly SocketEndpoint Gateway = SocketEndpoint.Internet(0x0A000202, 80);

    [Fact]
    public void Requests_round_trip()
    {
        var requests = new[]
        {
            new SocketRequest { Operation = SocketOperation.Create, Tag = 1, Argument0 = 1, Argument1 = 6 },
            new SocketRequest { Operation = SocketOperation.Connect, Tag = 2, Socket = 0x10005, Endpoint = Gateway },
            new SocketRequest { Operation = SocketOperation.Connect, Tag = 2, Socket = 0x10005, Endpoint = Gateway, Flags = SocketRequest.FlagWait },
            new SocketRequest { Operation = SocketOperation.Connect, Tag = 2, Argument0 = SocketRequest.TypeStream, Argument1 = 6, Endpoint = Gateway, Flags = SocketRequest.FlagWait },
            new SocketRequest { Operation = SocketOperation.Send, Tag = uint.MaxValue, Socket = 9, DataLength = SocketChannelLayout.DataSlotSize, Flags = SocketRequest.FlagMore },
            new SocketRequest { Operation = SocketOperation.Send, Tag = 3, Socket = 9, DataLength = 12, Endpoint = Gateway },
            new SocketRequest { Operation = SocketOperation.Receive, Tag = 4, Socket = 9, Argument0 = 4096, Flags = SocketRequest.FlagPeek },
            new SocketRequest { Operation = SocketOperation.SetOption, Tag = 5, Socket = 9, Argument0 = 1, Argument1 = 2, DataLength = 4 },
            new SocketRequest { Operation = SocketOperation.Listen, Tag = 6, Socket = 9, Argument0 = 128 },
            new SocketRequest { Operation = SocketOperation.Readiness, Tag = 7, Socket = 9 },
            new SocketRequest { Operation = SocketOperation.Create, Tag = 8, Argument0 = SocketRequest.TypeRaw, Argument1 = 1 },
            new SocketRequest { Operation = SocketOperation.Interfaces, Tag = 9 },
        };
        byte* buffer = stackalloc byte[SocketRequest.Length];
        foreach (SocketRequest request in requests)
        {
            Assert.True(request.Encode(buffer));
            Assert.Equal(SocketMessageProblem.None, SocketRequest.Decode(buffer, out SocketRequest decoded));
            Assert.Equal((request.Operation, request.Flags, request.Tag, request.Socket, request.Argument0, request.Argument1, request.DataLength),
                (decoded.Operation, decoded.Flags, decoded.Tag, decoded.Socket, decoded.Argument0, decoded.Argument1, decoded.DataLength));
            Assert.Equal((request.Endpoint.Family, request.Endpoint.Port, request.Endpoint.Address),
                (decoded.Endpoint.Family, decoded.Endpoint.Port, decoded.Endpoint.Address));
        }
        // The endpoint's address travels most significant byte first, like sockaddr_in's.
        Assert.True(requests[1].Encode(buffer));
        Assert.Equal(new byte[] { 10, 0, 2, 2 }, new ReadOnlySpan<byte>(buffer + 48, 4).ToArray());
    }

    [Theory]
    [InlineData(SocketOperation.None, 0u, 0UL, 0u, false, (ushort)0, SocketMessageProblem.UnknownOperation)]
    [InlineData((SocketOperation)18, 1u, 0UL, 0u, false, (ushort)0, SocketMessageProblem.UnknownOperation)]
    [InlineData(SocketOperation.ChangeNetwork, 1u, 0UL, 24u, false, (ushort)0, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.ChangeNetwork, 0u, 0UL, 25u, false, (ushort)0, SocketMessageProblem.BadLength)]
    [InlineData(SocketOperation.Routes, 0u, 0UL, 1u, false, (ushort)0, SocketMessageProblem.BadLength)]
    [InlineData(SocketOperation.Create, 0u, 4UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]          // no such type
    [InlineData(SocketOperation.Create, 5u, 1UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]          // a socket given
    [InlineData(SocketOperation.Accept, 0u, 0UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]          // no socket
    [InlineData(SocketOperation.Connect, 0u, 0UL, 0u, true, (ushort)0, SocketMessageProblem.BadField)]          // made, of no type
    [InlineData(SocketOperation.Connect, 0u, 4UL, 0u, true, (ushort)0, SocketMessageProblem.BadField)]          // made, of no such type
    [InlineData(SocketOperation.Connect, 3u, 1UL, 0u, true, (ushort)0, SocketMessageProblem.BadField)]          // a type for a socket that exists
    [InlineData(SocketOperation.Connect, 0u, 1UL, 0u, false, (ushort)0, SocketMessageProblem.BadEndpoint)]      // made, but no peer
    [InlineData(SocketOperation.Bind, 1u, 0UL, 0u, false, (ushort)0, SocketMessageProblem.BadEndpoint)]         // no endpoint
    [InlineData(SocketOperation.Close, 1u, 0UL, 0u, true, (ushort)0, SocketMessageProblem.BadEndpoint)]         // an endpoint given
    [InlineData(SocketOperation.Send, 1u, 0UL, 65537u, false, (ushort)0, SocketMessageProblem.BadLength)]
    [InlineData(SocketOperation.Receive, 1u, 65537UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Receive, 1u, 10UL, 10u, false, (ushort)0, SocketMessageProblem.BadLength)]      // a receive carries no data
    [InlineData(SocketOperation.Receive, 1u, 10UL, 0u, false, SocketRequest.FlagMore, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Send, 1u, 0UL, 1u, false, SocketRequest.FlagPeek, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Listen, 1u, 0UL, 0u, false, (ushort)8, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Send, 1u, 0UL, 1u, false, SocketRequest.FlagWait, SocketMessageProblem.BadField)]   // FlagWait is Connect's
    [InlineData(SocketOperation.Listen, 1u, 0UL, 0u, false, SocketRequest.FlagWait, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Listen, 1u, 4097UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.Shutdown, 1u, 3UL, 0u, false, (ushort)0, SocketMessageProblem.BadField)]
    [InlineData(SocketOperation.SetOption, 1u, 1UL, 65u, false, (ushort)0, SocketMessageProblem.BadLength)]
    public void Malformed_requests_are_refused_before_sending(SocketOperation operation, uint socket, ulong argument0, uint dataLength, bool endpoint, ushort flags, SocketMessageProblem problem)
    {
        var request = new SocketRequest
        {
            Operation = operation, Socket = socket, Argument0 = argument0, DataLength = dataLength, Flags = flags,
            Endpoint = endpoint ? Gateway : default,
        };
        Assert.Equal(problem, request.Check());
        byte* buffer = stackalloc byte[SocketRequest.Length];
        Assert.False(request.Encode(buffer));
    }

    [Fact]
    public void A_decoder_refuses_what_a_hostile_peer_wrote()
    {
        byte* buffer = stackalloc byte[SocketRequest.Length];
        Assert.True(new SocketRequest { Operation = SocketOperation.Connect, Socket = 3, Endpoint = Gateway }.Encode(buffer));
        buffer[0] ^= 1;
        Assert.Equal(SocketMessageProblem.BadMagic, SocketRequest.Decode(buffer, out _));
        buffer[0] ^= 1;
        buffer[37] = 1;
        Assert.Equal(SocketMessageProblem.BadField, SocketRequest.Decode(buffer, out _));
        buffer[37] = 0;
        buffer[40] = 7;   // an unknown family
        Assert.Equal(SocketMessageProblem.BadEndpoint, SocketRequest.Decode(buffer, out _));
        buffer[40] = 2;
        buffer[63] = 1;   // IPv4 leaves the rest of the address zero
        Assert.Equal(SocketMessageProblem.BadEndpoint, SocketRequest.Decode(buffer, out _));
        buffer[63] = 0;
        Assert.Equal(SocketMessageProblem.None, SocketRequest.Decode(buffer, out _));

        // Mutations of a valid request never decode into something that breaks a rule: whatever passes also passes Check.
        var random = new Random(1234);
        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            Assert.True(new SocketRequest { Operation = SocketOperation.Send, Socket = 3, DataLength = 100, Endpoint = Gateway }.Encode(buffer));
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                buffer[random.Next(4, SocketRequest.Length)] = (byte)random.Next(256);
            if (SocketRequest.Decode(buffer, out SocketRequest decoded) == SocketMessageProblem.None)
            {
                accepted++;
                Assert.Equal(SocketMessageProblem.None, decoded.Check());
                Assert.True(decoded.DataLength <= SocketChannelLayout.DataSlotSize);
            }
        }
        Assert.True(accepted > 0);
    }

    [Fact]
    public void Network_changes_and_route_records_round_trip_and_refuse_bad_fields()
    {
        byte* buffer = stackalloc byte[NetworkChange.Length];
        var change = new NetworkChange { Kind = NetworkChange.AddRoute, Index = 2, Address = 0xC0A84D00, PrefixLength = 24, Gateway = 0x0A000202 };
        Assert.True(change.Encode(buffer));
        Assert.Equal(SocketMessageProblem.None, NetworkChange.Decode(buffer, out NetworkChange decoded));
        Assert.Equal((NetworkChange.AddRoute, 2u, 0xC0A84D00u, (byte)24, 0x0A000202u), (decoded.Kind, decoded.Index, decoded.Address, decoded.PrefixLength, decoded.Gateway));
        foreach (var (offset, value) in new[] { (0, 0u), (0, 6u), (4, 0u), (12, 33u), (20, 1u) })
        {
            Assert.True(change.Encode(buffer));
            *(uint*)(buffer + offset) = value;
            Assert.Equal(SocketMessageProblem.BadField, NetworkChange.Decode(buffer, out _));
        }
        byte* route = stackalloc byte[NetworkRouteRecord.Length];
        Assert.True(new NetworkRouteRecord { Destination = 0x0A000200, PrefixLength = 24, Index = 2 }.Encode(route));
        Assert.Equal(SocketMessageProblem.None, NetworkRouteRecord.Decode(route, out NetworkRouteRecord read));
        Assert.Equal((0x0A000200u, (byte)24, 2u), (read.Destination, read.PrefixLength, read.Index));
        Assert.False(new NetworkRouteRecord { Destination = 0x0A000201, PrefixLength = 24, Index = 2 }.Encode(route));   // host bits set
        *(uint*)(route + 12) = 0;
        Assert.Equal(SocketMessageProblem.BadField, NetworkRouteRecord.Decode(route, out _));
    }

    [Fact]
    public void Interface_records_round_trip_and_refuse_what_a_hostile_service_wrote()
    {
        var card = new NetworkInterfaceRecord
        {
            Index = 2, Flags = NetworkInterfaceRecord.FlagUp | NetworkInterfaceRecord.FlagRunning, Mtu = 1500,
            HardwareType = NetworkInterfaceRecord.HardwareEthernet, Address = 0x0A00020F, PrefixLength = 24, Gateway = 0x0A000202,
            DnsServer = 0x0A000203, ReceivedPackets = 7, SentPackets = 9, ReceivedBytes = 1UL << 40, SendDrops = 3,
        };
        card.SetName("eth0");
        card.HardwareAddress[0] = 0x52;
        card.HardwareAddress[5] = 0x56;
        byte* buffer = stackalloc byte[NetworkInterfaceRecord.Length];
        Assert.True(card.Encode(buffer));
        Assert.Equal(SocketMessageProblem.None, NetworkInterfaceRecord.Decode(buffer, out NetworkInterfaceRecord decoded));
        Assert.Equal(4, decoded.NameLengthOrInvalid());
        Assert.Equal((2u, 1500u, 0x0A00020Fu, (byte)24, 0x0A000202u, 0x0A000203u, 7UL, 9UL, (byte)0x52, (byte)0x56),
            (decoded.Index, decoded.Mtu, decoded.Address, decoded.PrefixLength, decoded.Gateway, decoded.DnsServer, decoded.ReceivedPackets,
             decoded.SentPackets, decoded.HardwareAddress[0], decoded.HardwareAddress[5]));
        Assert.Equal((1UL << 40, 3UL, 0UL), (decoded.ReceivedBytes, decoded.SendDrops, decoded.SendErrors));

        // Each field a service could get wrong is refused: names not ending or with odd bytes, prefix, MTU, flags, types.
        (int offset, byte value)[] bad = { (0, (byte)'A'), (4, (byte)'/'), (5, 1), (40, 33), (26, 2), (20 + 2, 0x80), (28, 9), (52, 1), (16, 0), (127, 1) };
        foreach (var (offset, value) in bad)
        {
            Assert.True(card.Encode(buffer));
            if (offset == 16)
                *(uint*)(buffer + 16) = 0;   // index 0
            else
                buffer[offset] = value;
            Assert.NotEqual(SocketMessageProblem.None, NetworkInterfaceRecord.Decode(buffer, out _));
        }
        var nameless = card;
        nameless.SetName("");
        Assert.False(nameless.Encode(buffer));
        nameless.SetName("abcdefghijklmnop");   // 16 bytes: no room for the end
        Assert.False(nameless.Encode(buffer));

        // The Interfaces request names no socket and carries nothing.
        Assert.Equal(SocketMessageProblem.None, new SocketRequest { Operation = SocketOperation.Interfaces, Tag = 1 }.Check());
        Assert.Equal(SocketMessageProblem.BadField, new SocketRequest { Operation = SocketOperation.Interfaces, Socket = 3 }.Check());
        Assert.Equal(SocketMessageProblem.BadField, new SocketRequest { Operation = SocketOperation.Interfaces, Argument0 = 1 }.Check());
    }

    [Fact]
    public void Completions_and_events_round_trip_and_refuse_bad_fields()
    {
        byte* buffer = stackalloc byte[SocketCompletion.Length];
        var accepted = new SocketCompletion { Tag = 9, Value = 0x20007, Endpoint = SocketEndpoint.Internet(0x0A00020F, 49152) };
        Assert.True(accepted.Encode(buffer));
        Assert.Equal(SocketMessageProblem.None, SocketCompletion.Decode(buffer, out SocketCompletion decoded));
        Assert.Equal((9u, 0x20007UL, (ushort)49152, 0x0A00020Fu), (decoded.Tag, decoded.Value, decoded.Endpoint.Port, decoded.Endpoint.Address));

        Assert.False(new SocketCompletion { Status = 11, DataLength = 1 }.Encode(buffer));         // an error carries no data
        Assert.False(new SocketCompletion { Status = 11, Endpoint = Gateway }.Encode(buffer));    // nor an endpoint
        Assert.True(new SocketCompletion { Tag = 3, Status = 111, Value = 0x10002 }.Encode(buffer)); // but the socket a failed connect made
        Assert.Equal(SocketMessageProblem.None, SocketCompletion.Decode(buffer, out decoded));
        Assert.Equal((111, 0x10002UL), (decoded.Status, decoded.Value));
        Assert.False(new SocketCompletion { Status = 4096 }.Encode(buffer));
        Assert.False(new SocketCompletion { DataLength = SocketChannelLayout.DataSlotSize + 1 }.Encode(buffer));
        Assert.True(new SocketCompletion { Tag = 1, Status = 111 }.Encode(buffer));
        buffer[50] = 1;
        Assert.Equal(SocketMessageProblem.BadField, SocketCompletion.Decode(buffer, out _));

        var change = new SocketEvent { Socket = 4, Readiness = SocketReadiness.Readable | SocketReadiness.HangUp, PendingError = 104 };
        Assert.True(change.Encode(buffer));
        Assert.Equal(SocketMessageProblem.None, SocketEvent.Decode(buffer, out SocketEvent decodedEvent));
        Assert.Equal((4u, change.Readiness, (ushort)104), (decodedEvent.Socket, decodedEvent.Readiness, decodedEvent.PendingError));
        Assert.False(new SocketEvent { Socket = 0, Readiness = 1 }.Encode(buffer));
        Assert.False(new SocketEvent { Socket = 1, Readiness = 0x40 }.Encode(buffer));
    }

    [Fact]
    public void The_layout_keeps_each_ring_in_its_own_page()
    {
        Assert.Equal(SocketChannelLayout.RingHeaderSize, Exo.Protocols.Rings.SpscRingHeader.Size);
        foreach ((int offset, int slots, int slotSize) in new[]
        {
            (SocketChannelLayout.RequestRingOffset, SocketChannelLayout.MaximumInFlight, SocketRequest.Length),
            (SocketChannelLayout.CompletionRingOffset, SocketChannelLayout.MaximumInFlight, SocketCompletion.Length),
            (SocketChannelLayout.EventRingOffset, SocketChannelLayout.EventSlots, SocketEvent.Length),
        })
        {
            Assert.Equal(0, offset % 4096);
            Assert.True(Exo.Protocols.Rings.SpscRing.RequiredBytes((uint)slots, (uint)slotSize) <= 4096);
        }
        Assert.Equal(0, SocketChannelLayout.DataOffset % 4096);
        Assert.True(SocketChannelLayout.EventRingOffset + 4096 <= SocketChannelLayout.DataOffset);
        Assert.Equal(SocketChannelLayout.DataOffset, SocketChannelLayout.DataOffsetOf(0));
        Assert.Equal(SocketChannelLayout.DataOffsetOf(1), SocketChannelLayout.DataOffsetOf(1 + SocketChannelLayout.MaximumInFlight));
        Assert.Equal(SocketChannelLayout.Size, SocketChannelLayout.DataOffsetOf(SocketChannelLayout.MaximumInFlight - 1) + SocketChannelLayout.DataSlotSize);
    }

    [Fact]
    public void Sockaddr_in_translates_both_ways_and_refuses_what_linux_refuses()
    {
        // 10.0.2.15:8080 as a program writes it: family 2, port and address in network order, zero padding.
        byte[] linux = { 2, 0, 0x1F, 0x90, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 0, 0 };
        fixed (byte* address = linux)
        {
            Assert.Equal(Exo.Abi.Error.None, Exo.PosixX.Sockets.Internet.InternetAddress.Parse(address, 16, out SocketEndpoint endpoint));
            Assert.Equal((SocketEndpoint.FamilyInternet, (ushort)8080, 0x0A00020Fu), (endpoint.Family, endpoint.Port, endpoint.Address));
            byte* back = stackalloc byte[16];
            Assert.Equal(16, Exo.PosixX.Sockets.Internet.InternetAddress.Format(endpoint, back));
            Assert.Equal(linux, new ReadOnlySpan<byte>(back, 16).ToArray());
            Assert.Equal(Exo.Abi.Error.Invalid, Exo.PosixX.Sockets.Internet.InternetAddress.Parse(address, 15, out _));
            address[0] = 10;   // AF_INET6
            Assert.Equal(Exo.Abi.Error.AddressFamilyNotSupported, Exo.PosixX.Sockets.Internet.InternetAddress.Parse(address, 28, out _));
        }
    }
}
