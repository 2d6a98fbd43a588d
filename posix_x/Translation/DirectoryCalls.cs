using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls on names and directories: getdents64, getdents (the old record), getcwd, chdir, fchdir, chroot, mkdir(at), rmdir,
    /// unlink(at), rename(at, at2), link(at), symlink(at), readlink(at), mknod(at). Write and search permission on
    /// the directory changed, the sticky bit's rule for removals, and EROFS on a read-only mount are checked here.
    /// </summary>
    public static unsafe class DirectoryCalls
    {
        private const int RenameNoReplace = 1, RenameExchange = 2;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Getdents64, &DoReadDirectory, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getdents, &DoReadDirectoryOldRecords, CallPath.Legacy);
            LinuxSystemCalls.Register(Getcwd, &DoGetWorkingDirectory, CallPath.Hybrid);
            LinuxSystemCalls.Register(Chdir, &DoChangeDirectory, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fchdir, &DoChangeDirectoryToFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Chroot, &DoChangeRoot, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mkdir, &DoMakeDirectory, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mkdirat, &DoMakeDirectoryAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mknod, &DoMakeNode, CallPath.Hybrid);
            LinuxSystemCalls.Register(Mknodat, &DoMakeNodeAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Rmdir, &DoRemoveDirectory, CallPath.Hybrid);
            LinuxSystemCalls.Register(Unlink, &DoUnlink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Unlinkat, &DoUnlinkAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Rename, &DoRename, CallPath.Hybrid);
            LinuxSystemCalls.Register(Renameat, &DoRenameAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Renameat2, &DoRenameAt2, CallPath.Hybrid);
            LinuxSystemCalls.Register(Link, &DoLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Linkat, &DoLinkAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Symlink, &DoSymbolicLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Symlinkat, &DoSymbolicLinkAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Readlink, &DoReadLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Readlinkat, &DoReadLinkAt, CallPath.Hybrid);
        }

        private static ulong AtWorking => unchecked((ulong)DescriptorContext.WorkingDirectory);

        // ---------------------------------------------------------------- reading directories, the working directory

        private static ulong DoReadDirectory(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong count = frame->Argument2, done = 0;
            Error error = count > 0 && !UserMemory.IsUserRange(frame->Argument1, count) ? Error.BadAddress
                : file.ReadDirectory(IoBuffer.User(frame->Argument1), count, out done);
            file.Release();
            return SystemCallResult.From(error, done);
        }

        /// <summary>The most getdents (the old call) lists at once: a kernel page of records.</summary>
        private const ulong OldRecordsChunk = 4096;

        // getdents(fd, struct linux_dirent*, count): d_ino, d_off, d_reclen, the name and its zero, d_type in the record's
        // last byte. A record is as long as getdents64's for the same name (both 20 bytes and the name, 8-aligned), so
        // getdents64's records are read into a kernel page and rewritten in place.
        private static ulong DoReadDirectoryOldRecords(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong count = frame->Argument2, done = 0;
            byte* records = (byte*)KernelHeap.Allocate(OldRecordsChunk);
            Error error = records == null ? Error.OutOfMemory
                : count > 0 && !UserMemory.IsUserRange(frame->Argument1, count) ? Error.BadAddress
                : file.ReadDirectory(IoBuffer.Kernel(records), count < OldRecordsChunk ? count : OldRecordsChunk, out done);
            file.Release();
            for (ulong at = 0; error == Error.None && at < done;)
            {
                byte* record = records + at;
                ushort length = *(ushort*)(record + 16);
                byte type = record[18];
                int i = 0;
                for (; record[19 + i] != 0; i++)
                    record[18 + i] = record[19 + i];
                record[18 + i] = 0;
                record[length - 1] = type;
                at += length;
            }
            if (error == Error.None && done > 0 && !UserMemory.CopyToUser(frame->Argument1, records, done))
                error = Error.BadAddress;
            if (records != null)
                KernelHeap.Free(records);
            return SystemCallResult.From(error, done);
        }

        private static ulong DoGetWorkingDirectory(RegisterFrame* frame)
        {
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return SystemCallResult.From(Error.OutOfMemory);
            PathWalker.Context context = LinuxProcess.Current.ReferencePathContext();
            Error error = Paths.Of(context.Root, context.Start, path, PathWalker.MaximumPathLength, out int length);
            DescriptorContext.Release(context);
            ulong result;
            if (error != Error.None)
                result = SystemCallResult.From(error);
            else if ((ulong)length + 1 > frame->Argument1)
                result = SystemCallResult.From(Error.OutOfRange);
            else
            {
                path[length] = 0;
                result = UserMemory.CopyToUser(frame->Argument0, path, (ulong)length + 1) ? (ulong)length + 1 : SystemCallResult.From(Error.BadAddress);
            }
            KernelHeap.Free(path);
            return result;
        }

        private static ulong DoChangeDirectory(RegisterFrame* frame)
        {
            Error error = DescriptorContext.ResolveAt(AtWorking, frame->Argument0, true, false, out Vnode node);
            return SystemCallResult.From(error == Error.None ? SetWorkingDirectory(node) : error);
        }

        private static ulong DoChangeDirectoryToFile(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Vnode node = file.Node;
            node.AddReference();
            file.Release();
            return SystemCallResult.From(SetWorkingDirectory(node));
        }

        // Takes 'node''s reference: it becomes the working directory, or is released.
        private static Error SetWorkingDirectory(Vnode node)
        {
            LinuxProcess process = LinuxProcess.Current;
            Error error = !node.IsDirectory ? Error.NotADirectory : Permissions.Check(node, process.Credentials, FileMode.Execute);
            if (error != Error.None)
            {
                node.Release();
                return error;
            }
            Vnode previous;
            using (process.Lock.Hold())
            {
                previous = process.WorkingDirectory;
                process.WorkingDirectory = node;
            }
            previous.Release();
            return Error.None;
        }

        private static ulong DoChangeRoot(RegisterFrame* frame)
        {
            LinuxProcess process = LinuxProcess.Current;
            if (!process.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            Error error = DescriptorContext.ResolveAt(AtWorking, frame->Argument0, true, false, out Vnode node);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (!node.IsDirectory)
            {
                node.Release();
                return SystemCallResult.From(Error.NotADirectory);
            }
            Vnode previous;
            using (process.Lock.Hold())
            {
                previous = process.RootDirectory;
                process.RootDirectory = node;
            }
            previous.Release();
            return 0;
        }

        // ---------------------------------------------------------------- making and removing names

        private static ulong DoMakeDirectory(RegisterFrame* frame) => MakeAt(AtWorking, frame->Argument0, FileMode.Directory | ((uint)frame->Argument1 & FileMode.ChangeableMask), 0);
        private static ulong DoMakeDirectoryAt(RegisterFrame* frame) => MakeAt(frame->Argument0, frame->Argument1, FileMode.Directory | ((uint)frame->Argument2 & FileMode.ChangeableMask), 0);
        private static ulong DoMakeNode(RegisterFrame* frame) => MakeNode(AtWorking, frame->Argument0, (uint)frame->Argument1, frame->Argument2);
        private static ulong DoMakeNodeAt(RegisterFrame* frame) => MakeNode(frame->Argument0, frame->Argument1, (uint)frame->Argument2, frame->Argument3);

        private static ulong MakeNode(ulong directory, ulong path, uint mode, ulong device)
        {
            uint type = mode & FileMode.TypeMask;
            if (type == 0)
                type = FileMode.Regular;
            if (type == FileMode.Directory)
                return SystemCallResult.From(Error.NotPermitted);   // Linux: directories are made by mkdir only
            if (!FileMode.IsValidType(type) || type == FileMode.SymbolicLink)
                return SystemCallResult.From(Error.Invalid);
            if ((type == FileMode.CharacterDevice || type == FileMode.BlockDevice) && !LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            // Linux's new_encode_dev for the numbers a program passes (major 12 bits, minor 20).
            ulong major = (device >> 8) & 0xFFF, minor = (device & 0xFF) | ((device >> 12) & 0xFFF00);
            return MakeAt(directory, path, type | (mode & FileMode.ChangeableMask), (major << 8) | minor);
        }

        private static ulong MakeAt(ulong directory, ulong userPath, uint mode, ulong device)
        {
            Error error = WithParent(directory, userPath, out Vnode parent, out Name last, out byte* buffer, out bool trailingSlash);
            if (error == Error.None)
            {
                LinuxProcess process = LinuxProcess.Current;
                if (last.Length == 0 || last.IsDot || last.IsDotDot)
                    error = Error.AlreadyExists;
                else if (trailingSlash && !FileMode.IsDirectory(mode))
                    error = Error.NotFound;
                else
                    error = CheckWritable(parent, process.Credentials);
                if (error == Error.None)
                {
                    uint masked = (mode & FileMode.TypeMask) | (mode & FileMode.ChangeableMask & ~process.FileCreationMask);
                    error = parent.Create(last, masked, process.Credentials.FileSystemUserId, process.Credentials.FileSystemGroupId, device, out Vnode created);
                    created?.Release();
                }
                parent.Release();
            }
            KernelHeap.Free(buffer);
            return SystemCallResult.From(error);
        }

        private static ulong DoRemoveDirectory(RegisterFrame* frame) => RemoveAt(AtWorking, frame->Argument0, removeDirectory: true);
        private static ulong DoUnlink(RegisterFrame* frame) => RemoveAt(AtWorking, frame->Argument0, removeDirectory: false);

        private static ulong DoUnlinkAt(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument2;
            if ((flags & ~DescriptorContext.AtRemoveDirectory) != 0)
                return SystemCallResult.From(Error.Invalid);
            return RemoveAt(frame->Argument0, frame->Argument1, (flags & DescriptorContext.AtRemoveDirectory) != 0);
        }

        private static ulong RemoveAt(ulong directory, ulong userPath, bool removeDirectory)
        {
            Error error = WithParent(directory, userPath, out Vnode parent, out Name last, out byte* buffer, out bool trailingSlash);
            if (error == Error.None)
            {
                if (last.Length == 0)
                    error = Error.Busy;   // "/"
                else if (last.IsDot)
                    error = removeDirectory ? Error.Invalid : Error.IsADirectory;
                else if (last.IsDotDot)
                    error = removeDirectory ? Error.NotEmpty : Error.IsADirectory;
                else
                    error = Remove(parent, last, removeDirectory, trailingSlash);
                parent.Release();
            }
            KernelHeap.Free(buffer);
            return SystemCallResult.From(error);
        }

        private static Error Remove(Vnode parent, Name last, bool directory, bool trailingSlash)
        {
            Credentials credentials = LinuxProcess.Current.Credentials;
            Error error = Permissions.Check(parent, credentials, FileMode.Execute);
            if (error != Error.None)
                return error;
            error = parent.Lookup(last, out Vnode entry);
            if (error != Error.None)
                return error;
            if (trailingSlash && !entry.IsDirectory)
                error = Error.NotADirectory;
            if (error == Error.None)
                error = Permissions.CheckRemove(parent, entry, credentials);
            if (error == Error.None && parent.FileSystem.ReadOnly)
                error = Error.ReadOnlyFileSystem;
            if (error == Error.None && entry.MountedHere != null)
                error = Error.Busy;
            entry.Release();
            return error == Error.None ? parent.Remove(last, directory) : error;
        }

        private static ulong DoRename(RegisterFrame* frame) => RenameAt(AtWorking, frame->Argument0, AtWorking, frame->Argument1, 0);
        private static ulong DoRenameAt(RegisterFrame* frame) => RenameAt(frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, 0);
        private static ulong DoRenameAt2(RegisterFrame* frame) => RenameAt(frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, (int)frame->Argument4);

        private static ulong RenameAt(ulong fromDirectory, ulong fromPath, ulong toDirectory, ulong toPath, int flags)
        {
            if ((flags & ~RenameNoReplace) != 0)
                return SystemCallResult.From(flags == RenameExchange ? Error.NotSupported : Error.Invalid);
            Error error = WithParent(fromDirectory, fromPath, out Vnode fromParent, out Name from, out byte* fromBuffer, out _);
            if (error != Error.None)
            {
                KernelHeap.Free(fromBuffer);
                return SystemCallResult.From(error);
            }
            error = WithParent(toDirectory, toPath, out Vnode toParent, out Name to, out byte* toBuffer, out _);
            if (error == Error.None)
            {
                Credentials credentials = LinuxProcess.Current.Credentials;
                if (from.Length == 0 || to.Length == 0 || from.IsDot || from.IsDotDot || to.IsDot || to.IsDotDot)
                    error = Error.Busy;
                else if (fromParent.FileSystem != toParent.FileSystem)
                    error = Error.CrossDevice;
                else if (fromParent.FileSystem.ReadOnly)
                    error = Error.ReadOnlyFileSystem;
                if (error == Error.None)
                    error = Permissions.Check(fromParent, credentials, FileMode.Write | FileMode.Execute);
                if (error == Error.None)
                    error = Permissions.Check(toParent, credentials, FileMode.Write | FileMode.Execute);
                if (error == Error.None && fromParent.Lookup(from, out Vnode moving) == Error.None)
                {
                    error = Permissions.CheckRemove(fromParent, moving, credentials);
                    if (error == Error.None && moving.MountedHere != null)
                        error = Error.Busy;
                    moving.Release();
                }
                if (error == Error.None && (flags & RenameNoReplace) != 0 && toParent.Lookup(to, out Vnode existing) == Error.None)
                {
                    existing.Release();
                    error = Error.AlreadyExists;
                }
                if (error == Error.None)
                    error = fromParent.Rename(from, toParent, to);
                toParent.Release();
            }
            fromParent.Release();
            KernelHeap.Free(fromBuffer);
            KernelHeap.Free(toBuffer);
            return SystemCallResult.From(error);
        }

        private static ulong DoLink(RegisterFrame* frame) => LinkAt(AtWorking, frame->Argument0, AtWorking, frame->Argument1, 0);
        private static ulong DoLinkAt(RegisterFrame* frame) => LinkAt(frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, (int)frame->Argument4);

        private static ulong LinkAt(ulong fromDirectory, ulong fromPath, ulong toDirectory, ulong toPath, int flags)
        {
            if ((flags & ~(DescriptorContext.AtSymlinkFollow | DescriptorContext.AtEmptyPath)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(fromDirectory, fromPath, (flags & DescriptorContext.AtSymlinkFollow) != 0,
                (flags & DescriptorContext.AtEmptyPath) != 0, out Vnode target);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = WithParent(toDirectory, toPath, out Vnode parent, out Name last, out byte* buffer, out bool trailingSlash);
            if (error == Error.None)
            {
                if (last.Length == 0 || last.IsDot || last.IsDotDot || trailingSlash)
                    error = Error.AlreadyExists;
                else if (target.IsDirectory)
                    error = Error.NotPermitted;
                else
                    error = CheckWritable(parent, LinuxProcess.Current.Credentials);
                if (error == Error.None)
                    error = parent.Link(last, target);
                parent.Release();
            }
            target.Release();
            KernelHeap.Free(buffer);
            return SystemCallResult.From(error);
        }

        private static ulong DoSymbolicLink(RegisterFrame* frame) => SymbolicLinkAt(frame->Argument0, AtWorking, frame->Argument1);
        private static ulong DoSymbolicLinkAt(RegisterFrame* frame) => SymbolicLinkAt(frame->Argument0, frame->Argument1, frame->Argument2);

        private static ulong SymbolicLinkAt(ulong userTarget, ulong directory, ulong userPath)
        {
            byte* target = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (target == null)
                return SystemCallResult.From(Error.OutOfMemory);
            Error error = PathWalker.CopyPath(userTarget, target, out int targetLength);
            if (error == Error.None)
            {
                error = WithParent(directory, userPath, out Vnode parent, out Name last, out byte* buffer, out bool trailingSlash);
                if (error == Error.None)
                {
                    if (last.Length == 0 || last.IsDot || last.IsDotDot || trailingSlash)
                        error = Error.AlreadyExists;
                    else
                        error = CheckWritable(parent, LinuxProcess.Current.Credentials);
                    if (error == Error.None)
                    {
                        Credentials credentials = LinuxProcess.Current.Credentials;
                        error = parent.CreateSymbolicLink(last, target, targetLength, credentials.FileSystemUserId, credentials.FileSystemGroupId, out Vnode created);
                        created?.Release();
                    }
                    parent.Release();
                }
                KernelHeap.Free(buffer);
            }
            KernelHeap.Free(target);
            return SystemCallResult.From(error);
        }

        private static ulong DoReadLink(RegisterFrame* frame) => ReadLinkAt(AtWorking, frame->Argument0, frame->Argument1, frame->Argument2);
        private static ulong DoReadLinkAt(RegisterFrame* frame) => ReadLinkAt(frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3);

        private static ulong ReadLinkAt(ulong directory, ulong path, ulong buffer, ulong size)
        {
            if ((long)size <= 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(directory, path, follow: false, emptyPathAllowed: true, out Vnode node);
            if (error != Error.None)
                return SystemCallResult.From(error);
            byte* target = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            ulong result;
            if (target == null)
                result = SystemCallResult.From(Error.OutOfMemory);
            else if (!node.IsSymbolicLink)
                result = SystemCallResult.From(Error.Invalid);
            else
            {
                error = node.ReadLink(target, PathWalker.MaximumPathLength, out int length);
                ulong copied = (ulong)length < size ? (ulong)length : size;   // truncated without a terminator, as readlink does
                result = error != Error.None ? SystemCallResult.From(error)
                    : UserMemory.CopyToUser(buffer, target, copied) ? copied : SystemCallResult.From(Error.BadAddress);
            }
            if (target != null)
                KernelHeap.Free(target);
            node.Release();
            return result;
        }

        // ---------------------------------------------------------------- shared

        // The parent directory of an *at call's path and its last component (a slice of 'buffer', which the caller frees).
        private static Error WithParent(ulong directory, ulong userPath, out Vnode parent, out Name last, out byte* buffer, out bool trailingSlash)
        {
            parent = null;
            last = default;
            trailingSlash = false;
            buffer = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (buffer == null)
                return Error.OutOfMemory;
            Error error = PathWalker.CopyPath(userPath, buffer, out int length);
            if (error != Error.None)
                return error;
            error = DescriptorContext.At(directory, buffer, length, out PathWalker.Context context);
            if (error != Error.None)
                return error;
            error = PathWalker.ResolveParent(context, buffer, length, out parent, out last, out trailingSlash);
            DescriptorContext.Release(context);
            return error;
        }

        private static Error CheckWritable(Vnode directory, in Credentials credentials)
        {
            Error error = Permissions.Check(directory, credentials, FileMode.Write | FileMode.Execute);
            if (error == Error.None && directory.FileSystem.ReadOnly)
                error = Error.ReadOnlyFileSystem;
            return error;
        }
    }
}
