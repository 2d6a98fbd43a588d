namespace Exo.Kernel.Boot
{
    /// <summary>
    /// The regular files directly in one directory of a cpio archive ("exo/bin/"), in byte order of their names, found
    /// by binary search. The initial RAM disk indexes its programs once at boot: a spawn used to walk the archive from
    /// the directory's first entry, parsing every header on the way, which for a name late in the alphabet cost up to
    /// 2.6 ms of the spawn's system call (interrupts masked) under -icount (docs/audio.md). The entries point into the
    /// archive, which stays in memory; the caller provides their storage (<see cref="Count"/> of them).
    /// </summary>
    public unsafe struct CpioDirectoryIndex
    {
        /// <summary>One file: its name within the directory and its contents, in the archive.</summary>
        public struct Entry
        {
            public byte* Name;
            public int NameLength;
            public byte* Data;
            public ulong Size;
        }

        private Entry* _entries;
        private int _count;

        public int Length => _count;

        /// <summary>How many regular files are directly in 'directory' (which ends with '/'), walking from 'start' (0 or
        /// CpioArchive.FindFirstIn's offset) to the end of the directory's entries or of the archive.</summary>
        public static int Count(byte* archive, ulong length, ulong start, string directory)
        {
            int count = 0;
            ulong offset = start;
            while (CpioArchive.Next(archive, length, ref offset, out CpioEntry entry) == CpioError.None)
                if (IsFileIn(entry, directory))
                    count++;
            return count;
        }

        /// <summary>
        /// Indexes the regular files directly in 'directory' into 'storage' (room for 'capacity' entries: Count's
        /// answer). Files past the capacity are left out (the caller sees Length below Count and may look them up by
        /// walking the archive).
        /// </summary>
        public static CpioDirectoryIndex Build(byte* archive, ulong length, ulong start, string directory, Entry* storage, int capacity)
        {
            var index = new CpioDirectoryIndex { _entries = storage };
            ulong offset = start;
            while (index._count < capacity && CpioArchive.Next(archive, length, ref offset, out CpioEntry entry) == CpioError.None)
            {
                if (!IsFileIn(entry, directory))
                    continue;
                // Insertion in name order (the image tool writes the archive sorted, so this is mostly an append).
                Entry added = new Entry
                {
                    Name = entry.Name + directory.Length,
                    NameLength = entry.NameLength - directory.Length,
                    Data = entry.Data,
                    Size = entry.Size,
                };
                int at = index._count;
                while (at > 0 && Compare(storage[at - 1].Name, storage[at - 1].NameLength, added.Name, added.NameLength) > 0)
                {
                    storage[at] = storage[at - 1];
                    at--;
                }
                storage[at] = added;
                index._count++;
            }
            return index;
        }

        /// <summary>The file named 'name' (one path component) in the indexed directory; false if there is none.</summary>
        public bool TryFind(byte* name, int nameLength, out byte* data, out ulong size)
        {
            data = null;
            size = 0;
            if (name == null || nameLength <= 0)
                return false;
            int low = 0, high = _count - 1;
            while (low <= high)
            {
                int middle = low + (high - low) / 2;
                int order = Compare(_entries[middle].Name, _entries[middle].NameLength, name, nameLength);
                if (order == 0)
                {
                    data = _entries[middle].Data;
                    size = _entries[middle].Size;
                    return true;
                }
                if (order < 0)
                    low = middle + 1;
                else
                    high = middle - 1;
            }
            return false;
        }

        // A regular file whose path is 'directory' and one more component (nothing in a subdirectory).
        private static bool IsFileIn(CpioEntry entry, string directory)
        {
            if (!entry.IsRegularFile || entry.NameLength <= directory.Length || !CpioArchive.StartsWith(entry.Name, entry.NameLength, directory))
                return false;
            for (int i = directory.Length; i < entry.NameLength; i++)
                if (entry.Name[i] == '/')
                    return false;
            return true;
        }

        // Byte order, a prefix first ("ton" before "tone").
        private static int Compare(byte* a, int aLength, byte* b, int bLength)
        {
            int common = aLength < bLength ? aLength : bLength;
            for (int i = 0; i < common; i++)
                if (a[i] != b[i])
                    return a[i] - b[i];
            return aLength - bLength;
        }
    }
}
