using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// The routes added by hand (route add, ip route add) besides the interface's subnet and its default route: a destination
    /// prefix and a gateway on the subnet (Any: the destination is on the link). At most <see cref="MaximumRoutes"/>; the
    /// longest prefix wins.
    /// </summary>
    public sealed class StaticRoutes
    {
        public const int MaximumRoutes = 8;

        private readonly Ipv4Address[] _destinations = new Ipv4Address[MaximumRoutes];
        private readonly int[] _prefixLengths = new int[MaximumRoutes];
        private readonly Ipv4Address[] _gateways = new Ipv4Address[MaximumRoutes];
        private int _count;

        public int Count => _count;

        public void Get(int index, out Ipv4Address destination, out int prefixLength, out Ipv4Address gateway)
        {
            destination = _destinations[index];
            prefixLength = _prefixLengths[index];
            gateway = _gateways[index];
        }

        /// <summary>AlreadyExists for the same destination and prefix; NoBufferSpace when the table is full.</summary>
        public Error Add(Ipv4Address destination, int prefixLength, Ipv4Address gateway)
        {
            if (Find(destination, prefixLength, Ipv4Address.Any) >= 0)
                return Error.AlreadyExists;
            if (_count == MaximumRoutes)
                return Error.NoBufferSpace;
            _destinations[_count] = destination;
            _prefixLengths[_count] = prefixLength;
            _gateways[_count] = gateway;
            _count++;
            return Error.None;
        }

        /// <summary>Removes the route (gateway Any: whatever its gateway); NoSuchProcess when there is none (Linux's ESRCH).</summary>
        public Error Delete(Ipv4Address destination, int prefixLength, Ipv4Address gateway)
        {
            int index = Find(destination, prefixLength, gateway);
            if (index < 0)
                return Error.NoSuchProcess;
            RemoveAt(index);
            return Error.None;
        }

        public void Clear() => _count = 0;

        /// <summary>Drops the routes whose gateway is not on 'address'/'prefixLength' any more (the address changed).</summary>
        public void KeepReachable(Ipv4Address address, int prefixLength)
        {
            for (int i = _count - 1; i >= 0; i--)
                if (!_gateways[i].IsAny && (address.IsAny || !_gateways[i].SameNetwork(address, prefixLength)))
                    RemoveAt(i);
        }

        /// <summary>The longest route holding 'destination' longer than 'atLeast' bits: its prefix length and next hop; -1 when none.</summary>
        public int Lookup(Ipv4Address destination, int atLeast, out Ipv4Address nextHop)
        {
            nextHop = destination;
            int best = -1;
            for (int i = 0; i < _count; i++)
                if (_prefixLengths[i] > atLeast && _prefixLengths[i] > best && destination.SameNetwork(_destinations[i], _prefixLengths[i]))
                {
                    best = _prefixLengths[i];
                    nextHop = _gateways[i].IsAny ? destination : _gateways[i];
                }
            return best;
        }

        private int Find(Ipv4Address destination, int prefixLength, Ipv4Address gateway)
        {
            for (int i = 0; i < _count; i++)
                if (_destinations[i] == destination && _prefixLengths[i] == prefixLength && (gateway.IsAny || _gateways[i] == gateway))
                    return i;
            return -1;
        }

        private void RemoveAt(int index)
        {
            for (int j = index; j < _count - 1; j++)
            {
                _destinations[j] = _destinations[j + 1];
                _prefixLengths[j] = _prefixLengths[j + 1];
                _gateways[j] = _gateways[j + 1];
            }
            _count--;
        }
    }
}
