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
            byte* bytes = stackalloc byte[source.Length];
            for (int i = 0; i < source.Length; i++)
                bytes[i] = (byte)source[i];
            Root = Add(fileSystem, null, bytes, source.Length);
        }

        /// <summary>Mounts 'fileSystem' on the directory 'point' (EBUSY if something is mounted there), named 'source' in /proc/mounts.</summary>
        public static Error MountOn(Vnode point, FileSystem fileSystem, string source)
        {
            byte* bytes = stackalloc byte[source.Length];
            for (int i = 0; i < source.Length; i++)
                bytes[i] = (byte)source[i];
            return MountOn(point, fileSystem, bytes, source.Length);
        }

        public static Error MountOn(Vnode point, FileSystem fileSystem, byte* source, int sourceLength)
        {
            if (!point.IsDirectory)
                return Error.NotADirectory;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                if (point.MountedHere != null)
                    return Error.Busy;
                if (s_count >= MaximumMounts)
                    return Error.OutOfMemory;
            }
            Mount mount = Add(fileSystem, point, source, sourceLength);
            if (mount == null)
                return Error.OutOfMemory;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                point.MountedHere = mount;
            return Error.None;
        }

        private static Mount Add(FileSystem fileSystem, Vnode point, byte* source, int sourceLength)
        {
            Mount mount = new Mount { FileSystem = fileSystem, MountPoint = point };
            mount.Source = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized((ulong)(sourceLength + 1));
            if (mount.Source == null)
            {
                Exo.Runtime.ObjectAllocator.Free(mount);
                return null;
            }
            point?.AddReference();
            fileSystem.Root.AddReference();
            mount.SourceLength = sourceLength;
            for (int i = 0; i < sourceLength; i++)
                mount.Source[i] = source[i];
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                mount.Next = s_mounts;
                s_mounts = mount;
                s_count++;
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

        /// <summary>The most mounts at once (an explicit limit; Linux's default mount-max is 100,000).</summary>
        public const int MaximumMounts = 32;
        private static int s_count;

        /// <summary>What /proc/mounts shows of one mount, copied under the table's lock (its mount point referenced).</summary>
        public struct Snapshot
        {
            public FileSystem FileSystem;
            public Vnode MountPoint;
            public fixed byte Source[32];
            public int SourceLength;
            public bool ReadOnly;
        }

        /// <summary>
        /// Copies the table, oldest mount first, into a new array of MaximumMounts entries: the number copied. Each
        /// mount point comes with a reference: give them back, and the array, with <see cref="ReleaseSnapshot"/>.
        /// </summary>
        public static int TakeSnapshot(out Snapshot[] into)
        {
            into = new Snapshot[MaximumMounts];
            if (into == null)
                return 0;
            int count = 0;
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                for (Mount mount = s_mounts; mount != null && count < MaximumMounts; mount = mount.Next)
                    count++;
                int index = count;
                for (Mount mount = s_mounts; mount != null && index > 0; mount = mount.Next)
                {
                    ref Snapshot entry = ref into[--index];
                    entry.FileSystem = mount.FileSystem;
                    entry.MountPoint = mount.MountPoint;
                    mount.MountPoint?.AddReference();
                    entry.SourceLength = mount.SourceLength < 32 ? mount.SourceLength : 32;
                    for (int i = 0; i < entry.SourceLength; i++)
                        entry.Source[i] = mount.Source[i];
                    entry.ReadOnly = mount.FileSystem.ReadOnly;
                }
            }
            return count;
        }

        public static void ReleaseSnapshot(Snapshot[] entries, int count)
        {
            if (entries == null)
                return;
            for (int i = 0; i < count; i++)
                entries[i].MountPoint?.Release();
            Exo.Runtime.ObjectAllocator.Free(entries);
        }

        /// <summary>The mount whose file system's root is 'root' (not the system root's), or null.</summary>
        public static Mount MountOf(Vnode root)
        {
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                for (Mount mount = s_mounts; mount != null; mount = mount.Next)
                    if (mount.MountPoint != null && mount.FileSystem.Root == root)
                        return mount;
            return null;
        }

        /// <summary>Whether some mount sits on a directory of 'fileSystem' (it cannot be unmounted before them).</summary>
        public static bool HasMountsInside(FileSystem fileSystem)
        {
            using (InterruptMask.Enter())
            using (s_lock.Hold())
                for (Mount mount = s_mounts; mount != null; mount = mount.Next)
                    if (mount.MountPoint != null && mount.MountPoint.FileSystem == fileSystem)
                        return true;
            return false;
        }

        /// <summary>
        /// Takes 'mount' off its directory and the table and frees it; its mount point's and file system root's
        /// references are given back. Readers of the table copy it under the lock (TakeSnapshot), so none is left
        /// holding the mount.
        /// </summary>
        public static void Unmount(Mount mount)
        {
            using (InterruptMask.Enter())
            using (s_lock.Hold())
            {
                mount.MountPoint.MountedHere = null;
                s_count--;
                if (s_mounts == mount)
                {
                    s_mounts = mount.Next;
                }
                else
                {
                    for (Mount previous = s_mounts; previous != null; previous = previous.Next)
                    {
                        if (previous.Next == mount)
                        {
                            previous.Next = mount.Next;
                            break;
                        }
                    }
                }
            }
            mount.MountPoint.Release();
            mount.FileSystem.Root.Release();
            Exo.Kernel.Memory.Heap.KernelHeap.Free(mount.Source);
            Exo.Runtime.ObjectAllocator.Free(mount);
        }
    }
}
