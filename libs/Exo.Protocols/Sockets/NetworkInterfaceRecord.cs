namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// One network interface as the service describes it (<see cref="SocketOperation.Interfaces"/>), <see cref="Length"/>
    /// bytes, little endian, addresses in host order: 0 name (16 bytes: lower-case letters and digits, zero-padded) |
    /// 16 index u32 | 20 flags u32 (Linux's IFF_*) | 24 MTU u32 | 28 hardware type u16 (ARPHRD_*) | 30 hardware address
    /// (6 bytes) | 36 address u32 | 40 prefix length u8 | 41 zero (3) | 44 gateway u32 (0: no default route through it) |
    /// 48 DNS server u32 (0: none) | 52 zero u32 | 56 the counters, u64 each: received bytes, packets, errors, drops, then
    /// sent bytes, packets, errors, drops (Linux's rx_bytes... tx_dropped) | 120 zero u64.
    /// </summary>
    public unsafe struct NetworkInterfaceRecord
    {
        public const int Length = 128;
        public const int NameLength = 16;
        /// <summary>Interfaces one answer describes (the data slot would hold far more; a host has lo and a card or two).</summary>
        public const int MaximumInterfaces = 4;
        private const int CountersOffset = 56, ReservedOffset = 120;
        public const uint FlagUp = 0x1, FlagBroadcast = 0x2, FlagLoopback = 0x8, FlagRunning = 0x40, FlagMulticast = 0x1000;
        public const uint KnownFlags = FlagUp | FlagBroadcast | FlagLoopback | FlagRunning | FlagMulticast;
        public const ushort HardwareEthernet = 1, HardwareLoopback = 772;
        public const int MaximumMtu = 65536;

        public fixed byte Name[NameLength];
        public uint Index;
        public uint Flags;
        public uint Mtu;
        public ushort HardwareType;
        public fixed byte HardwareAddress[6];
        public uint Address;
        public byte PrefixLength;
        public uint Gateway;
        public uint DnsServer;
        public ulong ReceivedBytes, ReceivedPackets, ReceiveErrors, ReceiveDrops;
        public ulong SentBytes, SentPackets, SendErrors, SendDrops;

        /// <summary>The name's length (up to the first zero), or -1 when it is not a well-formed name.</summary>
        public int NameLengthOrInvalid()
        {
            int length = 0;
            while (length < NameLength && Name[length] != 0)
            {
                byte c = Name[length];
                if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'))
                    return -1;
                length++;
            }
            // One zero at least ends it, and nothing follows the zero.
            if (length == 0 || length == NameLength)
                return -1;
            for (int i = length; i < NameLength; i++)
                if (Name[i] != 0)
                    return -1;
            return length;
        }

        public void SetName(string name)
        {
            for (int i = 0; i < NameLength; i++)
                Name[i] = i < name.Length ? (byte)name[i] : (byte)0;
        }

        public void SetHardwareAddress(byte* address)
        {
            for (int i = 0; i < 6; i++)
                HardwareAddress[i] = address[i];
        }

        public SocketMessageProblem Check()
        {
            if (NameLengthOrInvalid() < 0)
                return SocketMessageProblem.BadField;
            if (Index == 0 || (Flags & ~KnownFlags) != 0 || Mtu == 0 || Mtu > MaximumMtu || PrefixLength > 32)
                return SocketMessageProblem.BadField;
            if (HardwareType != HardwareEthernet && HardwareType != HardwareLoopback)
                return SocketMessageProblem.BadField;
            return SocketMessageProblem.None;
        }

        public bool Encode(byte* buffer)
        {
            if (Check() != SocketMessageProblem.None)
                return false;
            for (int i = 0; i < NameLength; i++)
                buffer[i] = Name[i];
            *(uint*)(buffer + 16) = Index;
            *(uint*)(buffer + 20) = Flags;
            *(uint*)(buffer + 24) = Mtu;
            *(ushort*)(buffer + 28) = HardwareType;
            for (int i = 0; i < 6; i++)
                buffer[30 + i] = HardwareAddress[i];
            *(uint*)(buffer + 36) = Address;
            *(uint*)(buffer + 40) = PrefixLength;
            *(uint*)(buffer + 44) = Gateway;
            *(uint*)(buffer + 48) = DnsServer;
            *(uint*)(buffer + 52) = 0;
            ulong* counters = (ulong*)(buffer + CountersOffset);
            counters[0] = ReceivedBytes; counters[1] = ReceivedPackets; counters[2] = ReceiveErrors; counters[3] = ReceiveDrops;
            counters[4] = SentBytes; counters[5] = SentPackets; counters[6] = SendErrors; counters[7] = SendDrops;
            *(ulong*)(buffer + ReservedOffset) = 0;
            return true;
        }

        /// <summary>Reads a record the peer wrote (copy it first: the peer may change it meanwhile).</summary>
        public static SocketMessageProblem Decode(byte* buffer, out NetworkInterfaceRecord record)
        {
            record = default;
            if (*(uint*)(buffer + 40) > 32 || *(uint*)(buffer + 52) != 0 || *(ulong*)(buffer + ReservedOffset) != 0)
                return SocketMessageProblem.BadField;
            for (int i = 0; i < NameLength; i++)
                record.Name[i] = buffer[i];
            record.Index = *(uint*)(buffer + 16);
            record.Flags = *(uint*)(buffer + 20);
            record.Mtu = *(uint*)(buffer + 24);
            record.HardwareType = *(ushort*)(buffer + 28);
            for (int i = 0; i < 6; i++)
                record.HardwareAddress[i] = buffer[30 + i];
            record.Address = *(uint*)(buffer + 36);
            record.PrefixLength = buffer[40];
            record.Gateway = *(uint*)(buffer + 44);
            record.DnsServer = *(uint*)(buffer + 48);
            ulong* counters = (ulong*)(buffer + CountersOffset);
            record.ReceivedBytes = counters[0]; record.ReceivedPackets = counters[1]; record.ReceiveErrors = counters[2]; record.ReceiveDrops = counters[3];
            record.SentBytes = counters[4]; record.SentPackets = counters[5]; record.SendErrors = counters[6]; record.SendDrops = counters[7];
            return record.Check();
        }
    }
}
