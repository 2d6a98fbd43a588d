namespace Exo.Protocols.Sockets
{
    /// <summary>
    /// What a socket request asks. Arguments (SocketRequest.Argument0/1, Endpoint, the data slot) and the
    /// completion's Value for each:
    /// </summary>
    public enum SocketOperation : ushort
    {
        None = 0,
        /// <summary>Argument0: type (Stream 1, Datagram 2, Raw 3); Argument1: protocol (0, 6, 17; a raw socket's: 1, ICMP). Value: the
        /// new socket. A raw socket sends the messages it is given as they are and receives each datagram of its protocol
        /// whole, IPv4 header included; its endpoints have port 0. A datagram socket of protocol 1 is a ping socket: it sends
        /// echo requests whose identifier (its endpoint's port) and checksum the service writes, and receives the echo
        /// replies with that identifier, ICMP header first, no IPv4 header.</summary>
        Create = 1,
        /// <summary>Endpoint: the local address and port (port 0: an ephemeral one).</summary>
        Bind = 2,
        /// <summary>Argument0: the backlog.</summary>
        Listen = 3,
        /// <summary>Value: the accepted socket; completion Endpoint: its peer. WouldBlock when none is waiting.</summary>
        Accept = 4,
        /// <summary>Endpoint: the peer. A stream answers InProgress and starts the handshake; a Connect while it runs answers
        /// AlreadyInProgress; the first Connect after it ends answers AlreadyConnected if it succeeded or its error (which it
        /// clears), as Linux's repeated connect(2) does. With FlagWait, a stream to this host itself answers once its
        /// handshake has run (None, or its error). A datagram socket just takes the peer.
        /// Socket 0: the socket is made first, as Create makes one from Argument0 (type) and Argument1 (protocol), then
        /// connected; Value is its id whenever it was made, even when the connect fails (the socket stays, as after a failed
        /// connect(2)). One request instead of two for the usual socket(2) then connect(2).</summary>
        Connect = 5,
        /// <summary>Data: Length bytes; Endpoint: a datagram's destination (Family 0: the connected peer). Value: bytes taken.</summary>
        Send = 6,
        /// <summary>Argument0: the most bytes wanted (up to a data slot). Data: the bytes; completion Endpoint: the sender. Value: the datagram's full length (MSG_TRUNC).</summary>
        Receive = 7,
        /// <summary>Argument0: 0 read, 1 write, 2 both (SHUT_*).</summary>
        Shutdown = 8,
        /// <summary>The socket is gone for the client (its id may be reused); a stream closes gracefully, or resets with unread data.</summary>
        Close = 9,
        /// <summary>Argument0: level; Argument1: name. Data: the value (up to MaximumOptionLength).</summary>
        GetOption = 10,
        /// <summary>Argument0: level; Argument1: name; Data: the value.</summary>
        SetOption = 11,
        /// <summary>Completion Endpoint: the local address (getsockname).</summary>
        GetLocalName = 12,
        /// <summary>Completion Endpoint: the peer (getpeername); NotConnected otherwise.</summary>
        GetPeerName = 13,
        /// <summary>Value: the socket's readiness now (SocketReadiness bits), and its pending error is left in place.</summary>
        Readiness = 14,
        /// <summary>No socket (0). Data: one <see cref="NetworkInterfaceRecord"/> per interface (up to its MaximumInterfaces),
        /// loopback first; Value: how many. What ifconfig, route and ip read.</summary>
        Interfaces = 15,
        /// <summary>No socket (0). Data: one <see cref="NetworkChange"/> (an address, IFF_UP, a route); the client checked the
        /// caller's privilege. Errors as Linux's: Invalid, AlreadyExists, NoSuchProcess (no such route), NetworkUnreachable.</summary>
        ChangeNetwork = 16,
        /// <summary>No socket (0). Data: one <see cref="NetworkRouteRecord"/> per route of the main table (up to its
        /// MaximumRoutes); Value: how many. What /proc/net/route, route and ip route show.</summary>
        Routes = 17,
    }
}
