namespace Exo.Kernel.Boot
{
    /// <summary>Why CpioArchive.Next stopped (End is the normal finish; CpioArchive.Describe gives the sentence).</summary>
    public enum CpioError
    {
        None,
        End,
        Truncated,
        BadMagic,
        BadHexField,
        BadNameSize,
        NameNotTerminated,
        NameContainsNul,
    }

    /// <summary>One archive member. Name and Data point into the archive; Name has no NUL and no leading "./".</summary>
    public unsafe struct CpioEntry
    {
        public byte* Name;
        public int NameLength;
        public byte* Data;
        public ulong Size;
        public uint Mode;

        public bool IsRegularFile => CpioArchive.IsRegularFile(Mode);
        public bool IsDirectory => (Mode & CpioArchive.FileTypeMask) == CpioArchive.DirectoryType;
        /// <summary>A symbolic link: Data is its target (Size bytes, no NUL), as newc stores it.</summary>
        public bool IsSymbolicLink => (Mode & CpioArchive.FileTypeMask) == CpioArchive.SymbolicLinkType;
    }

    /// <summary>
    /// Reads a cpio "newc" archive in memory (the initial RAM disk): each entry is "070701", thirteen 8-digit
    /// hex fields, the name (padded so header and name fill a multiple of 4 bytes) and the data (padded to 4);
    /// "TRAILER!!!" ends it. Every size is checked against the archive's length before use. Entries are walked
    /// whatever their type (regular files, directories, symbolic links...); lookups return regular files only.
    /// </summary>
    public static unsafe class CpioArchive
    {
        public const int HeaderSize = 110;
        /// <summary>Longer names are not plausible (Linux's PATH_MAX) and bound what a bad header can claim.</summary>
        public const uint MaximumNameSize = 4096;

        // Field offsets: the 6-byte magic, then 8 hex digits each for ino, mode, uid, gid, nlink, mtime,
        // filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check.
        private const int FieldCount = 13, ModeField = 1, FileSizeField = 6, NameSizeField = 11;
        public const uint FileTypeMask = 0xF000, DirectoryType = 0x4000, RegularFileType = 0x8000, SymbolicLinkType = 0xA000;

        /// <summary>True if a cpio mode describes a regular file (S_IFREG).</summary>
        public static bool IsRegularFile(uint mode) => (mode & FileTypeMask) == RegularFileType;

        /// <summary>
        /// Reads the entry at 'offset' (relative to 'archive', a multiple of 4 for well-formed archives) and
        /// moves 'offset' to the next one. Returns End at the trailer, an error for anything malformed; in
        /// both cases 'offset' is left where it was, so repeated calls give the same answer.
        /// </summary>
        public static CpioError Next(byte* archive, ulong length, ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            if (archive == null || offset > length || length - offset < HeaderSize)
                return CpioError.Truncated;
            byte* header = archive + offset;
            if (header[0] != '0' || header[1] != '7' || header[2] != '0' || header[3] != '7' || header[4] != '0' || header[5] != '1')
                return CpioError.BadMagic;
            // Every field is validated, not just the ones used: a corrupt header is caught where it starts.
            for (int field = 0; field < FieldCount; field++)
                if (!ReadHex(header, field, out _))
                    return CpioError.BadHexField;
            ReadHex(header, ModeField, out uint mode);
            ReadHex(header, FileSizeField, out uint size);
            ReadHex(header, NameSizeField, out uint nameSize);

            // The name size counts the terminating NUL.
            if (nameSize == 0 || nameSize > MaximumNameSize)
                return CpioError.BadNameSize;
            ulong nameStart = offset + HeaderSize;
            if (nameSize > length - nameStart)
                return CpioError.Truncated;
            byte* name = archive + nameStart;
            if (name[nameSize - 1] != 0)
                return CpioError.NameNotTerminated;
            int nameLength = (int)nameSize - 1;
            for (int i = 0; i < nameLength; i++)
                if (name[i] == 0)
                    return CpioError.NameContainsNul;

            // Checked before the data: a trailer cut short after its name still ends the archive.
            if (Matches(name, nameLength, "TRAILER!!!"))
                return CpioError.End;

            // Padding is relative to the archive's start, as the writer counted it.
            ulong nameEnd = nameStart + nameSize;
            if (Padding(nameEnd) > length - nameEnd)
                return CpioError.Truncated;
            ulong dataStart = nameEnd + Padding(nameEnd);
            if (size > length - dataStart)
                return CpioError.Truncated;
            ulong dataEnd = dataStart + size;
            if (Padding(dataEnd) > length - dataEnd)
                return CpioError.Truncated;

            // "./name" (what `find . | cpio` writes) means the same file as "name".
            while (nameLength >= 2 && name[0] == '.' && name[1] == '/')
            {
                name += 2;
                nameLength -= 2;
            }
            entry.Name = name;
            entry.NameLength = nameLength;
            entry.Data = archive + dataStart;
            entry.Size = size;
            entry.Mode = mode;
            offset = dataEnd + Padding(dataEnd);
            return CpioError.None;
        }

        /// <summary>
        /// A regular file by exact name (a leading "./" is ignored on either side). False if there is no such
        /// file or the archive is malformed before it.
        /// </summary>
        public static bool TryFind(byte* archive, ulong length, byte* name, int nameLength, out CpioEntry entry)
        {
            entry = default;
            if (name == null || nameLength < 0)
                return false;
            while (nameLength >= 2 && name[0] == '.' && name[1] == '/')
            {
                name += 2;
                nameLength -= 2;
            }
            ulong offset = 0;
            // Terminates: every successful Next advances the offset by at least a header.
            while (Next(archive, length, ref offset, out CpioEntry candidate) == CpioError.None)
            {
                if (candidate.IsRegularFile && candidate.NameLength == nameLength && SameBytes(candidate.Name, name, nameLength))
                {
                    entry = candidate;
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// A regular file named 'directory' + 'name' ("exo/bin/" + "init"), where 'name' is one path component
        /// (not empty, no '/'). The walk starts at 'start': 0, or an offset from FindFirstIn for the same
        /// directory (no entry before it is in the directory). False if there is no such file.
        /// </summary>
        public static bool TryFindIn(byte* archive, ulong length, ulong start, string directory, byte* name, int nameLength,
            out CpioEntry entry)
        {
            entry = default;
            if (name == null || nameLength <= 0)
                return false;
            for (int i = 0; i < nameLength; i++)
                if (name[i] == '/')
                    return false;
            ulong offset = start;
            while (Next(archive, length, ref offset, out CpioEntry candidate) == CpioError.None)
            {
                if (candidate.IsRegularFile && candidate.NameLength == directory.Length + nameLength
                    && StartsWith(candidate.Name, candidate.NameLength, directory)
                    && SameBytes(candidate.Name + directory.Length, name, nameLength))
                {
                    entry = candidate;
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// The offset of the first entry whose name starts with 'directory' (which ends with '/'), so lookups in it
        /// can skip what comes before (an archive sorted by name keeps a directory's entries together). False,
        /// with 'offset' 0, if there is none.
        /// </summary>
        public static bool FindFirstIn(byte* archive, ulong length, string directory, out ulong offset)
        {
            ulong at = 0;
            ulong before = 0;
            while (Next(archive, length, ref at, out CpioEntry entry) == CpioError.None)
            {
                if (StartsWith(entry.Name, entry.NameLength, directory))
                {
                    offset = before;
                    return true;
                }
                before = at;
            }
            offset = 0;
            return false;
        }

        /// <summary>
        /// True if 'entry' is directly in 'directory' (its name is 'directory' + one non-empty component); 'name'
        /// and 'nameLength' give that component.
        /// </summary>
        public static bool IsIn(in CpioEntry entry, string directory, out byte* name, out int nameLength)
        {
            name = null;
            nameLength = 0;
            if (entry.NameLength <= directory.Length || !StartsWith(entry.Name, entry.NameLength, directory))
                return false;
            for (int i = directory.Length; i < entry.NameLength; i++)
                if (entry.Name[i] == '/')
                    return false;
            name = entry.Name + directory.Length;
            nameLength = entry.NameLength - directory.Length;
            return true;
        }

        /// <summary>A sentence for the shell and boot reports.</summary>
        public static string Describe(CpioError error)
        {
            switch (error)
            {
                case CpioError.None: return "the entry is valid";
                case CpioError.End: return "the end of the archive (its TRAILER!!! entry)";
                case CpioError.Truncated: return "the archive ends in the middle of an entry (or has no TRAILER!!! entry)";
                case CpioError.BadMagic: return "an entry does not start with the cpio newc magic 070701";
                case CpioError.BadHexField: return "an entry header has a field that is not 8 hexadecimal digits";
                case CpioError.BadNameSize: return "an entry's name size is zero or larger than 4096 bytes";
                case CpioError.NameNotTerminated: return "an entry's name does not end with a NUL byte";
                case CpioError.NameContainsNul: return "an entry's name contains a NUL byte";
                default: return "invalid cpio archive";
            }
        }

        /// <summary>Header field 'field' as 8 hex digits (either case).</summary>
        private static bool ReadHex(byte* header, int field, out uint value)
        {
            byte* digits = header + 6 + field * 8;
            value = 0;
            for (int i = 0; i < 8; i++)
            {
                byte c = digits[i];
                uint digit;
                if (c >= '0' && c <= '9')
                    digit = (uint)(c - '0');
                else if (c >= 'a' && c <= 'f')
                    digit = (uint)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    digit = (uint)(c - 'A' + 10);
                else
                    return false;
                value = value << 4 | digit;
            }
            return true;
        }

        /// <summary>Bytes from 'offset' to the next multiple of 4.</summary>
        private static ulong Padding(ulong offset) => (4 - (offset & 3)) & 3;

        private static bool SameBytes(byte* a, byte* b, int length)
        {
            for (int i = 0; i < length; i++)
                if (a[i] != b[i])
                    return false;
            return true;
        }

        internal static bool StartsWith(byte* text, int length, string prefix)
        {
            if (length < prefix.Length)
                return false;
            for (int i = 0; i < prefix.Length; i++)
                if (text[i] != prefix[i])
                    return false;
            return true;
        }

        private static bool Matches(byte* text, int length, string expected)
            => length == expected.Length && StartsWith(text, length, expected);
    }
}
