namespace Exo.Kernel.Processes
{
    /// <summary>What loading a program found and where it put it: what its start stack and first registers need.</summary>
    public struct ProgramImage
    {
        /// <summary>The first instruction.</summary>
        public ulong Entry;
        /// <summary>The top of its initial stack (the start stack is laid out below it).</summary>
        public ulong StackTop;
        /// <summary>How its system calls are routed (an Exo-OS brand, or Linux's ABI).</summary>
        public Personality Personality;
        /// <summary>Where its program headers are in memory (AT_PHDR) and how many (AT_PHNUM); 0 if no segment maps them.</summary>
        public ulong ProgramHeaderAddress;
        public ushort ProgramHeaderCount;
    }
}
