namespace Exo.PosixX.Vfs.Pipes
{
    /// <summary>
    /// pipefs: where anonymous pipes' nodes live (never mounted). Each pipe2 makes one node, a FIFO owned by the
    /// caller, so fstat and /proc/PID/fd describe the pipe as Linux does ("pipe:[inode]").
    /// </summary>
    public sealed class PipeFileSystem : FileSystem
    {
        public static readonly PipeFileSystem Instance = new PipeFileSystem();
        private readonly PipeNode _root;

        private PipeFileSystem() { _root = new PipeNode(this, FileMode.Directory | 0x1ED); }

        public override string TypeName => "pipefs";
        public override Vnode Root => _root;
        public override FileSystemStatistics Statistics => new FileSystemStatistics { Type = 0x50495045, BlockSize = 4096, MaximumNameLength = 255 };
    }

    /// <summary>An anonymous pipe's node.</summary>
    public sealed class PipeNode : Vnode
    {
        public PipeNode(FileSystem fileSystem, uint mode) : base(fileSystem, mode) { }
    }
}
