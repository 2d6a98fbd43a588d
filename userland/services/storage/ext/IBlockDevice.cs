using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// What the file system needs of a disk: sectors read and written by number, a flush that makes written sectors
    /// durable, the capacity and whether writing is allowed. Every request answers with its own error (Linux errno
    /// numbering), so a failing disk becomes an error for one operation, never a crash. The virtio-blk driver's
    /// client, an in-memory image and the host tests' image file all fit behind it.
    /// </summary>
    /// <summary>One run of sectors to write: 'Count' sectors at 'Sector' from 'Data' (IBlockDevice.WriteRuns).</summary>
    public unsafe struct SectorRun
    {
        public ulong Sector;
        public uint Count;
        public byte* Data;

        /// <summary>WriteRuns for a device that writes one run at a time.</summary>
        public static Error WriteEach(IBlockDevice device, SectorRun* runs, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Error error = device.Write(runs[i].Sector, runs[i].Count, runs[i].Data);
                if (error != Error.None)
                    return error;
            }
            return Error.None;
        }
    }

    public unsafe interface IBlockDevice
    {
        /// <summary>Bytes per sector: a power of two from 512 to 4096.</summary>
        uint SectorSize { get; }

        /// <summary>How many sectors the device holds.</summary>
        ulong SectorCount { get; }

        bool IsReadOnly { get; }

        /// <summary>Reads 'count' sectors from 'sector' into 'buffer' (count * SectorSize bytes).</summary>
        Error Read(ulong sector, uint count, byte* buffer);

        /// <summary>Writes 'count' sectors at 'sector' from 'buffer'.</summary>
        Error Write(ulong sector, uint count, byte* buffer);

        /// <summary>
        /// Writes 'count' runs (each 'Count' sectors at 'Sector' from 'Data'), in any order and as many at once as the
        /// device takes (a disk's requests in flight together: one wait, not one per run); the first error. On an error
        /// any of them may or may not have been written.
        /// </summary>
        Error WriteRuns(SectorRun* runs, int count);

        /// <summary>Makes every completed write durable.</summary>
        Error Flush();
    }
}
