namespace Exo.Protocols.Sockets
{
    /// <summary>Why a socket message was refused; None when it is well formed.</summary>
    public enum SocketMessageProblem : byte
    {
        None = 0,
        BadMagic,
        UnknownOperation,
        /// <summary>Data where the operation carries none, or more than a data slot (or an option) holds.</summary>
        BadLength,
        /// <summary>An endpoint of an unknown family, or with reserved bytes set, or given where none belongs.</summary>
        BadEndpoint,
        /// <summary>Reserved bits set, a status outside 0..4095, a value or data with an error, an argument out of range.</summary>
        BadField,
    }
}
