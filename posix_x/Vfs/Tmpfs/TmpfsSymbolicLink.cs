using Exo.Kernel.Memory.Heap;

namespace Exo.PosixX.Vfs.Tmpfs
{
    /// <summary>A tmpfs symbolic link: its target path, kept as given (at most PATH_MAX - 1 bytes).</summary>
    public sealed unsafe class TmpfsSymbolicLink : Vnode
    {
        private byte* _target;
        private int _length;

        private TmpfsSymbolicLink(TmpfsFileSystem fileSystem, uint userId, uint groupId) : base(fileSystem, FileMode.SymbolicLink | 0x1FF)
        {
            UserId = userId;
            GroupId = groupId;
        }

        public static TmpfsSymbolicLink Create(TmpfsFileSystem fileSystem, byte* target, int length, uint userId, uint groupId)
        {
            if (length <= 0 || length >= PathWalker.MaximumPathLength)
                return null;
            byte* copy = (byte*)KernelHeap.AllocateUninitialized((ulong)length);
            if (copy == null)
                return null;
            for (int i = 0; i < length; i++)
                copy[i] = target[i];
            TmpfsSymbolicLink link = new TmpfsSymbolicLink(fileSystem, userId, groupId);
            link._target = copy;
            link._length = length;
            return link;
        }

        public override ulong Size => (ulong)_length;

        public override Error ReadLink(byte* buffer, int capacity, out int length)
        {
            length = _length < capacity ? _length : capacity;
            for (int i = 0; i < length; i++)
                buffer[i] = _target[i];
            Accessed = Timestamp.Now;
            return Error.None;
        }

        protected override void Destroy()
        {
            KernelHeap.Free(_target);
            base.Destroy();
        }
    }
}
