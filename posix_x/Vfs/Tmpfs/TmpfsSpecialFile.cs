namespace Exo.PosixX.Vfs.Tmpfs
{
    /// <summary>
    /// A FIFO, device node or socket placed in tmpfs (mkfifo, mknod): open goes to what the node names, a pipe for
    /// a FIFO, the device's driver for a device number (Devices), nothing for a socket (ENXIO).
    /// </summary>
    public sealed class TmpfsSpecialFile : Vnode
    {
        public TmpfsSpecialFile(TmpfsFileSystem fileSystem, uint mode, uint userId, uint groupId, ulong device) : base(fileSystem, mode)
        {
            UserId = userId;
            GroupId = groupId;
            Device = device;
        }

        public override Error Open(int flags, out OpenFile file)
        {
            uint type = Type;
            if (type == FileMode.CharacterDevice)
                return Devices.Open(this, flags, out file);
            file = null;
            if (type != FileMode.Fifo)
                return Error.NoSuchDevice;
            int access = flags & OpenFlags.AccessMask;
            if (access == OpenFlags.ReadWrite)
                return Error.Invalid;   // one end per open (Linux allows O_RDWR on a FIFO; nothing here needs it yet)
            Pipes.Pipe created = _fifo == null ? Pipes.Pipe.Create() : null;
            Pipes.Pipe pipe, unused = null;
            TmpfsFileSystem fileSystem = (TmpfsFileSystem)FileSystem;
            using (Exo.Kernel.Sync.InterruptMask.Enter())
            using (fileSystem.Lock.Hold())
            {
                if (_fifo == null)
                    _fifo = created;
                else
                    unused = created;
                pipe = _fifo;
            }
            unused?.Free();
            if (pipe == null)
                return Error.OutOfMemory;
            if (access == OpenFlags.WriteOnly && (flags & OpenFlags.NonBlocking) != 0 && pipe.Readers == 0)
                return Error.NoSuchDevice;   // ENXIO: a non-blocking writer needs a reader
            file = new Pipes.PipeEnd(this, pipe, access == OpenFlags.ReadOnly, flags, ownsPipe: false);
            return Error.None;
        }

        // A FIFO's pipe: made at its first open, kept with the node (its buffer empties as its ends close).
        private Pipes.Pipe _fifo;

        protected override void Destroy()
        {
            _fifo?.Free();
            base.Destroy();
        }
    }
}
