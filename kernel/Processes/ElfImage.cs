namespace Exo.Kernel.Processes
{
    /// <summary>Why ElfImage.Parse rejected a file (ElfImage.Describe gives the sentence).</summary>
    public enum ElfError
    {
        None,
        TooSmall,
        BadMagic,
        NotElf64,
        NotLittleEndian,
        BadVersion,
        UnsupportedAbi,
        PositionIndependent,
        NotExecutable,
        WrongMachine,
        BadHeaderSize,
        BadProgramHeaderSize,
        ProgramHeadersOutOfFile,
        TooManyProgramHeaders,
        TooManySegments,
        NoLoadableSegment,
        SegmentOutOfFile,
        FileSizeExceedsMemorySize,
        SegmentAddressOverflow,
        SegmentOutsideUserSpace,
        SegmentInNullGuard,
        BadAlignment,
        MisalignedSegment,
        OverlappingSegments,
        EntryNotExecutable,
        NeedsInterpreter,
        BadTlsSegment,
        TlsOutsideSegments,
    }

    /// <summary>One loadable segment: map [VirtualAddress, +MemorySize), copy FileSize bytes from FileOffset, zero the rest.</summary>
    public struct ElfSegment
    {
        public ulong VirtualAddress, MemorySize, FileOffset, FileSize;
        public bool Readable, Writable, Executable;
    }

    /// <summary>What the loader needs besides the segments.</summary>
    public struct ElfImageInfo
    {
        public ulong Entry;
        /// <summary>How many ElfSegments Parse wrote (loadable segments with a non-zero memory size).</summary>
        public int SegmentCount;
        /// <summary>PT_GNU_STACK asks for an executable stack (false when the file has no PT_GNU_STACK).</summary>
        public bool ExecutableStack;
        /// <summary>Branded a native Exo-OS program (EI_OSABI 'E'); otherwise a Linux (System V, GNU) program.</summary>
        public bool IsNative;
        /// <summary>The PT_TLS template (TlsMemorySize 0: the program has no thread-local storage).</summary>
        public ulong TlsVirtualAddress, TlsFileOffset, TlsFileSize, TlsMemorySize, TlsAlignment;
        /// <summary>Page-rounded span of the loadable segments: [LowestAddress, HighestAddress).</summary>
        public ulong LowestAddress, HighestAddress;
        /// <summary>
        /// Where the program headers appear in the loaded image (for AT_PHDR/AT_PHNUM), or 0 and 0 when no
        /// loadable segment carries them.
        /// </summary>
        public ulong ProgramHeaderAddress;
        public ushort ProgramHeaderCount;
        /// <summary>It names an interpreter (PT_INTERP: a dynamically linked program; TryFindInterpreter gives the path).</summary>
        public bool HasInterpreter;
    }

    /// <summary>
    /// Validates a static ELF64 x86-64 executable held in memory and describes its loadable segments. Every
    /// field is checked against the file's length with overflow-safe arithmetic before it is used, so a
    /// malformed or hostile file gets an error, never an out-of-bounds read. Nothing is mapped here.
    /// </summary>
    public static unsafe class ElfImage
    {
        /// <summary>Nothing may load in the low 64 KiB: keeps null pointers (and small offsets from them) faulting.</summary>
        public const ulong NullGuard = 0x10000;
        /// <summary>More than this is not a plausible static program, and bounds the work done on hostile files.</summary>
        public const int MaximumProgramHeaders = 64;
        public const ulong PageSize = 0x1000;

        private const int HeaderSize = 64, ProgramHeaderSize = 56;
        private const ushort TypeExecutable = 2, TypeShared = 3, MachineX64 = 62;
        private const byte AbiSystemV = 0, AbiGnuLinux = 3;
        /// <summary>
        /// EI_OSABI of native Exo-OS programs ('E'; unassigned in the ELF registry): the build brands them
        /// (tools/scripts/brand-exo.sh), as FreeBSD's brandelf does, and the loader gives them the native
        /// personality. System V and GNU/Linux programs get the Linux personality (POSIX-X).
        /// </summary>
        public const byte AbiExoNative = 0x45;
        private const uint LoadSegment = 1, InterpreterSegment = 3, TlsSegment = 7, GnuStackSegment = 0x6474E551;
        private const uint FlagExecute = 1, FlagWrite = 2, FlagRead = 4;

        /// <summary>
        /// Checks the file data[0, length) and writes its loadable segments (at most maximumSegments) to
        /// 'segments', in file order. On an error 'info' is zeroed and 'segments' may be partly written.
        /// userLimit is the end of user space: every segment's pages must lie below it.
        /// </summary>
        /// 'loadBias': where a position-independent file (ET_DYN: a PIE program, the dynamic linker) is loaded, added to
        /// every address it names; 0 refuses such a file (PositionIndependent). 'allowInterpreter': a file that names an
        /// interpreter is described (HasInterpreter) instead of refused (NeedsInterpreter).
        public static ElfError Parse(byte* data, ulong length, ulong userLimit, ElfSegment* segments, int maximumSegments, out ElfImageInfo info,
            ulong loadBias = 0, bool allowInterpreter = false)
        {
            info = default;
            if (segments == null || maximumSegments < 0)
                maximumSegments = 0;

            ElfError error = CheckHeader(data, length, allowShared: loadBias != 0);
            if (error != ElfError.None)
                return error;
            if (Read16(data + 16) != TypeShared)
                loadBias = 0;   // an ET_EXEC file is loaded where it says

            ulong entry = Read64(data + 24) + loadBias;
            ulong headersOffset = Read64(data + 32);
            ushort headerCount = Read16(data + 56);
            // Counts and sizes were checked by CheckHeader: this cannot overflow and lies inside the file.
            ulong headersBytes = (ulong)headerCount * ProgramHeaderSize;

            // An interpreter is reported first, whatever else is wrong: it is the useful thing to know.
            ElfImageInfo result = default;
            for (int i = 0; i < headerCount; i++)
                if (Read32(data + headersOffset + (ulong)i * ProgramHeaderSize) == InterpreterSegment)
                {
                    if (!allowInterpreter)
                        return ElfError.NeedsInterpreter;
                    result.HasInterpreter = true;
                }

            bool haveTls = false;
            int count = 0;
            for (int i = 0; i < headerCount; i++)
            {
                byte* header = data + headersOffset + (ulong)i * ProgramHeaderSize;
                uint kind = Read32(header);
                uint flags = Read32(header + 4);
                ulong offset = Read64(header + 8), address = Read64(header + 16) + loadBias;
                if (address < loadBias)
                    return ElfError.SegmentAddressOverflow;
                ulong fileSize = Read64(header + 32), memorySize = Read64(header + 40), alignment = Read64(header + 48);

                if (kind == GnuStackSegment)
                {
                    result.ExecutableStack = (flags & FlagExecute) != 0;
                }
                else if (kind == TlsSegment)
                {
                    // One template only: a second would leave the thread-pointer layout ambiguous.
                    if (haveTls || !IsValidAlignment(alignment))
                        return ElfError.BadTlsSegment;
                    error = CheckFileRange(offset, fileSize, memorySize, address, length);
                    if (error != ElfError.None)
                        return error;
                    haveTls = true;
                    result.TlsVirtualAddress = address;
                    result.TlsFileOffset = offset;
                    result.TlsFileSize = fileSize;
                    result.TlsMemorySize = memorySize;
                    result.TlsAlignment = alignment;
                }
                else if (kind == LoadSegment)
                {
                    error = CheckLoadSegment(offset, address, fileSize, memorySize, alignment, length, userLimit);
                    if (error != ElfError.None)
                        return error;
                    // An empty segment maps nothing: not worth a slot.
                    if (memorySize == 0)
                        continue;
                    if (count >= maximumSegments)
                        return ElfError.TooManySegments;
                    ElfSegment* segment = segments + count;
                    segment->VirtualAddress = address;
                    segment->MemorySize = memorySize;
                    segment->FileOffset = offset;
                    segment->FileSize = fileSize;
                    segment->Readable = (flags & FlagRead) != 0;
                    segment->Writable = (flags & FlagWrite) != 0;
                    segment->Executable = (flags & FlagExecute) != 0;
                    count++;
                }
                // Other types (PT_NOTE, PT_PHDR, PT_GNU_PROPERTY, PT_GNU_RELRO, ...) need nothing from a static loader.
            }
            if (count == 0)
                return ElfError.NoLoadableSegment;

            // The loader maps whole pages, so two segments sharing a page would map it twice.
            for (int i = 0; i < count; i++)
                for (int j = i + 1; j < count; j++)
                    if (PageStart(segments + i) < PageEnd(segments + j) && PageStart(segments + j) < PageEnd(segments + i))
                        return ElfError.OverlappingSegments;

            if (!InsideSegment(segments, count, entry, 1, executableOnly: true))
                return ElfError.EntryNotExecutable;

            // The template is read from memory by the program's runtime, so it must be loaded.
            if (haveTls && result.TlsFileSize != 0
                && !InsideSegment(segments, count, result.TlsVirtualAddress, result.TlsFileSize, executableOnly: false))
                return ElfError.TlsOutsideSegments;

            result.LowestAddress = ulong.MaxValue;
            for (int i = 0; i < count; i++)
            {
                if (PageStart(segments + i) < result.LowestAddress)
                    result.LowestAddress = PageStart(segments + i);
                if (PageEnd(segments + i) > result.HighestAddress)
                    result.HighestAddress = PageEnd(segments + i);
                // AT_PHDR: the headers' address in memory, if a segment copies them from the file.
                ElfSegment* segment = segments + i;
                if (result.ProgramHeaderCount == 0 && headerCount != 0 && headersOffset >= segment->FileOffset
                    && headersOffset - segment->FileOffset <= segment->FileSize
                    && headersBytes <= segment->FileSize - (headersOffset - segment->FileOffset))
                {
                    result.ProgramHeaderAddress = segment->VirtualAddress + (headersOffset - segment->FileOffset);
                    result.ProgramHeaderCount = headerCount;
                }
            }

            result.Entry = entry;
            result.SegmentCount = count;
            result.IsNative = data[7] == AbiExoNative;
            info = result;
            return ElfError.None;
        }

        /// <summary>Whether the file is position-independent (ET_DYN: loaded at a base of the loader's choosing).</summary>
        public static bool IsPositionIndependent(byte* data, ulong length) => data != null && length >= HeaderSize && Read16(data + 16) == TypeShared;

        /// <summary>
        /// The interpreter a dynamically linked program names (PT_INTERP): its path's place in the file, without the
        /// terminating zero. False when the header is malformed, there is no PT_INTERP, or its string is not a
        /// zero-terminated path of 1 to 4095 bytes inside the file (Linux's ENOEXEC cases).
        /// </summary>
        public static bool TryFindInterpreter(byte* data, ulong length, out ulong offset, out ulong pathLength)
        {
            offset = pathLength = 0;
            if (CheckHeader(data, length, allowShared: true) != ElfError.None)
                return false;
            ulong headersOffset = Read64(data + 32);
            ushort headerCount = Read16(data + 56);
            for (int i = 0; i < headerCount; i++)
            {
                byte* header = data + headersOffset + (ulong)i * ProgramHeaderSize;
                if (Read32(header) != InterpreterSegment)
                    continue;
                ulong start = Read64(header + 8), size = Read64(header + 32);
                if (size < 2 || size > 4096 || start > length || size > length - start || data[start + size - 1] != 0)
                    return false;
                ulong end = 0;
                while (end < size - 1 && data[start + end] != 0)
                    end++;
                offset = start;
                pathLength = end;
                return end > 0;
            }
            return false;
        }

        /// <summary>The ELF identification and header fields, and the program header table's place in the file.</summary>
        private static ElfError CheckHeader(byte* data, ulong length, bool allowShared = false)
        {
            if (data == null || length < HeaderSize)
                return ElfError.TooSmall;
            if (data[0] != 0x7F || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                return ElfError.BadMagic;
            if (data[4] != 2)
                return ElfError.NotElf64;
            if (data[5] != 1)
                return ElfError.NotLittleEndian;
            if (data[6] != 1 || Read32(data + 20) != 1)
                return ElfError.BadVersion;
            if (data[7] != AbiSystemV && data[7] != AbiGnuLinux && data[7] != AbiExoNative)
                return ElfError.UnsupportedAbi;
            ushort type = Read16(data + 16);
            if (type == TypeShared && !allowShared)
                return ElfError.PositionIndependent;
            if (type != TypeExecutable && type != TypeShared)
                return ElfError.NotExecutable;
            if (Read16(data + 18) != MachineX64)
                return ElfError.WrongMachine;
            if (Read16(data + 52) < HeaderSize)
                return ElfError.BadHeaderSize;
            if (Read16(data + 54) != ProgramHeaderSize)
                return ElfError.BadProgramHeaderSize;
            // Also rejects PN_XNUM (0xFFFF: the real count is in a section header).
            ushort headerCount = Read16(data + 56);
            if (headerCount > MaximumProgramHeaders)
                return ElfError.TooManyProgramHeaders;
            ulong headersOffset = Read64(data + 32);
            ulong headersBytes = (ulong)headerCount * ProgramHeaderSize;
            if (headersOffset > length || headersBytes > length - headersOffset)
                return ElfError.ProgramHeadersOutOfFile;
            return ElfError.None;
        }

        /// <summary>A PT_LOAD header's sizes, file range, addresses and alignment.</summary>
        private static ElfError CheckLoadSegment(ulong offset, ulong address, ulong fileSize, ulong memorySize, ulong alignment,
            ulong length, ulong userLimit)
        {
            ElfError error = CheckFileRange(offset, fileSize, memorySize, address, length);
            if (error != ElfError.None || memorySize == 0)
                return error;
            // The loader maps whole pages: the last one must not wrap around either.
            ulong end = address + memorySize;
            if (end > ulong.MaxValue - (PageSize - 1))
                return ElfError.SegmentAddressOverflow;
            if (address < NullGuard)
                return ElfError.SegmentInNullGuard;
            if (RoundUp(end) > userLimit)
                return ElfError.SegmentOutsideUserSpace;
            if (!IsValidAlignment(alignment))
                return ElfError.BadAlignment;
            // File bytes are copied page by page: a segment's address and offset must agree within a page.
            // (Unsigned subtraction wraps modulo 2^64, a multiple of the page size, so this is exact.)
            if (((address - offset) & (PageSize - 1)) != 0)
                return ElfError.MisalignedSegment;
            return ElfError.None;
        }

        /// <summary>Checks shared by PT_LOAD and PT_TLS: sizes agree, the file bytes exist, the address range does not wrap.</summary>
        private static ElfError CheckFileRange(ulong offset, ulong fileSize, ulong memorySize, ulong address, ulong length)
        {
            if (fileSize > memorySize)
                return ElfError.FileSizeExceedsMemorySize;
            // No file bytes means nothing is read, so the offset of an all-.bss segment is not checked.
            if (fileSize != 0 && (offset > length || fileSize > length - offset))
                return ElfError.SegmentOutOfFile;
            if (memorySize > ulong.MaxValue - address)
                return ElfError.SegmentAddressOverflow;
            return ElfError.None;
        }

        /// <summary>True if [address, address + size) lies inside one segment (executable ones only, if asked).</summary>
        private static bool InsideSegment(ElfSegment* segments, int count, ulong address, ulong size, bool executableOnly)
        {
            for (int i = 0; i < count; i++)
            {
                ElfSegment* segment = segments + i;
                if (executableOnly && !segment->Executable)
                    continue;
                if (address >= segment->VirtualAddress && address - segment->VirtualAddress < segment->MemorySize
                    && size <= segment->MemorySize - (address - segment->VirtualAddress))
                    return true;
            }
            return false;
        }

        /// <summary>ELF allows 0 and 1 (no constraint) or a power of two; 0 passes the bit test too (0 & max == 0).</summary>
        private static bool IsValidAlignment(ulong alignment) => (alignment & (alignment - 1)) == 0;

        // Segments reaching here were checked not to wrap when rounded up to a page.
        private static ulong PageStart(ElfSegment* segment) => segment->VirtualAddress & ~(PageSize - 1);
        private static ulong PageEnd(ElfSegment* segment) => RoundUp(segment->VirtualAddress + segment->MemorySize);
        private static ulong RoundUp(ulong address) => (address + PageSize - 1) & ~(PageSize - 1);

        // Byte by byte: the file's fields are little-endian and need not be aligned in memory.
        private static ushort Read16(byte* p) => (ushort)(p[0] | (p[1] << 8));
        private static uint Read32(byte* p) => (uint)p[0] | ((uint)p[1] << 8) | ((uint)p[2] << 16) | ((uint)p[3] << 24);
        private static ulong Read64(byte* p) => Read32(p) | ((ulong)Read32(p + 4) << 32);

        /// <summary>A sentence for the shell and the loader's error reports.</summary>
        public static string Describe(ElfError error)
        {
            switch (error)
            {
                case ElfError.None: return "the program is a valid static x86-64 executable";
                case ElfError.TooSmall: return "the file is smaller than an ELF header";
                case ElfError.BadMagic: return "not an ELF file (bad magic number)";
                case ElfError.NotElf64: return "not a 64-bit ELF file";
                case ElfError.NotLittleEndian: return "not a little-endian ELF file";
                case ElfError.BadVersion: return "unknown ELF version";
                case ElfError.UnsupportedAbi: return "unsupported OS ABI (native Exo-OS, System V and GNU/Linux programs run)";
                case ElfError.PositionIndependent: return "position-independent executables are not supported yet (link with -static -no-pie)";
                case ElfError.NotExecutable: return "not an executable (the ELF type is not EXEC)";
                case ElfError.WrongMachine: return "not an x86-64 program";
                case ElfError.BadHeaderSize: return "the ELF header size is smaller than 64 bytes";
                case ElfError.BadProgramHeaderSize: return "the program header entry size is not 56 bytes";
                case ElfError.ProgramHeadersOutOfFile: return "program headers extend past the end of the file";
                case ElfError.TooManyProgramHeaders: return "too many program headers (more than 64)";
                case ElfError.TooManySegments: return "too many loadable segments";
                case ElfError.NoLoadableSegment: return "the program has no loadable segment";
                case ElfError.SegmentOutOfFile: return "a segment's file bytes extend past the end of the file";
                case ElfError.FileSizeExceedsMemorySize: return "a segment has more file bytes than memory bytes";
                case ElfError.SegmentAddressOverflow: return "a segment's address range wraps around the end of memory";
                case ElfError.SegmentOutsideUserSpace: return "a segment lies outside user space";
                case ElfError.SegmentInNullGuard: return "a segment lies in the null-pointer guard (below 64 KiB)";
                case ElfError.BadAlignment: return "a segment's alignment is not a power of two";
                case ElfError.MisalignedSegment: return "a segment's address and file offset differ within a page";
                case ElfError.OverlappingSegments: return "loadable segments share a page";
                case ElfError.EntryNotExecutable: return "the entry point is not in an executable segment";
                case ElfError.NeedsInterpreter: return "dynamically linked programs (with an interpreter) are not supported yet";
                case ElfError.BadTlsSegment: return "the thread-local storage segment is malformed or repeated";
                case ElfError.TlsOutsideSegments: return "the thread-local storage template is not inside a loadable segment";
                default: return "invalid ELF file";
            }
        }
    }
}
