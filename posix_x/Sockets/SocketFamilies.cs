namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// Which address families socket() and socketpair() make: AF_UNIX (UnixSocket), AF_INET (InternetSocket, through
    /// the network service; EAFNOSUPPORT while none runs) and AF_NETLINK's NETLINK_ROUTE (NetlinkSocket, for ip). AF_INET6 is known and not supported yet (EAFNOSUPPORT).
    /// </summary>
    public static class SocketFamilies
    {
        public const int Unspecified = 0, Unix = 1, Internet = 2, Internet6 = 10, Netlink = 16;
        /// <summary>Linux's NPROTO: a larger family is EAFNOSUPPORT before anything else.</summary>
        public const int FamilyLimit = 46;
        /// <summary>Linux's SOCK_MAX: a larger type is EINVAL.</summary>
        public const int TypeLimit = 11;

        /// <summary>socket(): a new socket (a reference for the caller), or EAFNOSUPPORT, EPROTONOSUPPORT, ESOCKTNOSUPPORT.</summary>
        public static Error Create(int family, int type, int protocol, int flags, out Socket socket)
        {
            socket = null;
            if (family == Internet)
                return Sockets.Internet.InternetSocket.Create(type & Socket.TypeMask, protocol, flags, out socket);
            if (family == Netlink)
                return Sockets.Netlink.NetlinkSocket.Create(type & Socket.TypeMask, protocol, flags, out socket);
            if (family != Unix)
                return Error.AddressFamilyNotSupported;
            Error error = CheckUnix(type, protocol);
            if (error == Error.None)
                socket = new UnixSocket(type, flags);
            return error;
        }

        /// <summary>socketpair(): two sockets connected to each other, or why not (EOPNOTSUPP for a family without pairs).</summary>
        public static Error CreatePair(int family, int type, int protocol, int flags, out Socket first, out Socket second)
        {
            first = second = null;
            if (family == Internet || family == Internet6 || family == Netlink)
                return Error.NotSupported;   // as Linux: the internet families and netlink have no pairs
            if (family != Unix)
                return Error.AddressFamilyNotSupported;
            Error error = CheckUnix(type, protocol);
            if (error != Error.None)
                return error;
            UnixSocket.MakePair(type, flags, out UnixSocket one, out UnixSocket two);
            first = one;
            second = two;
            return Error.None;
        }

        private static Error CheckUnix(int type, int protocol)
        {
            if (protocol != 0 && protocol != Unix)
                return Error.ProtocolNotSupported;
            return UnixSocket.Supports(type) ? Error.None : Error.SocketTypeNotSupported;
        }
    }
}
