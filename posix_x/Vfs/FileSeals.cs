namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// File seals (fcntl's F_ADD_SEALS, F_GET_SEALS): what a tmpfs file (a memfd's) no longer allows. A memfd made with
    /// MFD_ALLOW_SEALING starts with none; every other tmpfs file, as Linux's shmem files, with F_SEAL_SEAL (no seal
    /// may be added). Seals only grow. Tmpfs.TmpfsFile checks them in write and truncate, mmap (MemoryCalls) refuses a
    /// writable shared mapping of a write-sealed file. As Linux 6.2: F_SEAL_EXEC is not offered.
    /// </summary>
    public static class FileSeals
    {
        // Linux's uapi fcntl.h.
        public const int Seal = 1, Shrink = 2, Grow = 4, Write = 8, FutureWrite = 0x10;
        public const int All = Seal | Shrink | Grow | Write | FutureWrite;
        /// <summary>The seals that forbid writing (write(2), a writable shared mapping).</summary>
        public const int Writing = Write | FutureWrite;

        /// <summary>
        /// F_ADD_SEALS: EPERM on a description not open for writing or a file sealed with F_SEAL_SEAL, EINVAL for an
        /// unknown seal or a file that takes none.
        /// </summary>
        public static Error Add(OpenFile file, int seals)
        {
            if (!file.CanWrite)
                return Error.NotPermitted;
            if ((seals & ~All) != 0 || file.Node is not Tmpfs.TmpfsFile memory)
                return Error.Invalid;
            return memory.AddSeals(seals);
        }

        /// <summary>The seals of 'node' (0 for a file that takes none).</summary>
        public static int Of(Vnode node) => node is Tmpfs.TmpfsFile memory ? memory.Seals : 0;

        /// <summary>F_GET_SEALS: the file's seals, EINVAL for a file that takes none.</summary>
        public static Error Get(OpenFile file, out int seals)
        {
            seals = 0;
            if (file.Node is not Tmpfs.TmpfsFile memory)
                return Error.Invalid;
            seals = memory.Seals;
            return Error.None;
        }
    }
}
