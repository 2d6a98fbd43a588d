using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// An open file of a ringfs mount. A plain OpenFile holds its offset's spin lock across the read or write (with
    /// interrupts masked); here the read or write sleeps until the server answers, so the offset is read under the
    /// lock, the request made with no lock held, and the offset moved afterwards. Two threads sharing one
    /// description may then read the same bytes (Linux serialises them with a sleeping lock; none exists here yet).
    /// </summary>
    public sealed class RemoteOpenFile : OpenFile
    {
        public RemoteOpenFile(RemoteVnode node, int flags) : base(node, flags) { }

        private ulong TakeOffset(bool append)
        {
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                if (append)
                    Offset = Node.Size;
                return Offset;
            }
        }

        private void MoveOffset(ulong to)
        {
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
                Offset = to;
        }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            ulong offset = TakeOffset(false);
            Error error = ReadAt(offset, buffer, count, out done);
            MoveOffset(offset + done);
            return error;
        }

        // O_DIRECT reads go to the server, past the mount's page cache.
        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
            => ((RemoteVnode)Node).Read(offset, buffer, count, out done, direct: (Flags & OpenFlags.Direct) != 0);

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            ulong offset = TakeOffset((Flags & OpenFlags.Append) != 0);
            if (!FileSizeLimit.ClipWrite(offset, ref count))
                return FileSizeLimit.Exceeded();
            Error error = Node.Write(offset, buffer, count, out done);
            MoveOffset(offset + done);
            return error;
        }

        public override Error ReadDirectory(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Node.IsDirectory ? ListEntriesWithoutOffsetLock(buffer, count, out done) : Error.NotADirectory;
        }
    }
}
