namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// procfs: a file system with no stored files. Its root is the one lasting object; every other object (a
    /// process's directory, a generated file, a link) is made when a lookup names it and goes with its last
    /// reference, and a file's text is generated when it is opened (ProcOpenFile). Mounted on /proc at boot
    /// (RootFileSystem). Mounted read-write as on Linux; its objects refuse changes themselves (ProcNode).
    /// </summary>
    public sealed class ProcFileSystem : FileSystem
    {
        /// <summary>PROC_SUPER_MAGIC, what statfs reports.</summary>
        public const ulong ProcMagic = 0x9FA0;
        private readonly ProcNode _root;

        public ProcFileSystem()
        {
            _root = ProcNode.CreateRoot(this);
        }

        public override string TypeName => "proc";
        public override Vnode Root => _root;

        public override FileSystemStatistics Statistics => new FileSystemStatistics
        {
            Type = ProcMagic, BlockSize = 4096, MaximumNameLength = Name.MaximumLength,
        };

        /// <summary>Mounts a new procfs on 'root'/proc, making the directory (0555) if the boot image has none.</summary>
        public static void MountOn(Vnode root)
        {
            Vnode proc = RootFileSystem.EnsureDirectory(root, "proc", 0x16D);
            if (proc == null)
            {
                Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: no /proc directory: procfs not mounted");
                return;
            }
            Error error = MountTable.MountOn(proc, new ProcFileSystem(), "proc");
            if (error != Error.None)
                Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: procfs could not be mounted on /proc");
            proc.Release();
        }
    }
}
