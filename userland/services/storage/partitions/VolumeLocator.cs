using Exo.Abi;
using Exo.Storage.Ext;

namespace Exo.Storage.Partitions
{
    /// <summary>
    /// Where a disk's ext file system lies: the whole disk when it holds one (mke2fs on the bare device), else the
    /// first partition of its table (PartitionTable) that does, whatever type the table gives it (Linux mounts by
    /// content too). One file system per disk: a second ext partition is not served (the README says so).
    /// </summary>
    public static unsafe class VolumeLocator
    {
        public const int MaximumPartitions = 128;
        private const uint MagicOffset = 1024 + 56;   // the superblock's s_magic
        private const ushort ExtMagic = 0xEF53;

        /// <summary>
        /// The device holding the file system ('disk' itself, or a PartitionDevice over it) and, when partitioned,
        /// which partition; None with 'volume' null when neither the disk nor a partition holds an ext file system.
        /// 'scratch' is PartitionTable.ScratchBytes long.
        /// </summary>
        public static Error Locate(IBlockDevice disk, byte* scratch, out IBlockDevice volume, out Partition partition, out PartitionScheme scheme)
        {
            volume = null;
            partition = default;
            scheme = PartitionScheme.None;
            Error error = HoldsExt(disk, 0, disk.SectorCount, scratch, out bool holds);
            if (error != Error.None)
                return error;
            if (holds)
            {
                volume = disk;
                return Error.None;
            }
            Partition* partitions = stackalloc Partition[MaximumPartitions];
            error = PartitionTable.Read(disk, scratch, partitions, MaximumPartitions, out int count, out scheme);
            if (error != Error.None)
                return error;
            for (int i = 0; i < count; i++)
            {
                error = HoldsExt(disk, partitions[i].FirstSector, partitions[i].SectorCount, scratch, out holds);
                if (error != Error.None)
                    return error;
                if (holds)
                {
                    volume = new PartitionDevice(disk, partitions[i]);
                    partition = partitions[i];
                    return Error.None;
                }
            }
            return Error.None;
        }

        // Whether the ext superblock's magic number is where it belongs in the 'count' sectors from 'first'.
        private static Error HoldsExt(IBlockDevice disk, ulong first, ulong count, byte* scratch, out bool holds)
        {
            holds = false;
            uint sectorSize = disk.SectorSize;
            if (sectorSize < 512 || sectorSize > PartitionTable.MaximumSectorSize || count <= MagicOffset / sectorSize)
                return Error.None;
            Error error = disk.Read(first + MagicOffset / sectorSize, 1, scratch);
            if (error == Error.None)
                holds = *(ushort*)(scratch + MagicOffset % sectorSize) == ExtMagic;
            return error;
        }
    }
}
