namespace Exo.Storage.Partitions
{
    /// <summary>Which partition table a disk holds.</summary>
    public enum PartitionScheme : byte { None, MasterBootRecord, Guid }

    /// <summary>
    /// One partition of a disk: its number as Linux names it (vda1...: the MBR's primary slots 1-4, its logical
    /// partitions from 5; a GPT entry's index plus one), where it starts and how long it is in the disk's sectors, and
    /// what kind of partition the table says it is.
    /// </summary>
    public struct Partition
    {
        public int Number;
        public ulong FirstSector;
        public ulong SectorCount;
        /// <summary>The MBR's type byte (0x83 Linux), or 0 for a GPT entry.</summary>
        public byte MasterBootRecordType;
        /// <summary>Marked as Linux file system data (MBR type 0x83, or GPT's 0FC63DAF-8483-4772-8E79-3D69D8477DE4).</summary>
        public bool IsLinuxData;
    }
}
