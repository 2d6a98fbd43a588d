using Exo.PosixX.Vfs;

namespace Exo.PosixX.Memory
{
    /// <summary>
    /// The files a process's regions map (what /proc/PID/maps names them by, with their offsets, devices and inodes): a
    /// table of at most <see cref="Capacity"/> files, each held by one reference while any region maps it. A region
    /// names its file by a number (its slot + 1; 0: no file); each region that names a file is one use of it, and the
    /// file is let go when its last region goes. Past the limit a new file's regions are simply unnamed (the mapping
    /// itself is not refused). Made at a process's first file mapping (3 KiB); guarded by the owning MemoryRegions' lock.
    /// </summary>
    public sealed class MappedFiles
    {
        public const int Capacity = 256;

        private readonly Vnode[] _nodes = new Vnode[Capacity];
        private readonly int[] _uses = new int[Capacity];
        private int _limit;   // slots at or past it were never used: scans, copies and frees stop there (a program maps a few dozen)

        /// <summary>One region more maps 'node': its number (the slot already holding it, else a free one), or 0 if the table is full.</summary>
        public ushort Use(Vnode node)
        {
            int free = -1;
            for (int i = 0; i < _limit; i++)
            {
                if (_nodes[i] == node)
                {
                    _uses[i]++;
                    return (ushort)(i + 1);
                }
                if (free < 0 && _nodes[i] == null)
                    free = i;
            }
            if (free < 0 && _limit < Capacity)
                free = _limit++;
            if (free < 0)
                return 0;
            node.AddReference();
            _nodes[free] = node;
            _uses[free] = 1;
            return (ushort)(free + 1);
        }

        /// <summary>One region more names file 'number' (a region split in two).</summary>
        public void AddUse(ushort number)
        {
            if (number != 0)
                _uses[number - 1]++;
        }

        /// <summary>One region fewer names file 'number' (unmapped, or merged into its neighbour); the last one lets it go.</summary>
        public void DropUse(ushort number)
        {
            if (number == 0 || --_uses[number - 1] != 0)
                return;
            Vnode node = _nodes[number - 1];
            _nodes[number - 1] = null;
            node.Release();
        }

        /// <summary>File 'number' with a reference, or null.</summary>
        public Vnode Get(ushort number)
        {
            if (number == 0 || number > Capacity)
                return null;
            Vnode node = _nodes[number - 1];
            node?.AddReference();
            return node;
        }

        /// <summary>fork: the same files under the same numbers, each with a reference of the child's.</summary>
        public void CopyInto(MappedFiles copy)
        {
            copy._limit = _limit;
            for (int i = 0; i < _limit; i++)
            {
                copy._nodes[i] = _nodes[i];
                copy._uses[i] = _uses[i];
                _nodes[i]?.AddReference();
            }
        }

        /// <summary>The regions are gone: every file is let go, and the table freed.</summary>
        public void Free()
        {
            for (int i = 0; i < _limit; i++)
                _nodes[i]?.Release();
            Exo.Runtime.ObjectAllocator.Free(_nodes);
            Exo.Runtime.ObjectAllocator.Free(_uses);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
