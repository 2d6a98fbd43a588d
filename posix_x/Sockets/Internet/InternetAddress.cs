using Exo.Protocols.Sockets;

namespace Exo.PosixX.Sockets.Internet
{
    /// <summary>
    /// struct sockaddr_in (linux/in.h) and the socket protocol's endpoint: family u16 (AF_INET), port u16 in network
    /// order, address u32 in network order, 8 bytes of zero padding; 16 bytes in all.
    /// </summary>
    public static unsafe class InternetAddress
    {
        public const int Length = 16;
        /// <summary>AF_INET.</summary>
        public const ushort Family = 2;

        /// <summary>
        /// An address a program gave (kernel memory, 'length' bytes as given): EINVAL when shorter than sockaddr_in,
        /// EAFNOSUPPORT for another family (AF_UNSPEC too: what connect's "dissolve the association" would need is not
        /// supported yet).
        /// </summary>
        public static Error Parse(byte* address, int length, out SocketEndpoint endpoint)
        {
            endpoint = default;
            if (length < Length)
                return Error.Invalid;
            if (*(ushort*)address != Family)
                return Error.AddressFamilyNotSupported;
            ushort port = (ushort)(address[2] << 8 | address[3]);
            uint value = (uint)address[4] << 24 | (uint)address[5] << 16 | (uint)address[6] << 8 | address[7];
            endpoint = SocketEndpoint.Internet(value, port);
            return Error.None;
        }

        /// <summary>Writes 'endpoint' as a sockaddr_in (Length bytes; a FamilyNone endpoint as 0.0.0.0:0) and returns Length.</summary>
        public static int Format(SocketEndpoint endpoint, byte* address)
        {
            *(ushort*)address = Family;
            address[2] = (byte)(endpoint.Port >> 8);
            address[3] = (byte)endpoint.Port;
            address[4] = (byte)(endpoint.Address >> 24);
            address[5] = (byte)(endpoint.Address >> 16);
            address[6] = (byte)(endpoint.Address >> 8);
            address[7] = (byte)endpoint.Address;
            for (int i = 8; i < Length; i++)
                address[i] = 0;
            return Length;
        }
    }
}
