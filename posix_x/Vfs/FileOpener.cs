using Exo.Kernel.Memory.Heap;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Translation;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// open(2)'s resolution, creation and checks, as Linux does them: the parent directory, the last component
    /// looked up (created with O_CREAT: mode less the umask, owned by the caller's effective ids; EEXIST with
    /// O_EXCL), a final symbolic link followed unless O_NOFOLLOW (ELOOP), O_DIRECTORY on a non-directory ENOTDIR,
    /// a directory opened for writing EISDIR, read and write permission by the mode bits, O_TRUNC.
    /// </summary>
    public static unsafe class OpenFiles
    {
        public static Error Open(ulong directoryDescriptor, ulong userPath, int flags, uint mode, out OpenFile file)
        {
            file = null;
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return Error.OutOfMemory;
            Error error = PathWalker.CopyPath(userPath, path, out int length);
            if (error == Error.None)
            {
                error = DescriptorContext.At(directoryDescriptor, path, length, out PathWalker.Context context);
                if (error == Error.None)
                {
                    error = OpenPath(context, path, length, flags, mode, out file);
                    DescriptorContext.Release(context);
                }
            }
            KernelHeap.Free(path);
            return error;
        }

        /// <summary>Opens a path in the kernel's own path buffer (execve's program, the start files).</summary>
        public static Error OpenPath(in PathWalker.Context context, byte* path, int length, int flags, uint mode, out OpenFile file)
        {
            file = null;
            Error error;
            Vnode node;
            bool created;
            if ((flags & OpenFlags.TemporaryFile) == OpenFlags.TemporaryFile)
            {
                error = CreateUnnamed(context, path, length, flags, mode, out node, out created);
                flags &= ~OpenFlags.TemporaryFile;   // its O_DIRECTORY named the directory, not the file
            }
            else
                error = Lookup(context, path, length, flags, mode, 0, out node, out created);
            if (error != Error.None)
                return error;
            error = Check(node, flags, created, context.Credentials);
            // A regular file opened for writing counts among its writers (before O_TRUNC): ETXTBSY while it runs.
            bool writer = error == Error.None && node.IsRegular && OpenFlags.Writable(flags) && (flags & OpenFlags.Path) == 0;
            if (writer && !node.TryGetWriteAccess())
            {
                error = Error.TextBusy;
                writer = false;
            }
            if (error == Error.None && (flags & OpenFlags.Truncate) != 0 && node.IsRegular && OpenFlags.Writable(flags) && !created)
                error = node.SetSize(0);
            if (error == Error.None)
                error = node.Open(flags, out file);
            if (writer)
            {
                if (error == Error.None && file != null)
                    file.HoldsWriteAccess = true;
                else
                    node.PutWriteAccess();
            }
            node.Release();
            return error;
        }

        // 'links': symbolic links followed so far on the way to the created file (Linux's limit of 40 applies).
        private static Error Lookup(in PathWalker.Context context, byte* path, int length, int flags, uint mode, int links, out Vnode node, out bool created)
        {
            node = null;
            created = false;
            bool follow = (flags & OpenFlags.NoFollow) == 0;
            if ((flags & OpenFlags.Create) == 0)
            {
                Error error = PathWalker.Resolve(context, path, length, follow, out node);
                if (error == Error.None && !follow && node.IsSymbolicLink && (flags & OpenFlags.Path) == 0)
                {
                    node.Release();
                    node = null;
                    return Error.TooManySymbolicLinks;
                }
                return error;
            }
            Error parentError = PathWalker.ResolveParent(context, path, length, out Vnode parent, out Name last, out bool trailingSlash);
            if (parentError != Error.None)
                return parentError;
            if (last.Length == 0 || last.IsDot || last.IsDotDot || trailingSlash)
            {
                parent.Release();
                return Error.IsADirectory;   // O_CREAT on "/", ".", ".." or a path that names a directory
            }
            // O_EXCL where the caller may create: straight to Create, whose EEXIST is the answer for a taken name (a
            // lookup first would decide the same). Otherwise, as Linux orders it, EEXIST before EACCES and EROFS.
            if ((flags & OpenFlags.Exclusive) != 0 && parent.FileSystem.CreateRefusesTakenNames && !parent.FileSystem.ReadOnly
                && Permissions.Check(parent, context.Credentials, FileMode.Write | FileMode.Execute) == Error.None)
            {
                Error made = CreateRegular(context, parent, last, mode, out node);
                created = made == Error.None;
                parent.Release();
                return made;
            }
            Error found = Permissions.Check(parent, context.Credentials, FileMode.Execute);
            if (found == Error.None)
                found = parent.Lookup(last, out node);
            if (found == Error.None)
            {
                if ((flags & OpenFlags.Exclusive) != 0)
                {
                    parent.Release();
                    node.Release();
                    node = null;
                    return Error.AlreadyExists;
                }
                node = MountTable.Cross(node);
                if (node.IsSymbolicLink)
                {
                    Vnode link = node;
                    node = null;
                    Error followed = follow ? CreateThroughLink(context, parent, link, flags, mode, links, out node, out created)
                        : Error.TooManySymbolicLinks;
                    link.Release();
                    parent.Release();
                    return followed;
                }
                parent.Release();
                return Error.None;
            }
            if (found != Error.NotFound)
            {
                parent.Release();
                return found;
            }
            Error error2 = Permissions.Check(parent, context.Credentials, FileMode.Write | FileMode.Execute);
            if (error2 == Error.None && parent.FileSystem.ReadOnly)
                error2 = Error.ReadOnlyFileSystem;
            if (error2 == Error.None)
            {
                error2 = CreateRegular(context, parent, last, mode, out node);
                created = error2 == Error.None;
            }
            parent.Release();
            return error2;
        }

        // A regular file 'last' in 'parent', owned by the caller, with its mode less the process's umask.
        private static Error CreateRegular(in PathWalker.Context context, Vnode parent, Name last, uint mode, out Vnode node)
        {
            uint umask = LinuxProcess.Current.FileCreationMask;
            return parent.Create(last, FileMode.Regular | (mode & ~umask & FileMode.ChangeableMask),
                context.Credentials.FileSystemUserId, context.Credentials.FileSystemGroupId, 0, out node);
        }

        private static int s_unnamedCount;

        // O_TMPFILE: a regular file in the directory 'path' names, with no name there (made, then unlinked at once, so
        // that its space goes when its last descriptor closes). Write access is required, as Linux requires it.
        private static Error CreateUnnamed(in PathWalker.Context context, byte* path, int length, int flags, uint mode, out Vnode node, out bool created)
        {
            node = null;
            created = false;
            if (!OpenFlags.Writable(flags))
                return Error.Invalid;
            Error error = PathWalker.Resolve(context, path, length, followFinal: true, out Vnode directory);
            if (error != Error.None)
                return error;
            if (!directory.IsDirectory)
                error = Error.NotADirectory;
            if (error == Error.None)
                error = Permissions.Check(directory, context.Credentials, FileMode.Write | FileMode.Execute);
            if (error == Error.None && directory.FileSystem.ReadOnly)
                error = Error.ReadOnlyFileSystem;
            if (error == Error.None)
            {
                byte* name = stackalloc byte[32];
                int nameLength = UnnamedName(name, (uint)System.Threading.Interlocked.Increment(ref s_unnamedCount));
                Name unnamed = new Name(name, nameLength);
                error = CreateRegular(context, directory, unnamed, mode, out node);
                if (error == Error.None)
                {
                    directory.Remove(unnamed, directory: false);
                    created = true;
                }
            }
            directory.Release();
            return error;
        }

        // ".#tmpfile-N": the short-lived name an O_TMPFILE file has between its creation and its unlinking.
        private static int UnnamedName(byte* name, uint number)
        {
            const string Prefix = ".#tmpfile-";
            int length = 0;
            for (; length < Prefix.Length; length++)
                name[length] = (byte)Prefix[length];
            byte* digits = stackalloc byte[10];
            int count = 0;
            do { digits[count++] = (byte)('0' + number % 10); number /= 10; } while (number != 0);
            while (count > 0)
                name[length++] = digits[--count];
            return length;
        }

        // O_CREAT through a final symbolic link: its target is opened, or created when it does not exist (a dangling
        // link makes its target), relative to the link's directory, as Linux's open does.
        private static Error CreateThroughLink(in PathWalker.Context context, Vnode directory, Vnode link, int flags, uint mode, int links,
            out Vnode node, out bool created)
        {
            node = null;
            created = false;
            if (links >= PathWalker.MaximumSymbolicLinks)
                return Error.TooManySymbolicLinks;
            byte* target = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (target == null)
                return Error.OutOfMemory;
            Error error = link.ReadLink(target, PathWalker.MaximumPathLength, out int targetLength);
            if (error == Error.None)
            {
                PathWalker.Context fromLink = context;
                fromLink.Start = directory;
                error = Lookup(fromLink, target, targetLength, flags, mode, links + 1, out node, out created);
            }
            KernelHeap.Free(target);
            return error;
        }

        private static Error Check(Vnode node, int flags, bool created, in Credentials credentials)
        {
            if ((flags & OpenFlags.Directory) != 0 && !node.IsDirectory)
                return Error.NotADirectory;
            if ((flags & OpenFlags.Path) != 0)
                return Error.None;
            bool write = OpenFlags.Writable(flags) || (flags & OpenFlags.Truncate) != 0;
            if (node.IsDirectory && write)
                return Error.IsADirectory;
            if (write && node.FileSystem != null && node.FileSystem.ReadOnly && !created)
                return Error.ReadOnlyFileSystem;
            if (created)
                return Error.None;   // the creator may open what it made, whatever its mode
            uint access = (OpenFlags.Readable(flags) ? FileMode.Read : 0) | (write ? FileMode.Write : 0);
            return Permissions.Check(node, credentials, access);
        }
    }
}
