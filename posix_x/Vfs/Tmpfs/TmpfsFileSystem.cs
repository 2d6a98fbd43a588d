using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Tmpfs
{
    /// <summary>
    /// tmpfs: a file system in memory, the root of Exo-OS (filled from the boot image at start) and /tmp. Lives
    /// in the kernel: every file call on it is a kernel call, never an IPC round trip, which is why the root,
    /// /dev, /proc and pipes are here and disk file systems are services. One lock for the whole file system
    /// guards its directories, files and attributes (FileSystem rank: before address spaces and the allocator,
    /// so a copy to a program's memory may fault and allocate under it).
    /// </summary>
    public sealed class TmpfsFileSystem : FileSystem
    {
        public const ulong TmpfsMagic = 0x01021994;
        public TicketLock Lock;
        private readonly TmpfsDirectory _root;
        internal long PagesInUse;
        internal long NodesInUse;
        /// <summary>The most pages its files may hold (mount's size= option), 0 for no limit of its own: half of memory is then what statfs shows, as Linux's default.</summary>
        public ulong MaximumPages;

        public TmpfsFileSystem(uint rootMode)
        {
            Lock.Rank = LockRank.FileSystem;
            _root = new TmpfsDirectory(this, FileMode.Directory | (rootMode & FileMode.ChangeableMask), 0, 0, null);
        }

        public override string TypeName => "tmpfs";
        public override Vnode Root => _root;
        public override bool CreateRefusesTakenNames => true;

        public override FileSystemStatistics Statistics
        {
            get
            {
                ulong memory = Exo.Kernel.Memory.PhysicalMemory.TotalUsableBytes / 4096;
                ulong physicalFree = Exo.Kernel.Memory.PhysicalMemory.FreeBytes / 4096;
                ulong total = MaximumPages != 0 ? MaximumPages : memory / 2;
                ulong used = (ulong)System.Threading.Volatile.Read(ref PagesInUse);
                ulong free = used < total ? total - used : 0;
                if (free > physicalFree)
                    free = physicalFree;
                return new FileSystemStatistics
                {
                    Type = TmpfsMagic, BlockSize = 4096, Blocks = total, FreeBlocks = free, AvailableBlocks = free,
                    Files = 1 << 20, FreeFiles = (ulong)((1 << 20) - NodesInUse), MaximumNameLength = Name.MaximumLength,
                };
            }
        }
    }
}
