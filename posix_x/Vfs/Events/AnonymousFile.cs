namespace Exo.PosixX.Vfs.Events
{
    /// <summary>
    /// What eventfd, epoll, timerfd and signalfd descriptions share: they stand on anon_inodefs's node, seeking does
    /// nothing (Linux's noop_llseek: lseek answers 0), pread and pwrite are ESPIPE.
    /// </summary>
    public abstract class AnonymousFile : OpenFile
    {
        protected AnonymousFile(int flags) : base(AnonymousFileSystem.Node, flags) { }

        /// <summary>What /proc/PID/fd calls it: "anon_inode:[KindName]".</summary>
        public abstract string KindName { get; }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.None; }
    }
}
