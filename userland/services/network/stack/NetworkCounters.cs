namespace Exo.Network
{
    /// <summary>The stack's counters (frames in and out, drops by reason), shared by every layer; a /proc file lists them by name.</summary>
    public sealed unsafe class NetworkCounters
    {
        private readonly long* _values;

        public NetworkCounters(long* values) { _values = values; }

        public static int WorkspaceBytes => (int)NetworkCounter.Count * sizeof(long);

        public long this[NetworkCounter counter] =>
            counter >= 0 && counter < NetworkCounter.Count ? _values[(int)counter] : 0;

        public void Increment(NetworkCounter counter) => Add(counter, 1);

        public void Add(NetworkCounter counter, long amount)
        {
            if (counter >= 0 && counter < NetworkCounter.Count)
                _values[(int)counter] += amount;
        }

        /// <summary>The sum of every drop counter's value (the fuzzer checks that malformed input was counted somewhere).</summary>
        public long TotalDrops
        {
            get
            {
                long total = 0;
                for (var c = NetworkCounter.DropShortFrame; c < NetworkCounter.Count; c++)
                    if (IsDrop(c))
                        total += _values[(int)c];
                return total;
            }
        }

        /// <summary>Whether the counter counts something dropped (the ranges follow NetworkCounter's order: keep drops together there).</summary>
        public static bool IsDrop(NetworkCounter counter) =>
            counter == NetworkCounter.DropShortFrame || counter == NetworkCounter.DropNotOurMac || counter == NetworkCounter.DropUnknownEtherType
            || counter == NetworkCounter.DropInterfaceDown
            || counter == NetworkCounter.ArpMalformed || counter == NetworkCounter.ArpQueueOverflow || counter == NetworkCounter.ArpQueuedDropped
            || (counter >= NetworkCounter.IpDropHeader && counter <= NetworkCounter.IpDropUnknownProtocol)
            || (counter >= NetworkCounter.IpReassemblyOverlap && counter <= NetworkCounter.LoopbackOverflow)
            || counter == NetworkCounter.IcmpDropMalformed || counter == NetworkCounter.IcmpDropChecksum || counter == NetworkCounter.IcmpEchoReplyQueueFull
            || counter == NetworkCounter.IcmpErrorsRateLimited || counter == NetworkCounter.IcmpRawDropQueueFull
            || (counter >= NetworkCounter.UdpDropMalformed && counter <= NetworkCounter.DnsMalformed);

        /// <summary>
        /// Writes every counter as a "name value" line (the /proc file's text) into 'buffer' and returns the length
        /// written; stops before a line that would not fit whole.
        /// </summary>
        public int Format(byte* buffer, int capacity)
        {
            byte* digits = stackalloc byte[20];
            int length = 0;
            for (var counter = (NetworkCounter)0; counter < NetworkCounter.Count; counter++)
            {
                string name = Name(counter);
                ulong value = (ulong)_values[(int)counter];
                int digitCount = 0;
                do
                {
                    digits[digitCount++] = (byte)('0' + value % 10);
                    value /= 10;
                } while (value != 0);
                if (length + name.Length + 1 + digitCount + 1 > capacity)
                    break;
                for (int i = 0; i < name.Length; i++)
                    buffer[length++] = (byte)name[i];
                buffer[length++] = (byte)' ';
                while (digitCount > 0)
                    buffer[length++] = digits[--digitCount];
                buffer[length++] = (byte)'\n';
            }
            return length;
        }

        /// <summary>The counter's name as the /proc file prints it.</summary>
        public static string Name(NetworkCounter counter)
        {
            switch (counter)
            {
                case NetworkCounter.FramesReceived: return "frames_received";
                case NetworkCounter.FramesSent: return "frames_sent";
                case NetworkCounter.FramesTransmitFailed: return "frames_transmit_failed";
                case NetworkCounter.BytesReceived: return "bytes_received";
                case NetworkCounter.BytesSent: return "bytes_sent";
                case NetworkCounter.DropShortFrame: return "drop_short_frame";
                case NetworkCounter.DropNotOurMac: return "drop_not_our_mac";
                case NetworkCounter.DropUnknownEtherType: return "drop_unknown_ethertype";
                case NetworkCounter.DropInterfaceDown: return "drop_interface_down";
                case NetworkCounter.ArpMalformed: return "arp_malformed";
                case NetworkCounter.ArpRepliesSent: return "arp_replies_sent";
                case NetworkCounter.ArpRequestsSent: return "arp_requests_sent";
                case NetworkCounter.ArpCacheUpdates: return "arp_cache_updates";
                case NetworkCounter.ArpResolutionFailures: return "arp_resolution_failures";
                case NetworkCounter.ArpQueueOverflow: return "arp_queue_overflow";
                case NetworkCounter.ArpQueuedDropped: return "arp_queued_dropped";
                case NetworkCounter.IpReceived: return "ip_received";
                case NetworkCounter.IpDelivered: return "ip_delivered";
                case NetworkCounter.IpSent: return "ip_sent";
                case NetworkCounter.IpDropHeader: return "ip_drop_header";
                case NetworkCounter.IpDropChecksum: return "ip_drop_checksum";
                case NetworkCounter.IpDropLength: return "ip_drop_length";
                case NetworkCounter.IpDropTimeToLive: return "ip_drop_ttl";
                case NetworkCounter.IpDropNotForUs: return "ip_drop_not_for_us";
                case NetworkCounter.IpDropMartianSource: return "ip_drop_martian_source";
                case NetworkCounter.IpDropUnknownProtocol: return "ip_drop_unknown_protocol";
                case NetworkCounter.IpFragmentsSent: return "ip_fragments_sent";
                case NetworkCounter.IpFragmentsReceived: return "ip_fragments_received";
                case NetworkCounter.IpReassembled: return "ip_reassembled";
                case NetworkCounter.IpReassemblyOverlap: return "ip_reassembly_overlap";
                case NetworkCounter.IpReassemblyTimeout: return "ip_reassembly_timeout";
                case NetworkCounter.IpReassemblyNoSlot: return "ip_reassembly_no_slot";
                case NetworkCounter.IpReassemblyBudget: return "ip_reassembly_budget";
                case NetworkCounter.IpReassemblyTooLarge: return "ip_reassembly_too_large";
                case NetworkCounter.LoopbackOverflow: return "loopback_overflow";
                case NetworkCounter.LoopbackDatagrams: return "loopback_datagrams";
                case NetworkCounter.LoopbackBytes: return "loopback_bytes";
                case NetworkCounter.IcmpReceived: return "icmp_received";
                case NetworkCounter.IcmpDropMalformed: return "icmp_drop_malformed";
                case NetworkCounter.IcmpDropChecksum: return "icmp_drop_checksum";
                case NetworkCounter.IcmpEchoRepliesSent: return "icmp_echo_replies_sent";
                case NetworkCounter.IcmpEchoRequestsSent: return "icmp_echo_requests_sent";
                case NetworkCounter.IcmpEchoRepliesReceived: return "icmp_echo_replies_received";
                case NetworkCounter.IcmpEchoReplyQueueFull: return "icmp_echo_reply_queue_full";
                case NetworkCounter.IcmpErrorsSent: return "icmp_errors_sent";
                case NetworkCounter.IcmpErrorsRateLimited: return "icmp_errors_rate_limited";
                case NetworkCounter.IcmpErrorsReceived: return "icmp_errors_received";
                case NetworkCounter.IcmpRawDropQueueFull: return "icmp_raw_drop_queue_full";
                case NetworkCounter.UdpReceived: return "udp_received";
                case NetworkCounter.UdpSent: return "udp_sent";
                case NetworkCounter.UdpDropMalformed: return "udp_drop_malformed";
                case NetworkCounter.UdpDropChecksum: return "udp_drop_checksum";
                case NetworkCounter.UdpDropNoSocket: return "udp_drop_no_socket";
                case NetworkCounter.UdpDropQueueFull: return "udp_drop_queue_full";
                case NetworkCounter.DhcpMalformed: return "dhcp_malformed";
                case NetworkCounter.DnsMalformed: return "dns_malformed";
                default: return "unknown";
            }
        }
    }
}
