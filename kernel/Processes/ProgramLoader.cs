using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Loads a static ELF64 executable into a new address space: validates it (ElfImage), maps each
    /// loadable segment with its own permissions (W^X as the file says, data no-execute), copies the file's
    /// bytes (the rest of each segment stays zero) and maps a stack.
    /// </summary>
    public static unsafe class ProgramLoader
    {
        public const int MaximumSegments = 16;
        public const ulong StackTop = 0x00007FFFFFFF0000;
        public const ulong StackBytes = 64 * 1024;
        /// <summary>
        /// Where position-independent programs and their interpreter are loaded: Linux's bases without address-space
        /// randomisation (ELF_ET_DYN_BASE, two thirds of the user half, for a PIE program; the interpreter below the
        /// stack's gap, where Linux's first mmap lands), so that a differential test sees the same layout on both.
        /// </summary>
        public const ulong PositionIndependentBase = 0x0000555555554000, InterpreterBase = 0x00007FFFF7FC3000;

        /// <summary>
        /// A new address space holding the program, or null with 'error' saying why. 'reserveStack': the stack's pages
        /// are reserved (each gets its frame on first touch, the start stack's when it is written) instead of mapped.
        /// </summary>
        /// 'loadBias' and 'allowInterpreter' as ElfImage.Parse takes them (a position-independent program's base; a
        /// dynamically linked program accepted, its interpreter then loaded by LoadInterpreter).
        /// 'paged': a file held in pages (PagedProgramFile: its file system's frames, or heap pages for one too large for a
        /// heap block), whose segments are copied from its pages or, read-only ones, mapped from them ('file' is then its
        /// header window, PagedProgramFile.HeadersFitWindow checked, and 'length' the whole file's).
        public static AddressSpace Load(byte* file, ulong length, out ProgramImage image, out Error error, bool reserveStack = false,
            ulong loadBias = 0, bool allowInterpreter = false, PagedProgramFile* paged = null)
        {
            image = default;
            ElfSegment* segments = stackalloc ElfSegment[MaximumSegments];
            ElfError parse = ElfImage.Parse(file, length, UserMemory.Limit, segments, MaximumSegments, out ElfImageInfo info, loadBias, allowInterpreter);
            if (parse != ElfError.None)
            {
                error = Error.NotExecutable;   // ElfImage.Describe(parse) names the defect
                return null;
            }
            // Segments are mapped at once, page by page: more than the machine's memory could only fail after taking
            // every free frame (starving everything else meanwhile), so it fails first (ENOMEM, as Linux's heuristic
            // overcommit refuses a request larger than all of memory).
            ulong pages = 0;
            for (int i = 0; i < info.SegmentCount; i++)
                pages += ((segments[i].VirtualAddress & 0xFFF) + segments[i].MemorySize + 0xFFF) >> 12;
            if (pages > PhysicalMemory.TotalUsableBytes / PhysicalMemory.FrameSize)
            {
                error = Error.OutOfMemory;
                return null;
            }
            AddressSpace space = AddressSpace.Create();
            if (space == null)
            {
                error = Error.OutOfMemory;
                return null;
            }
            if (!MapSegments(space, file, paged, segments, info.SegmentCount, ref image, program: true))
            {
                Discard(space);
                error = Error.OutOfMemory;
                return null;
            }
            image.NeedsInterpreter = info.HasInterpreter;
            if (reserveStack && space.ReserveRange(StackTop - StackBytes, StackBytes >> 12, writable: true) != StackBytes >> 12)
            {
                Discard(space);
                error = Error.OutOfMemory;
                return null;
            }
            for (ulong page = StackTop - StackBytes; page < StackTop && !reserveStack; page += 0x1000)
            {
                if (space.MapNew(page, writable: true, executable: false) == 0)
                {
                    Discard(space);
                    error = Error.OutOfMemory;
                    return null;
                }
            }
            image.Entry = info.Entry;
            image.StackTop = StackTop;
            image.StackMappedBytes = StackBytes;
            image.Personality = info.IsNative ? Personality.Native : Personality.Linux;
            image.ProgramHeaderAddress = info.ProgramHeaderAddress;
            image.ProgramHeaderCount = info.ProgramHeaderCount;
            error = Error.None;
            return space;
        }

        // A page no writable segment touches is the image's (AddressSpace.MapImagePage: read-only for good, shared with
        // every fork without a count per page); a page a writable segment shares is the space's own.
        /// <summary>
        /// A dynamically linked program's interpreter (a position-independent static ELF: the dynamic linker) loaded into
        /// the program's space at 'loadBias': its segments join the image's, and the image says where it is and where the
        /// program now starts (ProgramImage.InterpreterBase, InterpreterEntry). An error if it is not such a file (ENOEXEC,
        /// as Linux for an unusable interpreter) or memory runs out; the space keeps what was mapped (the caller discards it).
        /// </summary>
        public static Error LoadInterpreter(AddressSpace space, byte* file, ulong length, ulong loadBias, ref ProgramImage image,
            PagedProgramFile* paged = null)
        {
            if (!ElfImage.IsPositionIndependent(file, length))
                return Error.NotExecutable;
            ElfSegment* segments = stackalloc ElfSegment[MaximumSegments];
            if (ElfImage.Parse(file, length, UserMemory.Limit, segments, MaximumSegments, out ElfImageInfo info, loadBias) != ElfError.None
                || info.IsNative)
                return Error.NotExecutable;
            for (int i = 0; i < info.SegmentCount; i++)
                for (ulong page = segments[i].VirtualAddress & ~0xFFFUL; page < segments[i].VirtualAddress + segments[i].MemorySize; page += 0x1000)
                    if (space.IsInUse(page))
                        return Error.NotExecutable;   // it would land on the program (a program whose segments reach the interpreter's base)
            if (!MapSegments(space, file, paged, segments, info.SegmentCount, ref image, program: false))
                return Error.OutOfMemory;
            image.InterpreterBase = info.LowestAddress;
            image.InterpreterEntry = info.Entry;
            return Error.None;
        }

        // Maps every segment and records it in the image (its pages, permissions, and for the program the image's end,
        // where its break starts).
        private static bool MapSegments(AddressSpace space, byte* file, PagedProgramFile* paged, ElfSegment* segments, int count,
            ref ProgramImage image, bool program)
        {
            for (int i = 0; i < count; i++)
            {
                if (!MapSegment(space, file, paged, segments + i, segments, count))
                    return false;
                ElfSegment* segment = segments + i;
                ulong start = segment->VirtualAddress & ~0xFFFUL, end = (segment->VirtualAddress + segment->MemorySize + 0xFFF) & ~0xFFFUL;
                if (image.SegmentCount < ProgramImage.MaximumSegments)
                {
                    image.SegmentStart[image.SegmentCount] = start;
                    image.SegmentEnd[image.SegmentCount] = end;
                    image.SegmentOffset[image.SegmentCount] = segment->FileOffset & ~0xFFFUL;
                    image.SegmentProtection[image.SegmentCount] = (byte)((segment->Readable ? 1 : 0) | (segment->Writable ? 2 : 0) | (segment->Executable ? 4 : 0));
                    image.SegmentCount++;
                }
                if (program && end > image.ImageEnd)
                    image.ImageEnd = end;
            }
            return true;
        }

        private static bool MapSegment(AddressSpace space, byte* file, PagedProgramFile* paged, ElfSegment* segment, ElfSegment* all, int count)
        {
            ulong start = segment->VirtualAddress & ~0xFFFUL;
            ulong end = (segment->VirtualAddress + segment->MemorySize + 0xFFF) & ~0xFFFUL;
            ulong fileStart = segment->VirtualAddress, fileEnd = segment->VirtualAddress + segment->FileSize;
            ulong* frames = stackalloc ulong[ImageFrameBatch];
            // No other segment reaches inside this one's first and last pages (as in every linker's output): its inner
            // pages need no check against them.
            bool alone = end - start <= 0x2000 || !SegmentMeets(start + 0x1000, end - 0x1000, all, count, except: segment, writableOnly: false);
            for (ulong page = start; page < end; page += 0x1000)
            {
                // A page two segments share (one ends and the next begins in it) is mapped once, with the
                // permissions of both.
                ulong frame;
                if (space.TryTranslate(page, out ulong physical, out ulong flags))
                {
                    frame = physical & ~0xFFFUL;
                    bool writable = segment->Writable || (flags & Memory.KernelPageTables.Writable) != 0;
                    bool executable = segment->Executable || (flags & Memory.KernelPageTables.NoExecute) == 0;
                    space.Protect(page, writable, executable);
                }
                else if (paged != null && paged->FileFrames && page >= fileStart && page + 0x1000 <= fileEnd
                    && ((segment->FileOffset + (page - fileStart)) & 0xFFF) == 0 && !SegmentTouches(page, all, count, except: segment, writableOnly: false))
                {
                    // A page all of it the file's: the file system's frame itself. Read-only, one more share of it held by
                    // the image's frames (ImageFrames: forks copy the entry as it is); mprotect making it writable turns it
                    // into the space's copy-on-write page, as for the loader's own image pages. Writable (the data
                    // segment), the space's own share of it, copied on the first write (as a private file mapping's page):
                    // the pages a program never writes are neither zeroed nor copied.
                    // With the pages after it that qualify too (a run mapped in one pass: a program's text is thousands).
                    ulong run = 0;
                    do
                    {
                        frames[run] = paged->FrameOf((segment->FileOffset + (page + run * 0x1000 - fileStart)) / PagedProgramFile.PageSize);
                        PhysicalMemory.ShareFrame(frames[run]);
                        run++;
                    }
                    while (run < ImageFrameBatch && page + (run + 1) * 0x1000 <= fileEnd
                        && (alone && page + (run + 1) * 0x1000 < end
                            || !SegmentTouches(page + run * 0x1000, all, count, except: segment, writableOnly: false)));
                    ulong mapped = segment->Writable
                        ? space.MapFileFrames(page, frames, run, writable: true, segment->Executable, shared: false, readable: true)
                        : space.MapImageFrames(page, frames, run, segment->Executable);
                    for (ulong unused = mapped; unused < run; unused++)
                        PhysicalMemory.ReleaseFrame(frames[unused]);
                    if (mapped == 0)
                        return false;
                    page += (mapped - 1) * 0x1000;   // a page found in use is taken again by the loop
                    continue;
                }
                else if ((frame = segment->Writable || SegmentTouches(page, all, count, except: null, writableOnly: true)
                    ? space.MapNew(page, segment->Writable, segment->Executable)
                    : space.MapImagePage(page, segment->Executable)) == 0)
                {
                    return false;
                }
                // The part of this page that the file supplies (fresh frames are zeroed: that is the .bss).
                ulong from = page > fileStart ? page : fileStart;
                ulong to = page + 0x1000 < fileEnd ? page + 0x1000 : fileEnd;
                byte* destination = (byte*)PhysicalMemory.ToVirtual(frame) + (from - page);
                if (to > from && paged != null)
                    paged->CopyTo(destination, segment->FileOffset + (from - fileStart), to - from);
                else if (to > from)
                    BlockMemory.Copy(destination, file + segment->FileOffset + (from - fileStart), to - from);
            }
            return true;
        }

        /// <summary>A program's read-only file pages mapped per turn by MapSegment (their frames are held on the kernel stack).</summary>
        private const int ImageFrameBatch = 64;

        // Whether a segment other than 'except' (null: any) covers 'page', counting only writable ones if 'writableOnly'
        // (another segment would write its own bytes into the page's frame; a writable one makes the page the space's own).
        private static bool SegmentTouches(ulong page, ElfSegment* segments, int count, ElfSegment* except, bool writableOnly)
            => SegmentMeets(page, page + 0x1000, segments, count, except, writableOnly);

        // The same for any page of [from, to).
        private static bool SegmentMeets(ulong from, ulong to, ElfSegment* segments, int count, ElfSegment* except, bool writableOnly)
        {
            for (int i = 0; i < count; i++)
            {
                ulong start = segments[i].VirtualAddress & ~0xFFFUL;
                ulong end = (segments[i].VirtualAddress + segments[i].MemorySize + 0xFFF) & ~0xFFFUL;
                if (segments + i != except && (!writableOnly || segments[i].Writable) && start < to && from < end)
                    return true;
            }
            return false;
        }

        /// <summary>Why Load refuses the file, as a sentence (the shell's error line), or null when it is a valid program.</summary>
        public static string Explain(byte* file, ulong length)
        {
            if (length >= 2 && file[0] == (byte)'#' && file[1] == (byte)'!')
                return "a script (#!): the launcher runs ELF programs; execve runs scripts";
            ElfSegment* segments = stackalloc ElfSegment[MaximumSegments];
            ElfError parse = ElfImage.Parse(file, length, UserMemory.Limit, segments, MaximumSegments, out _);
            return parse == ElfError.None ? null : ElfImage.Describe(parse);
        }

        /// <summary>Frees a loaded space that will not run (a failed exec).</summary>
        public static void Discard(AddressSpace space)
        {
            space.Destroy();
            Exo.Runtime.ObjectAllocator.Free(space);
        }
    }
}
