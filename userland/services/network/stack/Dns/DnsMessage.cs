using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// DNS messages (RFC 1035 4): an A query for a name, and its answer's address found through any CNAME chain.
    /// Every read is checked against the message's length; compressed names may only point backward (so no loop)
    /// and follow at most <see cref="MaximumPointerJumps"/> pointers; names are at most 255 bytes.
    /// </summary>
    public static unsafe class DnsMessage
    {
        public const int HeaderLength = 12;
        /// <summary>A UDP DNS message's classic limit (RFC 1035 2.3.4); longer answers set TC and need TCP.</summary>
        public const int MaximumUdpMessage = 512;
        public const int MaximumNameLength = 255;
        public const int MaximumLabelLength = 63;
        public const int MaximumPointerJumps = 16;
        public const int MaximumCnameChain = 8;
        public const ushort TypeA = 1, TypeCname = 5, ClassInternet = 1;
        public const ushort FlagResponse = 0x8000, FlagTruncated = 0x0200, FlagRecursionDesired = 0x0100;
        public const int ResponseCodeNameError = 3;

        /// <summary>
        /// Builds a recursive A query for 'name' (dotted ASCII, an optional final dot) into 'buffer'
        /// (<see cref="MaximumUdpMessage"/> bytes); returns its length, or -1 when the name is not a valid one.
        /// </summary>
        public static int BuildQuery(byte* buffer, ushort id, byte* name, int nameLength)
        {
            if (nameLength > 0 && name[nameLength - 1] == (byte)'.')
                nameLength--;
            if (nameLength <= 0 || nameLength > MaximumNameLength - 2)
                return -1;
            NetworkOrder.WriteUInt16(buffer, id);
            NetworkOrder.WriteUInt16(buffer + 2, FlagRecursionDesired);
            NetworkOrder.WriteUInt16(buffer + 4, 1);
            NetworkOrder.WriteUInt16(buffer + 6, 0);
            NetworkOrder.WriteUInt16(buffer + 8, 0);
            NetworkOrder.WriteUInt16(buffer + 10, 0);
            int position = HeaderLength;
            int labelStart = 0;
            for (int i = 0; i <= nameLength; i++)
            {
                if (i < nameLength && name[i] != (byte)'.')
                {
                    if (name[i] == 0)
                        return -1;
                    continue;
                }
                int labelLength = i - labelStart;
                if (labelLength == 0 || labelLength > MaximumLabelLength)
                    return -1;
                buffer[position++] = (byte)labelLength;
                PacketBytes.Copy(name + labelStart, buffer + position, labelLength);
                position += labelLength;
                labelStart = i + 1;
            }
            buffer[position++] = 0;
            NetworkOrder.WriteUInt16(buffer + position, TypeA);
            NetworkOrder.WriteUInt16(buffer + position + 2, ClassInternet);
            return position + 4;
        }

        /// <summary>
        /// Reads the (possibly compressed) name at 'offset' into 'output' as wire-format labels, lowercased, ending with
        /// the zero label (at most <see cref="MaximumNameLength"/> bytes); 'next' is where the name ends in the message.
        /// False when it is malformed: past the end, a forward or self pointer, too many jumps, too long, a reserved label type.
        /// </summary>
        public static bool ReadName(byte* message, int length, int offset, byte* output, out int outputLength, out int next)
        {
            outputLength = 0;
            next = -1;
            int position = offset;
            int jumps = 0;
            int lowestPointerTarget = offset;   // a pointer must go before every place already read
            while (true)
            {
                if (position < 0 || position >= length)
                    return false;
                int label = message[position];
                if ((label & 0xC0) == 0xC0)
                {
                    if (position + 1 >= length || ++jumps > MaximumPointerJumps)
                        return false;
                    int target = (label & 0x3F) << 8 | message[position + 1];
                    if (next < 0)
                        next = position + 2;
                    if (target >= lowestPointerTarget)
                        return false;
                    lowestPointerTarget = target;
                    position = target;
                    continue;
                }
                if ((label & 0xC0) != 0)
                    return false;
                if (outputLength + 1 + label > MaximumNameLength)
                    return false;
                output[outputLength++] = (byte)label;
                if (label == 0)
                {
                    if (next < 0)
                        next = position + 1;
                    return true;
                }
                if (position + 1 + label > length)
                    return false;
                for (int i = 0; i < label; i++)
                {
                    byte c = message[position + 1 + i];
                    output[outputLength++] = c >= (byte)'A' && c <= (byte)'Z' ? (byte)(c + 32) : c;
                }
                position += 1 + label;
            }
        }

        /// <summary>
        /// Finds the IPv4 address an answer gives for its question (the query 'id'), following CNAME records. NotFound
        /// for NXDOMAIN or an answer without an address; InputOutput for a server failure or a truncated answer;
        /// Invalid for anything malformed or not matching the query. 'query' (the message this answers, from
        /// <see cref="BuildQuery"/>), when not null, must ask the same name (RFC 5452: an id alone is easy to guess).
        /// </summary>
        public static Error ParseAddress(byte* message, int length, ushort id, byte* workspace, out Ipv4Address address, out uint timeToLive,
            byte* query = null, int queryLength = 0)
        {
            address = Ipv4Address.Any;
            timeToLive = 0;
            if (length < HeaderLength || length > ushort.MaxValue)
                return Error.Invalid;
            ushort flags = NetworkOrder.ReadUInt16(message + 2);
            if (NetworkOrder.ReadUInt16(message) != id || (flags & FlagResponse) == 0 || ((flags >> 11) & 0xF) != 0)
                return Error.Invalid;
            if ((flags & FlagTruncated) != 0)
                return Error.InputOutput;
            int responseCode = flags & 0xF;
            if (responseCode == ResponseCodeNameError)
                return Error.NotFound;
            if (responseCode != 0)
                return Error.InputOutput;
            if (NetworkOrder.ReadUInt16(message + 4) != 1)
                return Error.Invalid;
            int answers = NetworkOrder.ReadUInt16(message + 6);

            // The question: its name is the first target.
            byte* target = workspace;
            byte* owner = workspace + MaximumNameLength + 1;
            if (!ReadName(message, length, HeaderLength, target, out int targetLength, out int position) || position + 4 > length)
                return Error.Invalid;
            if (NetworkOrder.ReadUInt16(message + position) != TypeA || NetworkOrder.ReadUInt16(message + position + 2) != ClassInternet)
                return Error.Invalid;
            if (query != null && !AsksFor(query, queryLength, target, targetLength))
                return Error.Invalid;
            int answersStart = position + 4;

            // Each pass looks for the target's A record, or the CNAME that renames the target (any order in the section).
            for (int chain = 0; chain <= MaximumCnameChain; chain++)
            {
                bool renamed = false;
                position = answersStart;
                for (int i = 0; i < answers; i++)
                {
                    if (!ReadName(message, length, position, owner, out int ownerLength, out position) || position + 10 > length)
                        return Error.Invalid;
                    ushort type = NetworkOrder.ReadUInt16(message + position);
                    ushort recordClass = NetworkOrder.ReadUInt16(message + position + 2);
                    uint ttl = NetworkOrder.ReadUInt32(message + position + 4);
                    int dataLength = NetworkOrder.ReadUInt16(message + position + 8);
                    int data = position + 10;
                    if (dataLength > length - data)
                        return Error.Invalid;
                    position = data + dataLength;
                    if (recordClass != ClassInternet || ownerLength != targetLength || !PacketBytes.Same(owner, target, targetLength))
                        continue;
                    if (type == TypeA)
                    {
                        if (dataLength != 4)
                            return Error.Invalid;
                        address = Ipv4Address.Read(message + data);
                        timeToLive = ttl;
                        return Error.None;
                    }
                    if (type == TypeCname && !renamed)
                    {
                        // The alias's name may be compressed, but never past its record's data.
                        if (!ReadName(message, data + dataLength, data, owner, out ownerLength, out int end) || end != data + dataLength)
                            return Error.Invalid;
                        PacketBytes.Copy(owner, target, ownerLength);
                        targetLength = ownerLength;
                        renamed = true;
                        break;
                    }
                }
                if (!renamed)
                    return Error.NotFound;
            }
            return Error.Invalid;   // a CNAME chain longer than the limit (or a loop of aliases)
        }

        /// <summary>Whether the query's question name (uncompressed, as BuildQuery writes it) is 'name' (lowercased wire labels).</summary>
        private static bool AsksFor(byte* query, int queryLength, byte* name, int nameLength)
        {
            if (queryLength < HeaderLength + nameLength + 4)
                return false;
            for (int i = 0; i < nameLength; i++)
            {
                byte c = query[HeaderLength + i];
                if (c >= (byte)'A' && c <= (byte)'Z')
                    c += 32;
                if (c != name[i])
                    return false;
            }
            return true;
        }

        /// <summary>The workspace ParseAddress needs (two names).</summary>
        public const int ParseWorkspaceBytes = 2 * (MaximumNameLength + 1);
    }
}
