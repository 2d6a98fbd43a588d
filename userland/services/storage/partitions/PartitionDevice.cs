using Exo.Abi;
using Exo.Storage.Ext;

namespace Exo.Storage.Partitions
{
    /// <summary>
    /// One partition of a disk as a block device of its own: sector 0 is the partition's first, and nothing outside
    /// the partition can be reached through it (EIO, as Linux answers past a partition's end).
    /// </summary>
    public sealed unsafe class PartitionDevice : IBlockDevice
    {
        private readonly IBlockDevice _disk;
        private readonly ulong _first;

        public PartitionDevice(IBlockDevice disk, in Partition partition)
        {
            _disk = disk;
            _first = partition.FirstSector;
            SectorCount = partition.SectorCount;
        }

        public uint SectorSize => _disk.SectorSize;
        public ulong SectorCount { get; }
        public bool IsReadOnly => _disk.IsReadOnly;

        private bool Inside(ulong sector, uint count) => sector <= SectorCount && count <= SectorCount - sector;

        public Error Read(ulong sector, uint count, byte* buffer)
            => Inside(sector, count) ? _disk.Read(_first + sector, count, buffer) : Error.InputOutput;

        public Error Write(ulong sector, uint count, byte* buffer)
            => Inside(sector, count) ? _disk.Write(_first + sector, count, buffer) : Error.InputOutput;

        public Error WriteRuns(SectorRun* runs, int count)
        {
            for (int i = 0; i < count; i++)
                if (!Inside(runs[i].Sector, runs[i].Count))
                    return Error.InputOutput;
            SectorRun* moved = stackalloc SectorRun[count];
            for (int i = 0; i < count; i++)
                moved[i] = new SectorRun { Sector = _first + runs[i].Sector, Count = runs[i].Count, Data = runs[i].Data };
            return _disk.WriteRuns(moved, count);
        }

        public Error Flush() => _disk.Flush();
    }
}
