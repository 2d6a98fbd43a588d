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
            return type == FileMode.Fifo ? Error.NotSupported : Error.NoSuchDevice;
        }
    }
}
