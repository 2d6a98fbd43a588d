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
                error = DescriptorContext.At(directoryDescriptor, out PathWalker.Context context);
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
            Error error = Lookup(context, path, length, flags, mode, out Vnode node, out bool created);
            if (error != Error.None)
                return error;
            error = Check(node, flags, created, context.Credentials);
            if (error == Error.None && (flags & OpenFlags.Truncate) != 0 && node.IsRegular && OpenFlags.Writable(flags) && !created)
                error = node.SetSize(0);
            if (error == Error.None)
                error = node.Open(flags, out file);
            node.Release();
            return error;
        }

        private static Error Lookup(in PathWalker.Context context, byte* path, int length, int flags, uint mode, out Vnode node, out bool created)
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
                    node.Release();
                    node = null;
                    parent.Release();
                    if (!follow)
                        return Error.TooManySymbolicLinks;
                    return PathWalker.Resolve(context, path, length, followFinal: true, out node);
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
                uint umask = LinuxProcess.Current.FileCreationMask;
                error2 = parent.Create(last, FileMode.Regular | (mode & ~umask & FileMode.ChangeableMask),
                    context.Credentials.EffectiveUserId, context.Credentials.EffectiveGroupId, 0, out node);
                created = error2 == Error.None;
            }
            parent.Release();
            return error2;
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
