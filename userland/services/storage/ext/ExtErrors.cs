using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// The two errors Linux's ext4 gives for a damaged file system, which Exo.Abi.Error does not name: EFSCORRUPTED
    /// (EUCLEAN, 117) for metadata that breaks the format's rules, EFSBADCRC (EBADMSG, 74) for a checksum that does
    /// not match. Every other error is an Exo.Abi.Error as named there.
    /// </summary>
    public static class ExtErrors
    {
        public const Error Corrupted = (Error)117;
        public const Error ChecksumMismatch = (Error)74;
    }
}
