namespace Exo.Network
{
    /// <summary>
    /// Builds outgoing TCP headers: the fixed 20 bytes, the SYN options (MSS, window scale, SACK permitted) or SACK
    /// blocks, padded to a multiple of 4 with NOPs, and the checksum over the pseudo-header, header and payload.
    /// </summary>
    public static unsafe class TcpSegmentWriter
    {
        /// <summary>Bytes the SYN options take: MSS (4), NOP + window scale (4), NOP + NOP + SACK permitted (4).</summary>
        public const int SynOptionsLength = 12;

        /// <summary>Bytes 'blocks' SACK blocks take with their two NOPs.</summary>
        public static int SackOptionLength(int blocks) => blocks == 0 ? 0 : 4 + 8 * blocks;

        /// <summary>
        /// Writes the header at 'header' (room for MaximumHeaderLength bytes) and returns its length. 'windowScale'
        /// below 0 leaves the option out; 'maximumSegmentSize' 0 leaves MSS out; SYN options go only with SYN.
        /// </summary>
        public static int WriteHeader(byte* header, ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment,
            byte flags, ushort window, int maximumSegmentSize, int windowScale, bool sackPermitted,
            uint* sackLeft, uint* sackRight, int sackBlocks)
        {
            int length = TcpLimits.HeaderLength;
            byte* options = header + TcpLimits.HeaderLength;
            if ((flags & TcpFlags.Synchronize) != 0)
            {
                if (maximumSegmentSize > 0)
                {
                    options[0] = TcpSegment.OptionMaximumSegmentSize;
                    options[1] = 4;
                    NetworkOrder.WriteUInt16(options + 2, (ushort)(maximumSegmentSize > 0xFFFF ? 0xFFFF : maximumSegmentSize));
                    options += 4;
                    length += 4;
                }
                if (windowScale >= 0)
                {
                    options[0] = TcpSegment.OptionNoOperation;
                    options[1] = TcpSegment.OptionWindowScale;
                    options[2] = 3;
                    options[3] = (byte)windowScale;
                    options += 4;
                    length += 4;
                }
                if (sackPermitted)
                {
                    options[0] = TcpSegment.OptionNoOperation;
                    options[1] = TcpSegment.OptionNoOperation;
                    options[2] = TcpSegment.OptionSackPermitted;
                    options[3] = 2;
                    options += 4;
                    length += 4;
                }
            }
            else if (sackBlocks > 0)
            {
                if (sackBlocks > TcpLimits.MaximumSackBlocks)
                    sackBlocks = TcpLimits.MaximumSackBlocks;
                options[0] = TcpSegment.OptionNoOperation;
                options[1] = TcpSegment.OptionNoOperation;
                options[2] = TcpSegment.OptionSack;
                options[3] = (byte)(2 + 8 * sackBlocks);
                for (int b = 0; b < sackBlocks; b++)
                {
                    NetworkOrder.WriteUInt32(options + 4 + 8 * b, sackLeft[b]);
                    NetworkOrder.WriteUInt32(options + 8 + 8 * b, sackRight[b]);
                }
                length += SackOptionLength(sackBlocks);
            }
            NetworkOrder.WriteUInt16(header, sourcePort);
            NetworkOrder.WriteUInt16(header + 2, destinationPort);
            NetworkOrder.WriteUInt32(header + 4, sequence);
            NetworkOrder.WriteUInt32(header + 8, acknowledgment);
            header[12] = (byte)(length / 4 << 4);
            header[13] = flags;
            NetworkOrder.WriteUInt16(header + 14, window);
            header[16] = 0;
            header[17] = 0;
            header[18] = 0;
            header[19] = 0;
            return length;
        }

        /// <summary>Fills the checksum of the 'length'-byte segment at 'segment' (header then payload, contiguous); 0 for a
        /// segment that stays in this host ('local': IIpTransmitter.IsLocal), whose receiver does not check it.</summary>
        public static void WriteChecksum(byte* segment, int length, Ipv4Address source, Ipv4Address destination, bool local = false)
        {
            segment[16] = 0;
            segment[17] = 0;
            if (local)
                return;
            ulong sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Tcp, length);
            NetworkOrder.WriteUInt16(segment + 16, InternetChecksum.Finish(InternetChecksum.Add(sum, segment, length)));
        }

        /// <summary>Whether a received segment's checksum (pseudo-header included) is right.</summary>
        public static bool ChecksumValid(byte* segment, int length, Ipv4Address source, Ipv4Address destination)
        {
            ulong sum = InternetChecksum.AddPseudoHeader(0, source, destination, IpProtocol.Tcp, length);
            return InternetChecksum.Finish(InternetChecksum.Add(sum, segment, length)) == 0;
        }
    }
}
