using Exo.Abi;

namespace Exo.PosixX.Vfs
{
    /// <summary>What statfs reports for a file system.</summary>
    public struct FileSystemStatistics
    {
        public ulong Type, BlockSize, Blocks, FreeBlocks, AvailableBlocks, Files, FreeFiles, MaximumNameLength;
    }

    /// <summary>
    /// One mounted file system: its root, its name for /proc/mounts, its figures for statfs, and the inode
    /// numbers it hands out. Implemented in the kernel for memory file systems (tmpfs, devfs, procfs), and by a
    /// client of a user-mode service for the others (RemoteFileSystem, over Fusion Rings).
    /// </summary>
    public abstract class FileSystem
    {
        private static int s_nextDevice;
        private long _nextInode = 1;

        /// <summary>The file system's device number (st_dev), distinct for each mounted file system.</summary>
        public readonly ulong DeviceId = (ulong)System.Threading.Interlocked.Increment(ref s_nextDevice);

        public abstract string TypeName { get; }
        public abstract Vnode Root { get; }
        /// <summary>A mounted file system that refuses changes (EROFS).</summary>
        public bool ReadOnly;

        public ulong NextInode() => (ulong)System.Threading.Interlocked.Increment(ref _nextInode);

        public abstract FileSystemStatistics Statistics { get; }

        /// <summary>
        /// A directory's Create answers EEXIST (and changes nothing) when the name is taken, whatever it names: open with
        /// O_CREAT | O_EXCL then creates without looking the name up first (one request to a served file system, not
        /// two; Linux's atomic_open).
        /// </summary>
        public virtual bool CreateRefusesTakenNames => false;

        /// <summary>Puts on stable storage what the file system holds for later (sync, syncfs): nothing in memory file systems.</summary>
        public virtual Error Synchronize() => Error.None;
    }
}
