namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// sockfs: where sockets' nodes live (never mounted). Each socket has its own node, a socket owned by its creator,
    /// so fstat says S_ISSOCK and /proc/PID/fd names it "socket:[inode]" as Linux does.
    /// </summary>
    public sealed class SocketFileSystem : Vfs.FileSystem
    {
        public static readonly SocketFileSystem Instance = new SocketFileSystem();
        private readonly SocketNode _root;

        private SocketFileSystem() { _root = new SocketNode(this, Vfs.FileMode.Directory | 0x1ED); }

        public override string TypeName => "sockfs";
        public override Vfs.Vnode Root => _root;
        public override Vfs.FileSystemStatistics Statistics => new Vfs.FileSystemStatistics { Type = 0x534F434B, BlockSize = 4096, MaximumNameLength = 255 };
    }

    /// <summary>A socket's node.</summary>
    public sealed class SocketNode : Vfs.Vnode
    {
        public SocketNode(Vfs.FileSystem fileSystem, uint mode) : base(fileSystem, mode) { }
    }
}
