namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Where the launcher finds a program that is not one of the boot image's own (exo/bin/): a personality's
    /// file system. POSIX-X registers one that takes a path ("/bin/sh") or a name searched on Linux's default
    /// PATH ("sh"), so that the kernel shell and init can start Debian's programs from the root file system.
    /// </summary>
    public static unsafe class ProgramSource
    {
        // (name, length, size out, error out) -> the file's bytes in a kernel heap block the caller frees, or null with
        // why (ENOENT: no such file; EACCES: not a regular file with an execute bit, a directory; ENOMEM: too large).
        private static delegate*<byte*, int, ulong*, Error*, byte*> s_finder;

        public static void Register(delegate*<byte*, int, ulong*, Error*, byte*> finder) => s_finder = finder;

        /// <summary>The program's bytes (free with KernelHeap.Free), or null if no source has it, with why.</summary>
        internal static byte* Find(byte* name, int length, out ulong size, out Error error)
        {
            ulong found = 0;
            Error why = Error.NotFound;
            byte* file = s_finder == null ? null : s_finder(name, length, &found, &why);
            size = found;
            error = file == null ? why : Error.None;
            return file;
        }
    }
}
