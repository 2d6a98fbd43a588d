using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// One mount: a file system attached on a directory (the root's is attached on nothing). Never freed, even once
    /// unmounted: readers that walk the list without the lock (TmpfsPages) may still be on it, and its Next still
    /// leads them on (a few dozen bytes for each umount).
    /// </summary>
    public sealed unsafe class Mount
    {
        public FileSystem FileSystem;
        /// <summary>The directory it covers (with a reference while mounted), or null for the root mount.</summary>
        public Vnode MountPoint;
        public Mount Next;
        public byte* Source;   // what /proc/mounts names as the source ("tmpfs", "proc")
        public int SourceLength;
        /// <summary>umount2's MNT_EXPIRE marked it (a second MNT_EXPIRE unmounts it if it was not used in between).</summary>
        public bool MarkedToExpire;
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
            byte* bytes = stackalloc byte[source.Length];
            for (int i = 0; i < source.Length; i++)
                bytes[i] = (byte)source[i];
            return MountOn(point, fileSystem, bytes, source.Length);
        }

        /// <summary>Mounts 'fileSystem' on the directory 'point', 'source' its name in /proc/mounts (EBUSY if something is mounted there).</summary>
        public static Error MountOn(Vnode point, FileSystem fileSystem, byte* source, int sourceLength)
        {
            if (!point.IsDirectory)
                return Error.NotADirectory;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                if (point.MountedHere != null)
                    return Error.Busy;
            Mount mount = Add(fileSystem, point, source, sourceLength);
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                point.MountedHere = mount;
            return Error.None;
        }

        private static Mount Add(FileSystem fileSystem, Vnode point, string source)
        {
            byte* bytes = stackalloc byte[source.Length];
            for (int i = 0; i < source.Length; i++)
                bytes[i] = (byte)source[i];
            return Add(fileSystem, point, bytes, source.Length);
        }

        private static Mount Add(FileSystem fileSystem, Vnode point, byte* source, int sourceLength)
        {
            Mount mount = new Mount { FileSystem = fileSystem, MountPoint = point };
            point?.AddReference();
            fileSystem.Root.AddReference();
            mount.SourceLength = sourceLength;
            mount.Source = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized((ulong)(sourceLength + 1));
            for (int i = 0; i < sourceLength; i++)
                mount.Source[i] = source[i];
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

        /// <summary>The newest mount; each links to the one before (mounts are never freed, so a walk without the lock stays on live objects).</summary>
        public static Mount Newest => s_mounts;

        /// <summary>The mount whose file system's root is 'node' (the root mount included), or null: 'node' is no mount's root.</summary>
        public static Mount MountOf(Vnode node)
        {
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                for (Mount mount = s_mounts; mount != null; mount = mount.Next)
                    if (mount.FileSystem.Root == node)
                        return mount;
            return null;
        }

        /// <summary>
        /// The mount 'index' places from the oldest (for /proc/mounts, oldest first), with a reference on its mount point
        /// (null for the root mount); false past the last. A mount added or removed between two calls moves the others.
        /// </summary>
        public static bool ReferenceAt(int index, out Mount found, out Vnode mountPoint)
        {
            found = null;
            mountPoint = null;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                int count = 0;
                for (Mount mount = s_mounts; mount != null; mount = mount.Next)
                    count++;
                if (index >= count)
                    return false;
                found = s_mounts;
                for (int i = 0; i < count - 1 - index; i++)
                    found = found.Next;
                mountPoint = found.MountPoint;
                mountPoint?.AddReference();
                return true;
            }
        }

        /// <summary>
        /// Takes 'mount' (not the root's) out of the tree: EBUSY while another mount sits on one of its directories,
        /// EINVAL if it is no longer mounted. Whether its files are in use is the caller's to check first (umount2).
        /// </summary>
        public static Error Unmount(Mount mount)
        {
            Vnode point;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                point = mount.MountPoint;
                if (point == null || point.MountedHere != mount)
                    return Error.Invalid;
                for (Mount other = s_mounts; other != null; other = other.Next)
                    if (other.MountPoint != null && other.MountPoint.FileSystem == mount.FileSystem)
                        return Error.Busy;
                Mount previous = null;
                for (Mount other = s_mounts; other != mount; other = other.Next)
                    previous = other;
                // The unlinked mount keeps its Next: a reader standing on it goes on to the mounts before it.
                if (previous == null)
                    s_mounts = mount.Next;
                else
                    previous.Next = mount.Next;
                point.MountedHere = null;
                mount.MountPoint = null;
            }
            point.Release();
            mount.FileSystem.Root.Release();
            return Error.None;
        }
    }
}
