namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Where the launcher finds a program that is not one of the boot image's own (exo/bin/): a personality's
    /// file system. POSIX-X registers one that takes a path ("/bin/sh") or a name searched on Linux's default
    /// PATH ("sh"), so that the kernel shell and init can start Debian's programs from the root file system.
    /// </summary>
    public static unsafe class ProgramSource
    {
        // (name, length, size out) -> the file's bytes in a kernel heap block the caller frees, or null.
        private static delegate*<byte*, int, ulong*, byte*> s_finder;

        public static void Register(delegate*<byte*, int, ulong*, byte*> finder) => s_finder = finder;

        /// <summary>The program's bytes (free with KernelHeap.Free), or null if no source has it.</summary>
        internal static byte* Find(byte* name, int length, out ulong size)
        {
            ulong found = 0;
            byte* file = s_finder == null ? null : s_finder(name, length, &found);
            size = found;
            return file;
        }
    }
}
