using Exo.PosixX.Tty;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// devpts, mounted on /dev/pts: "ptmx" (5:2, mode 0, as Linux's) and one character device per pseudo-terminal
    /// whose master is open, named by its number (136:N; the pair makes the node, owned by whoever opened the master,
    /// mode 0600 as Linux's default). Nothing else can be made in it.
    /// </summary>
    public sealed class PseudoTerminalFileSystem : FileSystem
    {
        /// <summary>DEVPTS_SUPER_MAGIC, what statfs reports.</summary>
        public const ulong DevptsMagic = 0x1CD1;
        /// <summary>A slave's permissions (devpts's mode= default).</summary>
        public const uint SlavePermissions = 0x180;   // 0600

        private static PseudoTerminalFileSystem s_mounted;
        private readonly PseudoTerminalDirectory _root;

        private PseudoTerminalFileSystem()
        {
            _root = new PseudoTerminalDirectory(this);
        }

        public override string TypeName => "devpts";
        public override Vnode Root => _root;

        public override FileSystemStatistics Statistics => new FileSystemStatistics
        {
            Type = DevptsMagic, BlockSize = 4096, MaximumNameLength = Name.MaximumLength,
        };

        /// <summary>Mounts devpts on 'dev'/pts (the directory made, 0755).</summary>
        public static void MountOn(Vnode dev)
        {
            Vnode pts = RootFileSystem.EnsureDirectory(dev, "pts", 0x1ED);
            if (pts == null)
                return;
            PseudoTerminal.Initialize();
            s_mounted = new PseudoTerminalFileSystem();
            if (MountTable.MountOn(pts, s_mounted, "devpts") != Error.None)
                Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: devpts could not be mounted on /dev/pts");
            pts.Release();
        }

        /// <summary>Pair 'index''s node, owned by 'userId' and 'groupId' (a reference for the pair).</summary>
        public static Vnode MakeSlaveNode(int index, uint userId, uint groupId)
            => new DeviceNode(s_mounted, SlavePermissions, Devices.Number(Devices.PseudoTerminalSlaveMajor, index), userId, groupId);
    }

    /// <summary>devpts's one directory: ptmx, then the open pairs by number.</summary>
    public sealed unsafe class PseudoTerminalDirectory : Vnode
    {
        private readonly DeviceNode _multiplexer;
        // getdents64's cursor: "." and ".." (0 to 2), ptmx (3), then pair N at FirstPair + N.
        private const ulong MultiplexerCursor = 3, FirstPair = 4;

        public PseudoTerminalDirectory(PseudoTerminalFileSystem fileSystem) : base(fileSystem, FileMode.Directory | 0x1ED)
        {
            _multiplexer = new DeviceNode(fileSystem, 0, Devices.Number(Devices.TerminalMajor, Devices.PseudoTerminalMultiplexer), 0, 0);
            LinkCount = 2;
        }

        public override Error Lookup(Name name, out Vnode child)
        {
            child = null;
            if (name.Length == 4 && name.Bytes[0] == (byte)'p' && name.Bytes[1] == (byte)'t' && name.Bytes[2] == (byte)'m' && name.Bytes[3] == (byte)'x')
            {
                _multiplexer.AddReference();
                child = _multiplexer;
                return Error.None;
            }
            int index = 0;
            if (name.Length == 0 || name.Length > 3 || (name.Length > 1 && name.Bytes[0] == (byte)'0'))
                return Error.NotFound;
            for (int i = 0; i < name.Length; i++)
            {
                byte digit = name.Bytes[i];
                if (digit < (byte)'0' || digit > (byte)'9')
                    return Error.NotFound;
                index = index * 10 + digit - '0';
            }
            child = PseudoTerminal.ReferenceNode(index);
            return child != null ? Error.None : Error.NotFound;
        }

        public override Error Create(Name name, uint mode, uint userId, uint groupId, ulong device, out Vnode created)
        {
            created = null;
            return Error.NotPermitted;
        }

        public override Error Remove(Name name, bool directory) => Error.NotPermitted;

        public override Error ReadEntry(ref ulong cursor, DirectoryEntry* entry)
        {
            if (cursor <= 1)
                return DirectoryEntry.Dots(ref cursor, entry, Inode, 1, 2);
            if (cursor == 2)
                return DirectoryEntry.Dots(ref cursor, entry, Inode, 2, MultiplexerCursor);
            if (cursor == MultiplexerCursor)
            {
                Fill(entry, _multiplexer.Inode, 0);
                entry->Name[0] = (byte)'p';
                entry->Name[1] = (byte)'t';
                entry->Name[2] = (byte)'m';
                entry->Name[3] = (byte)'x';
                entry->NameLength = 4;
                cursor = FirstPair;
                return Error.None;
            }
            int index = PseudoTerminal.NextOpen((int)(cursor - FirstPair));
            if (index < 0)
                return Error.NotFound;
            Vnode node = PseudoTerminal.ReferenceNode(index);
            if (node == null)
                return Error.NotFound;
            Fill(entry, node.Inode, index);
            node.Release();
            cursor = FirstPair + (ulong)index + 1;
            return Error.None;
        }

        // A device entry named by 'number' in decimal.
        private static void Fill(DirectoryEntry* entry, ulong inode, int number)
        {
            entry->Inode = inode;
            entry->Type = FileMode.DirectoryEntryType(FileMode.CharacterDevice);
            byte* digits = stackalloc byte[10];
            int count = 0;
            do { digits[count++] = (byte)('0' + number % 10); number /= 10; } while (number != 0);
            entry->NameLength = 0;
            while (count > 0)
                entry->Name[entry->NameLength++] = digits[--count];
        }
    }
}
