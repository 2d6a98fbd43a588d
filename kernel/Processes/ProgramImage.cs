namespace Exo.Kernel.Processes
{
    /// <summary>What loading a program found and where it put it: what its start stack and first registers need.</summary>
    public unsafe struct ProgramImage
    {
        public const int MaximumSegments = 16;

        /// <summary>The first instruction.</summary>
        public ulong Entry;
        /// <summary>The top of its initial stack (the start stack is laid out below it).</summary>
        public ulong StackTop;
        /// <summary>How its system calls are routed (an Exo-OS brand, or Linux's ABI).</summary>
        public Personality Personality;
        /// <summary>Where its program headers are in memory (AT_PHDR) and how many (AT_PHNUM); 0 if no segment maps them.</summary>
        public ulong ProgramHeaderAddress;
        public ushort ProgramHeaderCount;
        /// <summary>The loaded segments, page-rounded: [SegmentStart, SegmentEnd) with their permissions (1 read, 2 write, 4 execute).</summary>
        public int SegmentCount;
        public fixed ulong SegmentStart[MaximumSegments];
        public fixed ulong SegmentEnd[MaximumSegments];
        public fixed byte SegmentProtection[MaximumSegments];
        /// <summary>Each segment's file offset, page-rounded down as its start is (what /proc/PID/maps shows).</summary>
        public fixed ulong SegmentOffset[MaximumSegments];
        /// <summary>The end of the highest segment, page-rounded: where a Linux program's break starts.</summary>
        public ulong ImageEnd;
        /// <summary>The pages of the initial stack the loader set up, mapped or reserved: [StackTop - StackMappedBytes, StackTop).</summary>
        public ulong StackMappedBytes;
        /// <summary>
        /// A dynamically linked program's interpreter (the dynamic linker), loaded beside it: where (AT_BASE) and its first
        /// instruction, where the program starts instead of at Entry (which the interpreter jumps to, AT_ENTRY). 0: none.
        /// </summary>
        public ulong InterpreterBase, InterpreterEntry;
        /// <summary>The program names an interpreter (PT_INTERP) that its loader must load (ProgramLoader.LoadInterpreter).</summary>
        public bool NeedsInterpreter;
    }
}
