using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// An open /proc file: its text, generated whole when it was opened, in a buffer it owns (freed when it closes).
    /// Reads take slices at the offset, so a program reading a few bytes at a time, or at any offset, sees one
    /// consistent text, as Linux's seq_file gives. Seeks as Linux's seq_lseek: SEEK_SET and SEEK_CUR only.
    /// </summary>
    public sealed unsafe class ProcOpenFile : OpenFile
    {
        private byte* _text;
        private readonly ulong _length;

        public ProcOpenFile(Vnode node, int flags, byte* text, int length) : base(node, flags)
        {
            _text = text;
            _length = (ulong)length;
        }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                Error error = Slice(_text, _length, Offset, buffer, count, out done);
                Offset += done;
                return error;
            }
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
            => Slice(_text, _length, offset, buffer, count, out done);

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.AccessDenied;
        }

        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.AccessDenied;
        }

        public override Error Seek(long offset, int whence, out ulong position)
        {
            position = 0;
            using (InterruptMask.Enter())
            using (OffsetLock.Hold())
            {
                long basis = whence == SeekSet ? 0 : whence == SeekCurrent ? (long)Offset : -1;
                if (basis < 0)
                    return Error.Invalid;
                long target = basis + offset;
                if (target < 0)
                    return Error.Invalid;
                Offset = (ulong)target;
                position = Offset;
                return Error.None;
            }
        }

        /// <summary>Copies what lies at [offset, offset + count) of a text to 'buffer'; 0 bytes past its end.</summary>
        internal static Error Slice(byte* text, ulong length, ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (offset >= length || count == 0)
                return Error.None;
            ulong available = length - offset;
            ulong take = count < available ? count : available;
            if (!buffer.CopyIn(0, text + offset, take))
                return Error.BadAddress;
            done = take;
            return Error.None;
        }

        protected override void Destroy()
        {
            KernelHeap.Free(_text);
            _text = null;
            base.Destroy();
        }
    }

    /// <summary>
    /// An open /proc directory. getdents64 as OpenFile's, but each entry is read with no lock held: listing processes,
    /// descriptors and threads takes the registry's and the processes' locks, which rank before an open file's
    /// offset lock (LockRank). The cursor is read and stored under that lock; two threads reading one open directory
    /// at once may both see the same entries (Linux serializes them; nothing here depends on it).
    /// </summary>
    public sealed unsafe class ProcDirectoryFile : OpenFile
    {
        public ProcDirectoryFile(Vnode node, int flags) : base(node, flags) { }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.IsADirectory;
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.IsADirectory;
        }

        public override Error ReadDirectory(IoBuffer buffer, ulong count, out ulong done) => ListEntriesWithoutOffsetLock(buffer, count, out done);
    }
}
