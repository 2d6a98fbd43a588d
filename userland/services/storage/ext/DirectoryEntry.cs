namespace Exo.Storage.Ext
{
    /// <summary>One directory entry as the file system reports it: the inode, ext's file type code, the name, where it is
    /// in the directory (a byte offset) and the cursor of the entry after it.</summary>
    public unsafe struct DirectoryEntry
    {
        public const int MaximumNameLength = 255;
        public const byte TypeUnknown = 0, TypeRegular = 1, TypeDirectory = 2, TypeCharacterDevice = 3, TypeBlockDevice = 4;
        public const byte TypeFifo = 5, TypeSocket = 6, TypeSymbolicLink = 7;

        public uint Inode;
        public byte Type;
        public int NameLength;
        public ulong Position, NextPosition;
        public fixed byte Name[MaximumNameLength + 1];

        /// <summary>ext's directory file type for an inode mode.</summary>
        public static byte TypeOfMode(uint mode) => (mode & 0xF000) switch
        {
            0x8000 => TypeRegular,
            0x4000 => TypeDirectory,
            0xA000 => TypeSymbolicLink,
            0x2000 => TypeCharacterDevice,
            0x6000 => TypeBlockDevice,
            0x1000 => TypeFifo,
            0xC000 => TypeSocket,
            _ => TypeUnknown,
        };
    }
}
