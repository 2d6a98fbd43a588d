using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// A DHCP message (RFC 2131 2, options RFC 2132) as the client needs it: the fixed BOOTP fields and the options
    /// QEMU's user network and common servers give (message type, server identifier, subnet mask, router, DNS server,
    /// lease, renewal and rebinding times). Parsing checks every option's length against the message; building writes
    /// the client's DISCOVER and REQUEST.
    /// </summary>
    public unsafe struct DhcpMessage
    {
        public const int FixedLength = 236;
        public const int OptionsOffset = FixedLength + 4;
        /// <summary>BOOTP's minimum message (RFC 1542 2.1): what the client pads its messages to.</summary>
        public const int MinimumSentLength = 300;
        /// <summary>The largest message the client builds (its options are few).</summary>
        public const int MaximumSentLength = 576 - Ipv4Header.MinimumLength - UdpProtocol.HeaderLength;
        public const uint MagicCookie = 0x63825363;
        public const byte OperationRequest = 1, OperationReply = 2;
        public const ushort FlagBroadcast = 0x8000;
        public const byte Discover = 1, Offer = 2, Request = 3, Decline = 4, Acknowledge = 5, NegativeAcknowledge = 6, Release = 7;
        public const byte OptionPad = 0, OptionSubnetMask = 1, OptionRouter = 3, OptionDnsServer = 6, OptionRequestedAddress = 50,
            OptionLeaseTime = 51, OptionMessageType = 53, OptionServerIdentifier = 54, OptionParameterRequestList = 55,
            OptionRenewalTime = 58, OptionRebindingTime = 59, OptionClientIdentifier = 61, OptionEnd = 255;
        public const ushort ServerPort = 67, ClientPort = 68;

        public byte Operation;
        public uint TransactionId;
        public Ipv4Address ClientAddress;
        public Ipv4Address YourAddress;
        public MacAddress ClientHardware;
        public byte MessageType;
        public Ipv4Address ServerIdentifier;
        /// <summary>The subnet mask as a prefix length, or -1 when absent.</summary>
        public int PrefixLength;
        public Ipv4Address Router;
        public Ipv4Address DnsServer;
        /// <summary>Seconds; 0 when absent; 0xFFFFFFFF is infinite.</summary>
        public uint LeaseSeconds, RenewalSeconds, RebindingSeconds;

        /// <summary>Parses a message from a server (Invalid when malformed, not a reply, or its mask not contiguous).</summary>
        public static Error Parse(byte* data, int length, out DhcpMessage message)
        {
            message = default;
            message.PrefixLength = -1;
            if (length < OptionsOffset || NetworkOrder.ReadUInt32(data + FixedLength) != MagicCookie)
                return Error.Invalid;
            message.Operation = data[0];
            if (message.Operation != OperationReply || data[1] != 1 || data[2] != 6)
                return Error.Invalid;
            message.TransactionId = NetworkOrder.ReadUInt32(data + 4);
            message.ClientAddress = Ipv4Address.Read(data + 12);
            message.YourAddress = Ipv4Address.Read(data + 16);
            message.ClientHardware = MacAddress.Read(data + 28);
            int position = OptionsOffset;
            while (position < length)
            {
                byte code = data[position++];
                if (code == OptionPad)
                    continue;
                if (code == OptionEnd)
                    break;
                if (position >= length)
                    return Error.Invalid;
                int optionLength = data[position++];
                if (optionLength > length - position)
                    return Error.Invalid;
                byte* value = data + position;
                position += optionLength;
                switch (code)
                {
                    case OptionMessageType:
                        if (optionLength != 1) return Error.Invalid;
                        message.MessageType = value[0];
                        break;
                    case OptionServerIdentifier:
                        if (optionLength != 4) return Error.Invalid;
                        message.ServerIdentifier = Ipv4Address.Read(value);
                        break;
                    case OptionSubnetMask:
                        if (optionLength != 4) return Error.Invalid;
                        message.PrefixLength = PrefixOf(NetworkOrder.ReadUInt32(value));
                        if (message.PrefixLength < 0) return Error.Invalid;
                        break;
                    case OptionRouter:
                        // A list of routers, the preferred first.
                        if (optionLength < 4 || optionLength % 4 != 0) return Error.Invalid;
                        message.Router = Ipv4Address.Read(value);
                        break;
                    case OptionDnsServer:
                        if (optionLength < 4 || optionLength % 4 != 0) return Error.Invalid;
                        message.DnsServer = Ipv4Address.Read(value);
                        break;
                    case OptionLeaseTime:
                        if (optionLength != 4) return Error.Invalid;
                        message.LeaseSeconds = NetworkOrder.ReadUInt32(value);
                        break;
                    case OptionRenewalTime:
                        if (optionLength != 4) return Error.Invalid;
                        message.RenewalSeconds = NetworkOrder.ReadUInt32(value);
                        break;
                    case OptionRebindingTime:
                        if (optionLength != 4) return Error.Invalid;
                        message.RebindingSeconds = NetworkOrder.ReadUInt32(value);
                        break;
                }
            }
            return message.MessageType == 0 ? Error.Invalid : Error.None;
        }

        /// <summary>The prefix length of a contiguous mask, or -1.</summary>
        public static int PrefixOf(uint mask)
        {
            int prefix = 0;
            while (prefix < 32 && (mask & (0x80000000u >> prefix)) != 0)
                prefix++;
            return mask == Ipv4Address.PrefixMask(prefix) ? prefix : -1;
        }

        /// <summary>
        /// Builds a client message into 'buffer' (at least <see cref="MaximumSentLength"/> bytes) and returns its length:
        /// 'clientAddress' is ciaddr (renewing), 'requested' and 'server' are options 50 and 54 when not Any.
        /// </summary>
        public static int Build(byte* buffer, byte messageType, uint transactionId, MacAddress hardware, Ipv4Address clientAddress,
            Ipv4Address requested, Ipv4Address server, bool broadcastReply)
        {
            PacketBytes.Zero(buffer, MaximumSentLength);
            buffer[0] = OperationRequest;
            buffer[1] = 1;   // Ethernet
            buffer[2] = 6;
            NetworkOrder.WriteUInt32(buffer + 4, transactionId);
            NetworkOrder.WriteUInt16(buffer + 10, broadcastReply ? FlagBroadcast : (ushort)0);
            clientAddress.Write(buffer + 12);
            hardware.Write(buffer + 28);
            NetworkOrder.WriteUInt32(buffer + FixedLength, MagicCookie);
            byte* p = buffer + OptionsOffset;
            *p++ = OptionMessageType; *p++ = 1; *p++ = messageType;
            *p++ = OptionClientIdentifier; *p++ = 7; *p++ = 1; hardware.Write(p); p += 6;
            if (!requested.IsAny)
            {
                *p++ = OptionRequestedAddress; *p++ = 4; requested.Write(p); p += 4;
            }
            if (!server.IsAny)
            {
                *p++ = OptionServerIdentifier; *p++ = 4; server.Write(p); p += 4;
            }
            *p++ = OptionParameterRequestList; *p++ = 4;
            *p++ = OptionSubnetMask; *p++ = OptionRouter; *p++ = OptionDnsServer; *p++ = OptionLeaseTime;
            *p++ = OptionEnd;
            int length = (int)(p - buffer);
            return length < MinimumSentLength ? MinimumSentLength : length;
        }
    }
}
