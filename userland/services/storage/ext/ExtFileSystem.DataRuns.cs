using Exo.Abi;

namespace Exo.Storage.Ext
{
    /// <summary>A run of a file's blocks that lie one after the other on the device: 'Blocks' blocks from 'Logical' at 'Physical'.</summary>
    public struct DataRun
    {
        public ulong Logical, Physical;
        public uint Blocks;
    }

    public sealed unsafe partial class ExtFileSystem
    {
        /// <summary>The longest run <see cref="MapDataRuns"/> answers, in bytes (a run's length travels as 32 bits).</summary>
        public const uint MaximumDataRunBytes = 1u << 30;

        /// <summary>
        /// Where a regular file's data from logical block 'logical' on lies on the device: up to 'capacity' runs, each as
        /// long as the blocks stay consecutive on the device (an extent, or ext2 block pointers that follow each other),
        /// covering at least 'blocks' blocks unless a hole, an unwritten extent or the end of the file comes first (the
        /// runs stop there; none if 'logical' is in one). Only blocks the device holds as the file's: the caller writes
        /// back the cache first (a dirty block is newer on the device's copy than nothing).
        /// </summary>
        public Error MapDataRuns(uint node, ulong logical, ulong blocks, DataRun* runs, int capacity, out int found)
        {
            found = 0;
            Inode inode;
            Error error = LoadRegularFile(node, &inode);
            if (error != Error.None)
                return error;
            ulong fileBlocks = (inode.Size + _blockSize - 1) / _blockSize;
            ulong end = blocks > fileBlocks || logical > fileBlocks - blocks ? fileBlocks : logical + blocks;
            uint longest = MaximumDataRunBytes / _blockSize;
            ulong position = logical;
            while (position < fileBlocks && (position < end || found == 0))
            {
                error = MapRun(&inode, position, out ulong physical, out uint contiguous);
                if (error != Error.None || physical == 0)
                    break;   // a hole or an unwritten extent: what comes before it is mapped
                if (contiguous > fileBlocks - position)
                    contiguous = (uint)(fileBlocks - position);
                DataRun* last = found > 0 ? runs + found - 1 : null;
                if (last != null && last->Logical + last->Blocks == position && last->Physical + last->Blocks == physical
                    && (ulong)last->Blocks + contiguous <= longest)
                {
                    last->Blocks += contiguous;
                }
                else
                {
                    if (found == capacity)
                        break;
                    if (contiguous > longest)
                        contiguous = longest;
                    runs[found++] = new DataRun { Logical = position, Physical = physical, Blocks = contiguous };
                }
                position += contiguous;
            }
            return found > 0 ? Error.None : error;
        }
    }
}
