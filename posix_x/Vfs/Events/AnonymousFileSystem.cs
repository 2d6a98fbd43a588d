namespace Exo.PosixX.Vfs.Events
{
    /// <summary>
    /// Linux's anon_inodefs: the one node every eventfd, epoll, timerfd and signalfd description stands on (never
    /// mounted). Its mode has no file type, only 0600, as fstat shows on Linux.
    /// </summary>
    public sealed class AnonymousFileSystem : FileSystem
    {
        public static readonly AnonymousFileSystem Instance = new AnonymousFileSystem();
        private readonly AnonymousNode _node;

        private AnonymousFileSystem() { _node = new AnonymousNode(this); }

        public override string TypeName => "anon_inodefs";
        public override Vnode Root => _node;
        /// <summary>The shared node (the descriptions take their own references).</summary>
        public static Vnode Node => Instance._node;
        public override FileSystemStatistics Statistics => new FileSystemStatistics { Type = 0x09041934, BlockSize = 4096, MaximumNameLength = 255 };
    }

    /// <summary>anon_inodefs's node.</summary>
    public sealed class AnonymousNode : Vnode
    {
        public AnonymousNode(FileSystem fileSystem) : base(fileSystem, 0x180) { }
    }
}
