using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>
    /// What the file system needs of a disk: sectors read and written by number, a flush that makes written sectors
    /// durable, the capacity and whether writing is allowed. Every request answers with its own error (Linux errno
    /// numbering), so a failing disk becomes an error for one operation, never a crash. The virtio-blk driver's
    /// client, an in-memory image and the host tests' image file all fit behind it.
    /// </summary>
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

        /// <summary>Makes every completed write durable.</summary>
        Error Flush();
    }
}
