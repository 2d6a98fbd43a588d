using Exo.PosixX.Vfs.Tmpfs;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// The file system tree every Linux process starts in: a tmpfs root filled from the boot image (the build
    /// packs a real directory tree into it), with /dev (a tmpfs of device nodes, as Linux's devtmpfs, and devpts on /dev/pts) and /proc
    /// (procfs) mounted on it at boot.
    /// </summary>
    public static unsafe class RootFileSystem
    {
        public static void Initialize()
        {
            TmpfsFileSystem root = new TmpfsFileSystem(0x1ED);   // 0755
            // Not "rootfs": that is Linux's hidden first root, always covered by the real one, and df, mount and
            // find_mount_point skip it by that name; here the tmpfs is the real root, so it is named as a tmpfs.
            MountTable.MountRoot(root, "tmpfs");
            BootImageLoader.Load(root.Root);
            MountDevices(root.Root);
            Proc.ProcFileSystem.MountOn(root.Root);
        }

        private static void MountDevices(Vnode root)
        {
            Vnode dev = EnsureDirectory(root, "dev", 0x1ED);
            if (dev == null)
                return;
            TmpfsFileSystem devices = new TmpfsFileSystem(0x1ED);
            Vnode top = devices.Root;
            AddDevice(top, "null", 0x1B6, Devices.MemoryMajor, Devices.Null);          // 0666
            AddDevice(top, "zero", 0x1B6, Devices.MemoryMajor, Devices.Zero);
            AddDevice(top, "full", 0x1B6, Devices.MemoryMajor, Devices.Full);
            AddDevice(top, "random", 0x1B6, Devices.MemoryMajor, Devices.Random);
            AddDevice(top, "urandom", 0x1B6, Devices.MemoryMajor, Devices.RandomNonBlocking);
            AddDevice(top, "tty", 0x1B6, Devices.TerminalMajor, Devices.CurrentTerminal);
            AddDevice(top, "console", 0x180, Devices.TerminalMajor, Devices.Console);   // 0600
            AddDevice(top, "ttyS0", 0x1B0, Devices.SerialMajor, Devices.FirstSerial);  // 0660
            AddDevice(top, "ptmx", 0x1B6, Devices.TerminalMajor, Devices.PseudoTerminalMultiplexer);
            PseudoTerminalFileSystem.MountOn(top);
            AddDevice(top, "dsp", 0x1B6, Devices.SoundMajor, Devices.Dsp);
            ServiceChannelDevices.Initialize(top);
            MountTable.MountOn(dev, devices, "devtmpfs");
            dev.Release();
        }

        private static void AddDevice(Vnode directory, string name, uint permissions, int major, int minor)
        {
            byte* bytes = stackalloc byte[16];
            for (int i = 0; i < name.Length; i++)
                bytes[i] = (byte)name[i];
            if (directory.Create(new Name(bytes, name.Length), FileMode.CharacterDevice | permissions, 0, 0, Devices.Number(major, minor), out Vnode node) == Error.None)
                node.Release();
        }

        /// <summary>The directory 'name' in 'parent', made with 'permissions' if missing; with a reference, or null.</summary>
        public static Vnode EnsureDirectory(Vnode parent, string name, uint permissions)
        {
            byte* bytes = stackalloc byte[Name.MaximumLength];
            for (int i = 0; i < name.Length; i++)
                bytes[i] = (byte)name[i];
            Name component = new Name(bytes, name.Length);
            if (parent.Lookup(component, out Vnode directory) == Error.None)
                return directory;
            return parent.Create(component, FileMode.Directory | permissions, 0, 0, 0, out directory) == Error.None ? directory : null;
        }
    }

    /// <summary>What a spawned Linux program's descriptors 0, 1 and 2 are: the console, or /dev/null without it.</summary>
    public static unsafe class StandardFiles
    {
        public static OpenFile Open(bool console)
        {
            string path = console ? "/dev/console" : "/dev/null";
            byte* bytes = stackalloc byte[16];
            for (int i = 0; i < path.Length; i++)
                bytes[i] = (byte)path[i];
            PathWalker.Context context;
            context.Root = context.Start = MountTable.RootDirectory;
            context.Credentials = default;
            if (PathWalker.Resolve(context, bytes, path.Length, followFinal: true, out Vnode node) != Error.None)
                return null;
            Error error = node.Open(OpenFlags.ReadWrite, out OpenFile file);
            node.Release();
            return error == Error.None ? file : null;
        }
    }
}
