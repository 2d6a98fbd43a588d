using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>One mount: a file system attached on a directory (the root's is attached on nothing).</summary>
    public sealed unsafe class Mount
    {
        public FileSystem FileSystem;
        /// <summary>The directory it covers (with a reference), or null for the root mount.</summary>
        public Vnode MountPoint;
        public Mount Next;
        public byte* Source;   // what /proc/mounts names as the source ("tmpfs", "proc")
        public int SourceLength;
    }

    /// <summary>
    /// The mount table: the root file system and what is mounted where. A walk that reaches a directory with a
    /// mount goes on in the mounted file system's root; ".." from a mounted root goes to the mount point's parent.
    /// One lock guards the table and every directory's MountedHere.
    /// </summary>
    public static unsafe class MountTable
    {
        private static Mount s_mounts;
        private static TicketLock s_lock;

        public static Mount Root { get; private set; }

        public static Vnode RootDirectory => Root.FileSystem.Root;

        /// <summary>Makes 'fileSystem' the root (once, at boot).</summary>
        public static void MountRoot(FileSystem fileSystem, string source)
        {
            s_lock.Rank = LockRank.FileSystem;
            Root = Add(fileSystem, null, source);
        }

        /// <summary>Mounts 'fileSystem' on the directory 'point' (EBUSY if something is mounted there).</summary>
        public static Error MountOn(Vnode point, FileSystem fileSystem, string source)
        {
            if (!point.IsDirectory)
                return Error.NotADirectory;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                if (point.MountedHere != null)
                    return Error.Busy;
            Mount mount = Add(fileSystem, point, source);
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                point.MountedHere = mount;
            return Error.None;
        }

        private static Mount Add(FileSystem fileSystem, Vnode point, string source)
        {
            Mount mount = new Mount { FileSystem = fileSystem, MountPoint = point };
            point?.AddReference();
            fileSystem.Root.AddReference();
            mount.SourceLength = source.Length;
            mount.Source = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized((ulong)(source.Length + 1));
            for (int i = 0; i < source.Length; i++)
                mount.Source[i] = (byte)source[i];
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                mount.Next = s_mounts;
                s_mounts = mount;
            }
            return mount;
        }

        /// <summary>The directory to go on in: the root of what is mounted on 'node', repeatedly, or 'node' itself (references moved).</summary>
        public static Vnode Cross(Vnode node)
        {
            while (node.IsDirectory)
            {
                Mount mount;
                using (InterruptMask.Enter())
                using (s_lock.Hold())
                    mount = node.MountedHere;
                if (mount == null)
                    return node;
                Vnode root = mount.FileSystem.Root;
                root.AddReference();
                node.Release();
                node = root;
            }
            return node;
        }

        /// <summary>If 'node' is a mounted file system's root (not the system root): the mount point, with a reference; else null.</summary>
        public static Vnode MountPointOf(Vnode node)
        {
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                for (Mount mount = s_mounts; mount != null; mount = mount.Next)
                {
                    if (mount.MountPoint != null && mount.FileSystem.Root == node)
                    {
                        mount.MountPoint.AddReference();
                        return mount.MountPoint;
                    }
                }
            }
            return null;
        }

        /// <summary>The newest mount; each links to the one before (for /proc/mounts: mounts are never freed yet, so no lock).</summary>
        public static Mount Newest => s_mounts;
    }
}
