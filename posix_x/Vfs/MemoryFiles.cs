namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// memfd_create's files: tmpfs files of a tmpfs never mounted (Linux's internal shmem mount), in no directory (no
    /// link: fstat's st_nlink is 0), named "memfd:NAME" for /proc/PID/fd ("/memfd:NAME (deleted)", as Linux shows it).
    /// Everything a tmpfs file does they do: read, write, truncate, shared mappings of the file's own frames; sealing
    /// (FileSeals) only when made with MFD_ALLOW_SEALING.
    /// </summary>
    public static unsafe class MemoryFiles
    {
        /// <summary>Linux's MFD_NAME_MAX_LEN: NAME_MAX less "memfd:".</summary>
        public const int MaximumNameLength = Name.MaximumLength - 6;
        private const uint Permissions = 0x1FF;   // 0777, as Linux's memfd inodes
        private static Tmpfs.TmpfsFileSystem s_fileSystem;

        /// <summary>Before the first memfd_create.</summary>
        public static void Initialize() => s_fileSystem = new Tmpfs.TmpfsFileSystem(FileMode.Directory | 0x1C0);

        /// <summary>Whether 'node' is a memfd's (its name is "memfd:NAME", kept as NameInParent with no parent).</summary>
        public static bool Holds(Vnode node) => node != null && node.FileSystem == s_fileSystem;

        /// <summary>
        /// A new empty memfd named 'name' ('length' bytes, at most MaximumNameLength), owned by 'userId' and 'groupId':
        /// its open file description, read-write, with the one reference the caller gives to a descriptor.
        /// </summary>
        public static Error Create(byte* name, int length, bool allowSealing, uint userId, uint groupId, out OpenFile file)
        {
            file = null;
            byte* fullName = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized((ulong)(6 + length));
            if (fullName == null)
                return Error.OutOfMemory;
            const string prefix = "memfd:";
            for (int i = 0; i < prefix.Length; i++)
                fullName[i] = (byte)prefix[i];
            for (int i = 0; i < length; i++)
                fullName[6 + i] = name[i];
            var node = new Tmpfs.TmpfsFile(s_fileSystem, FileMode.Regular | Permissions, userId, groupId);
            node.LinkCount = 0;
            node.NameInParent = fullName;   // freed with the node
            node.NameInParentLength = 6 + length;
            if (allowSealing)
                node.AllowSealing();
            node.AllowMemoryFileSize();
            node.TryGetWriteAccess();   // a new file: nobody runs it
            file = new OpenFile(node, OpenFlags.ReadWrite | OpenFlags.LargeFile);
            file.HoldsWriteAccess = true;
            node.Release();   // the description holds its own
            return Error.None;
        }
    }
}
