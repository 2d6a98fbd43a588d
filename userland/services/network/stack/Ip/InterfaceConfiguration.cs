namespace Exo.Network
{
    /// <summary>The interface's IPv4 configuration, static or from DHCP: address and prefix, default gateway, DNS server.</summary>
    public struct InterfaceConfiguration
    {
        public Ipv4Address Address;
        public int PrefixLength;
        /// <summary>Any when there is no default route.</summary>
        public Ipv4Address Gateway;
        /// <summary>Any when no DNS server is known.</summary>
        public Ipv4Address DnsServer;

        public InterfaceConfiguration(Ipv4Address address, int prefixLength, Ipv4Address gateway, Ipv4Address dnsServer)
        {
            Address = address;
            PrefixLength = prefixLength;
            Gateway = gateway;
            DnsServer = dnsServer;
        }

        public bool IsConfigured => !Address.IsAny;

        /// <summary>The subnet's directed broadcast address (none on /31 and /32 links: Any).</summary>
        public Ipv4Address SubnetBroadcast =>
            PrefixLength >= 31 || !IsConfigured ? Ipv4Address.Any : new Ipv4Address(Address.Value | ~Ipv4Address.PrefixMask(PrefixLength));

        /// <summary>Whether a configuration is one the stack can use (a unicast address, a prefix of 1 to 32, a gateway on the subnet).</summary>
        public bool IsValid =>
            !IsConfigured
            || (PrefixLength >= 1 && PrefixLength <= 32 && !Address.IsMulticast && !Address.IsLimitedBroadcast && !Address.IsLoopback
                && (Gateway.IsAny || Gateway.SameNetwork(Address, PrefixLength)));
    }
}
