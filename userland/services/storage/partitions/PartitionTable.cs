using Exo.Abi;
using Exo.Storage.Ext;

namespace Exo.Storage.Partitions
{
    /// <summary>
    /// Reads a disk's partition table as Linux's block layer does (block/partitions/msdos.c and efi.c): a GUID partition
    /// table when the master boot record protects one (an entry of type 0xEE), from the primary header at sector 1 or,
    /// when that header or its entry array fails a check (signature, sizes, bounds, CRC-32s), from the backup header
    /// in the disk's last sector; otherwise the MBR's four primary entries and the logical partitions chained from its
    /// extended one. Empty entries and entries not wholly on the disk are passed by. Every count read from the disk is
    /// bounded (the Maximum* limits), so a hostile table can neither loop nor overrun; a disk without a valid table has
    /// none (PartitionScheme.None), and only a failing disk read is an error.
    /// </summary>
    public static unsafe class PartitionTable
    {
        public const int MaximumLogicalPartitions = 64;
        public const uint MaximumGuidEntries = 1024;
        public const uint MaximumSectorSize = 4096;
        /// <summary>Bytes of scratch memory Read needs: one sector.</summary>
        public const int ScratchBytes = (int)MaximumSectorSize;

        private const int EntriesOffset = 446, EntryBytes = 16, SignatureOffset = 510;
        private const ushort BootSignature = 0xAA55;
        private const byte ProtectiveType = 0xEE, LinuxType = 0x83;
        private const ulong GuidSignature = 0x5452415020494645;   // "EFI PART"
        private const uint MinimumHeaderBytes = 92, MinimumEntryBytes = 128;
        // The Linux file system data type GUID, 0FC63DAF-8483-4772-8E79-3D69D8477DE4, as its 16 bytes lie on the disk.
        private const ulong LinuxDataLow = 0x477284830FC63DAF, LinuxDataHigh = 0xE47D47D8693D798E;

        /// <summary>
        /// The partitions of 'device' (at most 'capacity' of them into 'partitions'), using 'scratch' (ScratchBytes).
        /// </summary>
        public static Error Read(IBlockDevice device, byte* scratch, Partition* partitions, int capacity, out int count, out PartitionScheme scheme)
        {
            count = 0;
            scheme = PartitionScheme.None;
            uint sectorSize = device.SectorSize;
            if (sectorSize < 512 || sectorSize > MaximumSectorSize || device.SectorCount < 2)
                return Error.None;
            Error error = device.Read(0, 1, scratch);
            if (error != Error.None)
                return error;
            if (*(ushort*)(scratch + SignatureOffset) != BootSignature)
                return Error.None;
            byte* primaries = stackalloc byte[4 * EntryBytes];   // scratch is read over while the extended partition is walked
            bool protective = false;
            for (int i = 0; i < 4 * EntryBytes; i++)
                primaries[i] = scratch[EntriesOffset + i];
            for (int slot = 0; slot < 4; slot++)
                protective |= primaries[slot * EntryBytes + 4] == ProtectiveType;
            if (protective)
            {
                error = ReadGuidTable(device, scratch, 1, partitions, capacity, ref count);
                if (error == Error.Invalid)
                    error = ReadGuidTable(device, scratch, device.SectorCount - 1, partitions, capacity, ref count);
                if (error == Error.None)
                    scheme = PartitionScheme.Guid;
                return error == Error.Invalid ? Error.None : error;   // a protective MBR without a valid GPT: no partitions (as Linux)
            }
            scheme = PartitionScheme.MasterBootRecord;
            for (int slot = 0; slot < 4; slot++)
            {
                byte* entry = primaries + slot * EntryBytes;
                byte type = entry[4];
                ulong first = *(uint*)(entry + 8), sectors = *(uint*)(entry + 12);
                if (type == 0 || sectors == 0 || !OnDisk(device, first, sectors))
                    continue;
                if (IsExtended(type))
                {
                    error = ReadLogicalPartitions(device, scratch, first, partitions, capacity, ref count);
                    if (error != Error.None)
                        return error;
                    continue;
                }
                Add(partitions, capacity, ref count, slot + 1, first, sectors, type, type == LinuxType);
            }
            return Error.None;
        }

        private static bool IsExtended(byte type) => type == 0x05 || type == 0x0F || type == 0x85;

        private static bool OnDisk(IBlockDevice device, ulong first, ulong sectors)
            => sectors != 0 && first < device.SectorCount && sectors <= device.SectorCount - first;

        private static void Add(Partition* partitions, int capacity, ref int count, int number, ulong first, ulong sectors, byte type, bool linux)
        {
            if (count >= capacity)
                return;
            partitions[count++] = new Partition
            {
                Number = number, FirstSector = first, SectorCount = sectors, MasterBootRecordType = type, IsLinuxData = linux,
            };
        }

        // The chain of extended boot records from 'extendedStart': each holds one logical partition (relative to the
        // record itself) and the next record (relative to the extended partition's start). Numbered from 5, as Linux.
        private static Error ReadLogicalPartitions(IBlockDevice device, byte* scratch, ulong extendedStart, Partition* partitions, int capacity, ref int count)
        {
            ulong record = extendedStart;
            int number = 5;
            for (int i = 0; i < MaximumLogicalPartitions; i++)
            {
                Error error = device.Read(record, 1, scratch);
                if (error != Error.None)
                    return error;
                if (*(ushort*)(scratch + SignatureOffset) != BootSignature)
                    return Error.None;
                byte* logical = scratch + EntriesOffset, next = logical + EntryBytes;
                ulong first = *(uint*)(logical + 8), sectors = *(uint*)(logical + 12);
                if (logical[4] != 0 && !IsExtended(logical[4]) && record + first >= record && OnDisk(device, record + first, sectors))
                    Add(partitions, capacity, ref count, number++, record + first, sectors, logical[4], logical[4] == LinuxType);
                ulong nextRecord = extendedStart + *(uint*)(next + 8);
                if (!IsExtended(next[4]) || *(uint*)(next + 12) == 0 || nextRecord >= device.SectorCount)
                    return Error.None;
                record = nextRecord;
            }
            return Error.None;   // longer chains (or a loop) end here
        }

        // The GPT whose header is at sector 'headerSector': Invalid when a check fails (nothing added then), a disk
        // error as it is.
        private static Error ReadGuidTable(IBlockDevice device, byte* scratch, ulong headerSector, Partition* partitions, int capacity, ref int count)
        {
            uint sectorSize = device.SectorSize;
            Error error = device.Read(headerSector, 1, scratch);
            if (error != Error.None)
                return error;
            uint headerBytes = *(uint*)(scratch + 12);
            if (*(ulong*)scratch != GuidSignature || headerBytes < MinimumHeaderBytes || headerBytes > sectorSize)
                return Error.Invalid;
            uint headerChecksum = *(uint*)(scratch + 16);
            *(uint*)(scratch + 16) = 0;
            if (Crc32.Finish(Crc32.Update(Crc32.Initial, scratch, (int)headerBytes)) != headerChecksum)
                return Error.Invalid;
            ulong myLba = *(ulong*)(scratch + 24), firstUsable = *(ulong*)(scratch + 40), lastUsable = *(ulong*)(scratch + 48);
            ulong entriesLba = *(ulong*)(scratch + 72);
            uint entryCount = *(uint*)(scratch + 80), entryBytes = *(uint*)(scratch + 84), entriesChecksum = *(uint*)(scratch + 88);
            if (myLba != headerSector || firstUsable > lastUsable || lastUsable >= device.SectorCount)
                return Error.Invalid;
            if (entryBytes < MinimumEntryBytes || (entryBytes & (entryBytes - 1)) != 0 || entryBytes > sectorSize || entryCount > MaximumGuidEntries)
                return Error.Invalid;
            ulong arrayBytes = (ulong)entryCount * entryBytes;
            ulong arraySectors = (arrayBytes + sectorSize - 1) / sectorSize;
            if (entriesLba < 2 || entriesLba >= device.SectorCount || arraySectors > device.SectorCount - entriesLba)
                return Error.Invalid;

            int start = count;
            uint crc = Crc32.Initial;
            uint index = 0;
            for (ulong sector = 0; sector < arraySectors; sector++)
            {
                error = device.Read(entriesLba + sector, 1, scratch);
                if (error != Error.None)
                {
                    count = start;
                    return error;
                }
                ulong left = arrayBytes - sector * sectorSize;
                uint bytes = left < sectorSize ? (uint)left : sectorSize;
                crc = Crc32.Update(crc, scratch, (int)bytes);
                for (uint offset = 0; offset + entryBytes <= bytes; offset += entryBytes, index++)
                {
                    byte* entry = scratch + offset;
                    ulong typeLow = *(ulong*)entry, typeHigh = *(ulong*)(entry + 8);
                    ulong first = *(ulong*)(entry + 32), last = *(ulong*)(entry + 40);
                    if ((typeLow | typeHigh) == 0 || first > last || first < firstUsable || last > lastUsable)
                        continue;   // unused, or not within the usable sectors: passed by
                    Add(partitions, capacity, ref count, (int)index + 1, first, last - first + 1, 0,
                        typeLow == LinuxDataLow && typeHigh == LinuxDataHigh);
                }
            }
            if (Crc32.Finish(crc) != entriesChecksum)
            {
                count = start;
                return Error.Invalid;
            }
            return Error.None;
        }
    }
}
