using Exo.Abi;

namespace Exo.Network
{
    /// <summary>
    /// A stub resolver: A queries for names, sent over UDP to the interface's DNS server (from DHCP or the static
    /// configuration), each sent again after <see cref="TimeoutMilliseconds"/> and given up after
    /// <see cref="MaximumAttempts"/> sends. At most <see cref="MaximumQueries"/> are under way; an answer counts only
    /// from the server's port 53 with the query's random id and question. The socket is connected to the server, so
    /// an ICMP port or host unreachable fails the pending queries at once (ConnectionRefused, HostUnreachable).
    /// </summary>
    public sealed unsafe class DnsResolver : INetworkTimer
    {
        public const int MaximumQueries = 4;
        public const long TimeoutMilliseconds = 2_000;
        public const int MaximumAttempts = 3;
        public const ushort ServerPort = 53;

        private struct Query
        {
            public DnsQueryState State;
            public ushort Id;
            public int Attempts;
            public long Deadline;
            public int NameLength;
            public Error Result;
            public Ipv4Address Address;
            public uint TimeToLive;
        }

        private readonly UdpProtocol _udp;
        private readonly Ipv4Layer _ip;
        private readonly IMonotonicClock _clock;
        private readonly NetworkCounters _counters;
        private readonly NetworkRandom _random;
        private readonly Query[] _queries = new Query[MaximumQueries];
        private readonly byte* _names;
        private readonly byte* _message;
        private readonly byte* _query;
        private readonly byte* _parseWorkspace;
        private int _socket = -1;

        public DnsResolver(Ipv4Layer ip, UdpProtocol udp, IMonotonicClock clock, NetworkCounters counters, NetworkRandom random, ref Workspace workspace)
        {
            _ip = ip;
            _udp = udp;
            _clock = clock;
            _counters = counters;
            _random = random;
            _names = workspace.Take(MaximumQueries * DnsMessage.MaximumNameLength);
            _message = workspace.Take(DnsMessage.MaximumUdpMessage);
            _query = workspace.Take(DnsMessage.MaximumUdpMessage);
            _parseWorkspace = workspace.Take(DnsMessage.ParseWorkspaceBytes);
        }

        /// <summary>Starts resolving 'name' (dotted ASCII); 'query' names it for <see cref="GetResult"/> and <see cref="Release"/>.</summary>
        public Error Start(byte* name, int nameLength, out int query)
        {
            query = -1;
            if (nameLength <= 0 || nameLength > DnsMessage.MaximumNameLength - 2)
                return Error.Invalid;
            if (_ip.Configuration.DnsServer.IsAny)
                return Error.NetworkUnreachable;
            if (DnsMessage.BuildQuery(_query, 0, name, nameLength) < 0)
                return Error.Invalid;
            if (_socket < 0)
            {
                Error error = _udp.Open(out _socket);
                if (error == Error.None)
                    error = _udp.Bind(_socket, Ipv4Address.Any, 0);
                if (error != Error.None)
                {
                    if (_socket >= 0)
                        _udp.Close(_socket);
                    _socket = -1;
                    return error;
                }
            }
            for (int i = 0; i < MaximumQueries; i++)
                if (_queries[i].State == DnsQueryState.Free)
                {
                    ref Query q = ref _queries[i];
                    q.State = DnsQueryState.Pending;
                    q.Id = (ushort)_random.Next();
                    q.Attempts = 0;
                    q.NameLength = nameLength;
                    q.Result = Error.None;
                    q.Address = Ipv4Address.Any;
                    PacketBytes.Copy(name, _names + i * DnsMessage.MaximumNameLength, nameLength);
                    query = i;
                    Send(i);
                    return Error.None;
                }
            return Error.WouldBlock;
        }

        /// <summary>A query's state; once Resolved, its address and TTL; once Failed, why (NotFound, TimedOut, ConnectionRefused...).</summary>
        public DnsQueryState GetResult(int query, out Ipv4Address address, out uint timeToLive, out Error error)
        {
            address = Ipv4Address.Any;
            timeToLive = 0;
            error = Error.BadHandle;
            if (query < 0 || query >= MaximumQueries)
                return DnsQueryState.Free;
            ref Query q = ref _queries[query];
            address = q.Address;
            timeToLive = q.TimeToLive;
            error = q.Result;
            return q.State;
        }

        public void Release(int query)
        {
            if (query >= 0 && query < MaximumQueries)
                _queries[query].State = DnsQueryState.Free;
        }

        public long NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                for (int i = 0; i < MaximumQueries; i++)
                    if (_queries[i].State == DnsQueryState.Pending && _queries[i].Deadline < next)
                        next = _queries[i].Deadline;
                return next;
            }
        }

        public void Tick(long now)
        {
            ReceivePending();
            for (int i = 0; i < MaximumQueries; i++)
            {
                ref Query q = ref _queries[i];
                if (q.State != DnsQueryState.Pending || now < q.Deadline)
                    continue;
                if (q.Attempts >= MaximumAttempts)
                    Fail(i, Error.TimedOut);
                else
                    Send(i);
            }
        }

        /// <summary>Matches whatever answers arrived with their queries (the stack calls this after each frame).</summary>
        public void ReceivePending()
        {
            if (_socket < 0)
                return;
            while (true)
            {
                Error error = _udp.ReceiveFrom(_socket, _message, DnsMessage.MaximumUdpMessage, out int length, out int whole, out Ipv4Address source, out ushort port);
                if (error == Error.WouldBlock || error == Error.BadHandle || error == Error.Invalid)
                    return;
                if (error != Error.None)
                {
                    // The server's port or host is unreachable (ICMP, or ARP gave up): every query to it fails now.
                    for (int i = 0; i < MaximumQueries; i++)
                        if (_queries[i].State == DnsQueryState.Pending)
                            Fail(i, error);
                    continue;
                }
                if (port != ServerPort || source != _ip.Configuration.DnsServer || length < DnsMessage.HeaderLength)
                {
                    _counters.Increment(NetworkCounter.DnsMalformed);
                    continue;
                }
                ushort id = NetworkOrder.ReadUInt16(_message);
                for (int i = 0; i < MaximumQueries; i++)
                {
                    ref Query q = ref _queries[i];
                    if (q.State != DnsQueryState.Pending || q.Id != id)
                        continue;
                    int queryLength = DnsMessage.BuildQuery(_query, q.Id, _names + i * DnsMessage.MaximumNameLength, q.NameLength);
                    error = whole > length ? Error.InputOutput
                        : DnsMessage.ParseAddress(_message, length, id, _parseWorkspace, out q.Address, out q.TimeToLive, _query, queryLength);
                    if (error == Error.Invalid)
                    {
                        // Malformed or not our question: keep waiting for the real answer.
                        _counters.Increment(NetworkCounter.DnsMalformed);
                        break;
                    }
                    if (error == Error.None)
                        q.State = DnsQueryState.Resolved;
                    else
                        Fail(i, error);
                    break;
                }
            }
        }

        private void Send(int index)
        {
            ref Query q = ref _queries[index];
            q.Attempts++;
            q.Deadline = _clock.NowMilliseconds + TimeoutMilliseconds;
            int length = DnsMessage.BuildQuery(_query, q.Id, _names + index * DnsMessage.MaximumNameLength, q.NameLength);
            // Connected to the current server (DHCP may have changed it): only its answers come in, and its ICMP port
            // unreachable fails the queries at once instead of after every retry.
            Error error = _udp.Connect(_socket, _ip.Configuration.DnsServer, ServerPort);
            if (error == Error.None)
                error = _udp.Send(_socket, _query, length);
            if (error != Error.None && error != Error.NoBufferSpace)
                Fail(index, error);
        }

        private void Fail(int index, Error error)
        {
            _queries[index].State = DnsQueryState.Failed;
            _queries[index].Result = error;
        }
    }
}
