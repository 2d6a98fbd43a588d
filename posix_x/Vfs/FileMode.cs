namespace Exo.PosixX.Vfs
{
    /// <summary>A file's type and permission bits, as Linux's st_mode has them (S_IF*, S_IS*, 0777).</summary>
    public static class FileMode
    {
        public const uint TypeMask = 0xF000;
        public const uint Socket = 0xC000, SymbolicLink = 0xA000, Regular = 0x8000, BlockDevice = 0x6000,
            Directory = 0x4000, CharacterDevice = 0x2000, Fifo = 0x1000;
        public const uint SetUserId = 0x800, SetGroupId = 0x400, Sticky = 0x200;
        /// <summary>What chmod may change: the permission bits with set-user-id, set-group-id and sticky.</summary>
        public const uint ChangeableMask = 0xFFF;
        public const uint Read = 4, Write = 2, Execute = 1;

        public static bool IsDirectory(uint mode) => (mode & TypeMask) == Directory;
        public static bool IsRegular(uint mode) => (mode & TypeMask) == Regular;
        public static bool IsSymbolicLink(uint mode) => (mode & TypeMask) == SymbolicLink;
        public static bool IsValidType(uint type) => type == Regular || type == Directory || type == SymbolicLink
            || type == CharacterDevice || type == BlockDevice || type == Fifo || type == Socket;

        /// <summary>The d_type getdents64 reports for a mode (DT_*: Linux's mode >> 12).</summary>
        public static byte DirectoryEntryType(uint mode) => (byte)((mode & TypeMask) >> 12);
    }

    /// <summary>A time stamp as Linux's struct timespec: seconds and nanoseconds since 1970 (UTC).</summary>
    public struct Timestamp
    {
        public long Seconds, Nanoseconds;

        public static Timestamp Now
        {
            get
            {
                long now = Exo.Kernel.Time.WallClock.NowNanoseconds;
                return new Timestamp { Seconds = now / 1_000_000_000, Nanoseconds = now % 1_000_000_000 };
            }
        }
    }
}
