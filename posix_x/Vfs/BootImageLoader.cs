using Exo.Kernel.Boot;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Fills the root tmpfs from the boot image's cpio archives, one after the other (the root file system, then
    /// any later module such as the Debian root): every directory, regular file and symbolic link with its path
    /// and mode (owner root). A later archive's file or link replaces an earlier one's at the same path (the
    /// Debian root's /bin/ls replaces busybox's link, its etc/passwd the base one); a directory keeps what it
    /// holds and takes the later mode. A missing parent directory is made on the way (0755). A malformed entry or
    /// a name the file system refuses is reported and skipped: the system still starts.
    /// </summary>
    public static unsafe class BootImageLoader
    {
        public static void Load(Vnode root)
        {
            int skipped = 0;
            for (int archive = 0; archive < InitialRamDisk.ArchiveCount; archive++)
            {
                ulong offset = 0;
                while (true)
                {
                    CpioError error = InitialRamDisk.NextIn(archive, ref offset, out CpioEntry entry);
                    if (error == CpioError.End)
                        break;
                    if (error != CpioError.None)
                    {
                        Exo.Kernel.Console.KernelConsole.Write("posix_x: the boot image's archive is malformed: ");
                        Exo.Kernel.Console.KernelConsole.WriteLine(CpioArchive.Describe(error));
                        break;
                    }
                    if (entry.NameLength == 0 || (entry.NameLength == 1 && entry.Name[0] == (byte)'.'))
                        continue;
                    if (!Add(root, entry))
                        skipped++;
                }
            }
            if (skipped != 0)
            {
                Exo.Kernel.Console.KernelConsole.Write("posix_x: boot image entries skipped: ");
                Exo.Kernel.Console.KernelConsole.WriteDecimal((ulong)skipped);
                Exo.Kernel.Console.KernelConsole.WriteLine();
            }
        }

        private static bool Add(Vnode root, CpioEntry entry)
        {
            Vnode directory = ParentOf(root, entry.Name, entry.NameLength, out Name name);
            if (directory == null)
                return false;
            uint type = entry.Mode & FileMode.TypeMask;
            uint permissions = entry.Mode & FileMode.ChangeableMask;
            Error error;
            Vnode created;
            if (type == FileMode.Directory)
            {
                error = directory.Lookup(name, out created);
                if (error == Error.None)
                    created.Mode = FileMode.Directory | permissions;   // made earlier as a parent: its own mode now
                else
                    error = directory.Create(name, FileMode.Directory | permissions, 0, 0, 0, out created);
            }
            else if (type == FileMode.SymbolicLink)
            {
                RemoveEarlier(directory, name);
                error = directory.CreateSymbolicLink(name, entry.Data, (int)entry.Size, 0, 0, out created);
            }
            else if (type == FileMode.Regular)
            {
                RemoveEarlier(directory, name);
                error = directory.Create(name, FileMode.Regular | permissions, 0, 0, 0, out created);
                if (error == Error.None && entry.Size > 0)
                    error = created.Write(0, IoBuffer.Kernel(entry.Data), entry.Size, out _);
            }
            else
            {
                directory.Release();
                return false;
            }
            directory.Release();
            created?.Release();
            return error == Error.None;
        }

        // An earlier archive's file or link at the same path gives way to the later one (a directory stays: the
        // create then fails and the entry is reported as skipped).
        private static void RemoveEarlier(Vnode directory, Name name)
        {
            if (directory.Lookup(name, out Vnode existing) != Error.None)
                return;
            bool isDirectory = existing.IsDirectory;
            existing.Release();
            if (!isDirectory)
                directory.Remove(name, false);
        }

        // The directory that holds the path's last component (made, 0755, where missing), with a reference.
        private static Vnode ParentOf(Vnode root, byte* path, int length, out Name last)
        {
            int start = 0;
            Vnode current = root;
            current.AddReference();
            while (true)
            {
                int end = start;
                while (end < length && path[end] != (byte)'/')
                    end++;
                Name component = new Name(path + start, end - start);
                if (end >= length)
                {
                    last = component;
                    return current;
                }
                if (component.Length > 0 && !component.IsDot)
                {
                    if (current.Lookup(component, out Vnode next) != Error.None
                        && current.Create(component, FileMode.Directory | 0x1ED, 0, 0, 0, out next) != Error.None)
                    {
                        current.Release();
                        last = default;
                        return null;
                    }
                    current.Release();
                    current = next;
                }
                start = end + 1;
            }
        }
    }
}
