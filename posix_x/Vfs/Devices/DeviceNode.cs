namespace Exo.PosixX.Vfs
{
    /// <summary>A device node a kernel file system makes itself (devpts's ptmx and slaves): open goes to the device's driver.</summary>
    public sealed class DeviceNode : Vnode
    {
        public DeviceNode(FileSystem fileSystem, uint permissions, ulong device, uint userId, uint groupId)
            : base(fileSystem, FileMode.CharacterDevice | permissions)
        {
            Device = device;
            UserId = userId;
            GroupId = groupId;
        }

        public override Error Open(int flags, out OpenFile file) => Devices.Open(this, flags, out file);
    }
}
