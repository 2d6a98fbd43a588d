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
    /// Linux calls on open files: open, openat, creat, close, read, write, pread64, pwrite64, readv, writev,
    /// preadv, pwritev, preadv2, pwritev2, lseek, dup, dup2, dup3, fcntl, ioctl, ftruncate, truncate, fallocate, fsync,
    /// fdatasync, sync_file_range, sync, syncfs, fadvise64, readahead. A descriptor is found in the process's table (the capability cache); permissions are checked at
    /// open against the mode bits and the caller's effective ids, and each read or write against the open mode.
    /// </summary>
    public static unsafe class FileCalls
    {
        private const int MaximumVectors = 1024;   // IOV_MAX
        private const ulong MaximumTransfer = 0x7FFFF000;   // Linux's MAX_RW_COUNT
        private const int DuplicateDescriptor = 0, GetDescriptorFlags = 1, SetDescriptorFlags = 2, GetStatusFlags = 3,
            SetStatusFlags = 4, DuplicateDescriptorCloseOnExec = 1030, SetPipeSize = 1031, GetPipeSize = 1032;
        private const int FileCloseOnExec = 1;   // FD_CLOEXEC

        internal static void Register()
        {
            LinuxSystemCalls.Register(Read, &DoRead, CallPath.Hybrid);
            LinuxSystemCalls.Register(Write, &DoWrite, CallPath.Hybrid);
            LinuxSystemCalls.Register(Open, &DoOpen, CallPath.Hybrid);
            LinuxSystemCalls.Register(Openat, &DoOpenAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Creat, &DoCreate, CallPath.Hybrid);
            LinuxSystemCalls.Register(Close, &DoClose, CallPath.Hybrid);
            LinuxSystemCalls.Register(CloseRange, &DoCloseRange, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lseek, &DoSeek, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pread64, &DoReadAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pwrite64, &DoWriteAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Readv, &DoReadVector, CallPath.Hybrid);
            LinuxSystemCalls.Register(Writev, &DoWriteVector, CallPath.Hybrid);
            LinuxSystemCalls.Register(Preadv, &DoReadVectorAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pwritev, &DoWriteVectorAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Preadv2, &DoReadVectorWithFlags, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pwritev2, &DoWriteVectorWithFlags, CallPath.Hybrid);
            LinuxSystemCalls.Register(Dup, &DoDuplicate, CallPath.Fast);
            LinuxSystemCalls.Register(Dup2, &DoDuplicateTo, CallPath.Fast);
            LinuxSystemCalls.Register(Dup3, &DoDuplicateToWithFlags, CallPath.Fast);
            LinuxSystemCalls.Register(Fcntl, &DoControl, CallPath.Hybrid);
            LinuxSystemCalls.Register(Ioctl, &DoIoControl, CallPath.Hybrid);
            LinuxSystemCalls.Register(Ftruncate, &DoTruncateFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Truncate, &DoTruncatePath, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fsync, &DoSynchronize, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fdatasync, &DoSynchronize, CallPath.Hybrid);
            LinuxSystemCalls.Register(Sync, &DoSynchronizeAll, CallPath.Hybrid);
            LinuxSystemCalls.Register(Syncfs, &DoSynchronize, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fadvise64, &DoAdvise, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fallocate, &DoAllocate, CallPath.Hybrid);
            LinuxSystemCalls.Register(SyncFileRange, &DoSynchronizeRange, CallPath.Hybrid);
            LinuxSystemCalls.Register(Readahead, &DoReadAhead, CallPath.Hybrid);
        }

        // ---------------------------------------------------------------- open and close

        private static ulong AtWorking => unchecked((ulong)DescriptorContext.WorkingDirectory);

        private static ulong DoOpen(RegisterFrame* frame) => OpenAt(AtWorking, frame->Argument0, (int)frame->Argument1, (uint)frame->Argument2);
        private static ulong DoOpenAt(RegisterFrame* frame) => OpenAt(frame->Argument0, frame->Argument1, (int)frame->Argument2, (uint)frame->Argument3);
        private static ulong DoCreate(RegisterFrame* frame)
            => OpenAt(AtWorking, frame->Argument0, OpenFlags.Create | OpenFlags.WriteOnly | OpenFlags.Truncate, (uint)frame->Argument1);

        private static ulong OpenAt(ulong directory, ulong userPath, int flags, uint mode)
        {
            Error error = OpenFiles.Open(directory, userPath, flags, mode, out OpenFile file);
            if (error != Error.None)
                return SystemCallResult.From(error);
            LinuxProcess process = LinuxProcess.Current;
            error = process.Descriptors.Install(file, 0, (flags & OpenFlags.CloseOnExec) != 0, (int)Limit(process), out int descriptor);
            file.Release();
            return SystemCallResult.From(error, (ulong)descriptor);
        }

        internal static ulong Limit(LinuxProcess process)
        {
            ulong limit = process.Limits.Current[ResourceLimits.OpenFiles];
            return limit > FileDescriptorTable.Capacity ? FileDescriptorTable.Capacity : limit;
        }

        private static ulong DoClose(RegisterFrame* frame)
            => (long)frame->Argument0 < 0 || frame->Argument0 > int.MaxValue ? SystemCallResult.From(Error.BadHandle)
                : SystemCallResult.From(LinuxProcess.Current.Descriptors.Close((int)frame->Argument0));

        private const ulong CloseRangeUnshare = 2, CloseRangeCloseOnExec = 4;   // CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC

        // close_range(first, last, flags): every open descriptor in [first, last] closed, or with CLOSE_RANGE_CLOEXEC
        // marked close-on-exec (python's subprocess and glibc's closefrom use it in the child before exec). EINVAL for
        // unknown flags or first > last. CLOSE_RANGE_UNSHARE asks for a private table first: a process's table is its
        // own (fork copies it; no call shares one between processes).
        private static ulong DoCloseRange(RegisterFrame* frame)
        {
            ulong first = (uint)frame->Argument0, last = (uint)frame->Argument1, flags = frame->Argument2;
            if ((flags & ~(CloseRangeUnshare | CloseRangeCloseOnExec)) != 0 || first > last)
                return SystemCallResult.From(Error.Invalid);
            FileDescriptorTable table = LinuxProcess.Current.Descriptors;
            int descriptor = first < FileDescriptorTable.Capacity ? (int)first : FileDescriptorTable.Capacity;
            while ((descriptor = table.NextOpen(descriptor, out OpenFile file)) >= 0)
            {
                file.Release();
                if ((ulong)descriptor > last)
                    break;
                if ((flags & CloseRangeCloseOnExec) == 0)
                    table.Close(descriptor);
                else if (table.GetFlags(descriptor, out byte descriptorFlags) == Error.None)
                    table.SetFlags(descriptor, (byte)(descriptorFlags | FileDescriptorTable.CloseOnExecFlag));
                descriptor++;
            }
            return 0;
        }

        // ---------------------------------------------------------------- read and write

        // read and write try the pipe fast path first (posix_x/Optimization/PipeFastPath), which gives back what it cannot finish at once.
        private static ulong DoRead(RegisterFrame* frame)
            => Optimization.PipeFastPath.TryRead(frame->Argument0, frame->Argument1, frame->Argument2, out ulong result)
                ? result : Transfer(frame->Argument0, frame->Argument1, frame->Argument2, write: false, positioned: false, 0);
        private static ulong DoWrite(RegisterFrame* frame)
            => Optimization.PipeFastPath.TryWrite(frame->Argument0, frame->Argument1, frame->Argument2, out ulong result)
                ? result : Transfer(frame->Argument0, frame->Argument1, frame->Argument2, write: true, positioned: false, 0);
        private static ulong DoReadAt(RegisterFrame* frame) => Transfer(frame->Argument0, frame->Argument1, frame->Argument2, write: false, positioned: true, frame->Argument3);
        private static ulong DoWriteAt(RegisterFrame* frame) => Transfer(frame->Argument0, frame->Argument1, frame->Argument2, write: true, positioned: true, frame->Argument3);

        private static ulong Transfer(ulong descriptor, ulong buffer, ulong count, bool write, bool positioned, ulong offset)
        {
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            // A pipe in a process of several threads: the fast path, with the reference this lookup took.
            if (positioned || !Optimization.PipeFastPath.TryHeld(file, buffer, count, write, out ulong result))
            {
                Error error = Transfer(file, buffer, count, write, positioned, offset, out ulong done);
                result = SystemCallResult.From(error, done);
            }
            file.Release();
            return result;
        }

        private static Error Transfer(OpenFile file, ulong buffer, ulong count, bool write, bool positioned, ulong offset, out ulong done)
        {
            done = 0;
            if (write ? !file.CanWrite : !file.CanRead)
                return Error.BadHandle;
            if (positioned && (long)offset < 0)
                return Error.Invalid;
            if (count > MaximumTransfer)
                count = MaximumTransfer;
            if (count > 0 && !UserMemory.IsUserRange(buffer, count))
                return Error.BadAddress;
            IoBuffer io = IoBuffer.User(buffer);
            if (write)
                return positioned ? file.WriteAt(offset, io, count, out done) : file.Write(io, count, out done);
            return positioned ? file.ReadAt(offset, io, count, out done) : file.Read(io, count, out done);
        }

        private struct IoVector { public ulong Base, Length; }

        private static ulong DoReadVector(RegisterFrame* frame) => TransferVector(frame->Argument0, frame->Argument1, frame->Argument2, write: false, positioned: false, 0);
        private static ulong DoWriteVector(RegisterFrame* frame) => TransferVector(frame->Argument0, frame->Argument1, frame->Argument2, write: true, positioned: false, 0);
        private static ulong DoReadVectorAt(RegisterFrame* frame) => TransferVector(frame->Argument0, frame->Argument1, frame->Argument2, write: false, positioned: true, frame->Argument3);
        private static ulong DoWriteVectorAt(RegisterFrame* frame) => TransferVector(frame->Argument0, frame->Argument1, frame->Argument2, write: true, positioned: true, frame->Argument3);

        // preadv2/pwritev2's flags (RWF_*): high priority, data sync and sync are hints a memory file system meets as it
        // is; RWF_NOWAIT and RWF_APPEND are not offered (EOPNOTSUPP, as a file that cannot do them).
        private const ulong HighPriority = 1, DataSync = 2, FullSync = 4;

        // preadv2/pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags): an offset of -1 is the file's own, as readv/writev.
        private static ulong DoReadVectorWithFlags(RegisterFrame* frame) => TransferVectorWithFlags(frame, write: false);
        private static ulong DoWriteVectorWithFlags(RegisterFrame* frame) => TransferVectorWithFlags(frame, write: true);

        private static ulong TransferVectorWithFlags(RegisterFrame* frame, bool write)
        {
            if ((frame->Argument5 & ~(HighPriority | DataSync | FullSync)) != 0)
                return SystemCallResult.From(Error.NotSupported);
            bool positioned = (long)frame->Argument3 != -1;
            return TransferVector(frame->Argument0, frame->Argument1, frame->Argument2, write, positioned, frame->Argument3);
        }

        // readv/writev: the vectors in order, stopping at the first short transfer (as one read or write would).
        private static ulong TransferVector(ulong descriptor, ulong vectors, ulong count, bool write, bool positioned, ulong offset)
        {
            if (count > MaximumVectors)
                return SystemCallResult.From(Error.Invalid);
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong total = 0;
            Error error = Error.None;
            for (ulong i = 0; i < count; i++)
            {
                IoVector vector;
                if (!UserMemory.CopyFromUser(&vector, vectors + i * 16, 16))
                {
                    error = Error.BadAddress;
                    break;
                }
                if ((long)vector.Length < 0)
                {
                    error = Error.Invalid;
                    break;
                }
                if (vector.Length == 0)
                    continue;
                error = Transfer(file, vector.Base, vector.Length, write, positioned, offset + total, out ulong done);
                total += done;
                if (error != Error.None || done < vector.Length)
                    break;
            }
            file.Release();
            return total > 0 ? total : SystemCallResult.From(error, 0);
        }

        private static ulong DoSeek(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = file.Seek((long)frame->Argument1, (int)frame->Argument2, out ulong position);
            file.Release();
            return SystemCallResult.From(error, position);
        }

        // ---------------------------------------------------------------- descriptors

        private static ulong DoDuplicate(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            LinuxProcess process = LinuxProcess.Current;
            Error error = process.Descriptors.Install(file, 0, false, (int)Limit(process), out int descriptor);
            file.Release();
            return SystemCallResult.From(error, (ulong)descriptor);
        }

        private static ulong DoDuplicateTo(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong target = frame->Argument1;
            Error error = target == frame->Argument0 ? Error.None   // dup2 of itself: only checks it is open
                : target > int.MaxValue ? Error.BadHandle
                : LinuxProcess.Current.Descriptors.InstallAt(file, (int)target, false, (int)Limit(LinuxProcess.Current));
            file.Release();
            return SystemCallResult.From(error, target);
        }

        private static ulong DoDuplicateToWithFlags(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument2;
            if (frame->Argument0 == frame->Argument1 || (flags & ~OpenFlags.CloseOnExec) != 0)
                return SystemCallResult.From(Error.Invalid);
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong target = frame->Argument1;
            Error error = target > int.MaxValue ? Error.BadHandle
                : LinuxProcess.Current.Descriptors.InstallAt(file, (int)target, (flags & OpenFlags.CloseOnExec) != 0, (int)Limit(LinuxProcess.Current));
            file.Release();
            return SystemCallResult.From(error, target);
        }

        private static ulong DoControl(RegisterFrame* frame)
        {
            ulong descriptor = frame->Argument0, argument = frame->Argument2;
            int command = (int)frame->Argument1;
            LinuxProcess process = LinuxProcess.Current;
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            ulong result = 0;
            Error error = Error.None;
            switch (command)
            {
                case DuplicateDescriptor:
                case DuplicateDescriptorCloseOnExec:
                    if (argument >= Limit(process))
                        error = Error.Invalid;
                    else
                    {
                        error = process.Descriptors.Install(file, (int)argument, command == DuplicateDescriptorCloseOnExec, (int)Limit(process), out int copy);
                        result = (ulong)copy;
                    }
                    break;
                case GetDescriptorFlags:
                    error = process.Descriptors.GetFlags((int)descriptor, out byte flags);
                    result = (flags & FileDescriptorTable.CloseOnExecFlag) != 0 ? (ulong)FileCloseOnExec : 0;
                    break;
                case SetDescriptorFlags:
                    error = process.Descriptors.SetFlags((int)descriptor, (argument & FileCloseOnExec) != 0 ? FileDescriptorTable.CloseOnExecFlag : (byte)0);
                    break;
                case GetStatusFlags:
                    result = (ulong)file.Flags;
                    break;
                case SetStatusFlags:
                    file.Flags = (file.Flags & ~OpenFlags.StatusChangeable) | ((int)argument & OpenFlags.StatusChangeable);
                    break;
                case GetPipeSize:
                case SetPipeSize:
                    if (file is not Vfs.Pipes.PipeEnd end)
                        error = Error.BadHandle;   // Linux: not a pipe
                    else if (command == GetPipeSize)
                        result = (ulong)end.Pipe.Size;
                    else
                    {
                        error = end.Pipe.Resize((uint)argument, process.Credentials.IsPrivileged, out int size);
                        result = (ulong)size;
                    }
                    break;
                case MemoryFileCalls.AddSeals:
                case MemoryFileCalls.GetSeals:
                    error = MemoryFileCalls.Control(file, command, argument, out result);
                    break;
                default:
                    error = FileLockCalls.IsLockCommand(command) ? FileLockCalls.Control(file, (int)descriptor, command, argument)
                        : Error.Invalid;
                    break;
            }
            file.Release();
            return SystemCallResult.From(error, result);
        }

        // The requests every file answers (Linux's do_vfs_ioctl, before the file's own): close-on-exec and O_NONBLOCK.
        private const uint SetCloseOnExec = 0x5451, ClearCloseOnExec = 0x5450, NonBlockingIo = 0x5421;   // FIOCLEX, FIONCLEX, FIONBIO

        private static ulong DoIoControl(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            uint request = (uint)frame->Argument1;
            ulong result = 0;
            Error error;
            if (request == SetCloseOnExec || request == ClearCloseOnExec)
            {
                error = LinuxProcess.Current.Descriptors.SetFlags((int)frame->Argument0,
                    request == SetCloseOnExec ? FileDescriptorTable.CloseOnExecFlag : (byte)0);
            }
            else if (request == NonBlockingIo)
            {
                int on;
                error = UserMemory.CopyFromUser(&on, frame->Argument2, 4) ? Error.None : Error.BadAddress;
                if (error == Error.None)
                    file.Flags = on != 0 ? file.Flags | OpenFlags.NonBlocking : file.Flags & ~OpenFlags.NonBlocking;
            }
            else
            {
                error = file.Control(request, frame->Argument2, out result);
            }
            file.Release();
            return SystemCallResult.From(error, result);
        }

        // ---------------------------------------------------------------- size and durability

        private static ulong DoTruncateFile(RegisterFrame* frame)
        {
            if ((long)frame->Argument1 < 0)
                return SystemCallResult.From(Error.Invalid);
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = !file.CanWrite ? Error.Invalid : !file.Node.IsRegular ? Error.Invalid : FileSizeLimit.CheckSize(frame->Argument1);
            if (error == Error.None)
                error = file.Node.SetSize(frame->Argument1);
            file.Release();
            return SystemCallResult.From(error);
        }

        private static ulong DoTruncatePath(RegisterFrame* frame)
        {
            if ((long)frame->Argument1 < 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, follow: true, emptyPathAllowed: false, out Vnode node);
            if (error == Error.None)
            {
                error = node.IsDirectory ? Error.IsADirectory : !node.IsRegular ? Error.Invalid
                    : Permissions.Check(node, LinuxProcess.Current.Credentials, FileMode.Write);
                if (error == Error.None)
                    error = FileSizeLimit.CheckSize(frame->Argument1);
                if (error == Error.None && !node.TryGetWriteAccess())
                    error = Error.TextBusy;   // a running program's file
                if (error == Error.None)
                {
                    error = node.SetSize(frame->Argument1);
                    node.PutWriteAccess();
                }
                node.Release();
            }
            return SystemCallResult.From(error);
        }

        private static ulong DoSynchronize(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = file.Node != null ? file.Node.Synchronize() : Error.None;
            file.Release();
            return SystemCallResult.From(error);
        }

        private const ulong LastAdvice = 5;   // POSIX_FADV_NORMAL (0) to POSIX_FADV_NOREUSE (5)

        // fadvise64(fd, offset, length, advice): a hint Linux may ignore, and POSIX-X does (its files are read as asked);
        // checked as Linux checks it: EBADF, ESPIPE on a pipe, EINVAL for an unknown advice or a negative length.
        private static ulong DoAdvise(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = file is Vfs.Pipes.PipeEnd || (file.Node != null && (file.Node.Mode & FileMode.TypeMask) == FileMode.Fifo)
                ? Error.IllegalSeek
                : (long)frame->Argument2 < 0 || frame->Argument3 > LastAdvice ? Error.Invalid
                : Error.None;
            file.Release();
            return SystemCallResult.From(error);
        }

        private const int KeepSize = 1;   // FALLOC_FL_KEEP_SIZE

        // fallocate(fd, mode, offset, length): mode 0 makes the file at least offset + length bytes (a memory file system
        // has nothing to reserve: the new bytes read as zeros), FALLOC_FL_KEEP_SIZE leaves it as it is; the other modes
        // (punching holes, collapsing, zeroing, inserting ranges) are not offered: EOPNOTSUPP. Linux's checks in its order.
        private static ulong DoAllocate(RegisterFrame* frame)
        {
            int mode = (int)frame->Argument1;
            long offset = (long)frame->Argument2, length = (long)frame->Argument3;
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Vnode node = file.Node;
            uint type = node == null ? 0 : node.Type;
            Error error = offset < 0 || length <= 0 ? Error.Invalid
                : (mode & ~KeepSize) != 0 ? Error.NotSupported
                : !file.CanWrite ? Error.BadHandle
                : file is Vfs.Pipes.PipeEnd || type == FileMode.Fifo ? Error.IllegalSeek
                : type == FileMode.Directory ? Error.IsADirectory
                : type != FileMode.Regular ? Error.NoDevice
                : offset + length < 0 ? Error.FileTooLarge
                : FileSizeLimit.CheckSize((ulong)(offset + length));
            if (error == Error.None && (mode & KeepSize) == 0 && (ulong)(offset + length) > node.Size)
                error = node.SetSize((ulong)(offset + length));
            file.Release();
            return SystemCallResult.From(error);
        }

        private const uint SyncRangeFlags = 7;   // SYNC_FILE_RANGE_WAIT_BEFORE | WRITE | WAIT_AFTER

        // sync_file_range(fd, offset, nbytes, flags): the file's data made durable (the whole file: the range is a hint);
        // EINVAL for unknown flags or a negative or wrapping range, ESPIPE for what has no data (Linux's order).
        private static ulong DoSynchronizeRange(RegisterFrame* frame)
        {
            long offset = (long)frame->Argument1, count = (long)frame->Argument2;
            uint flags = (uint)frame->Argument3;
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            uint type = file.Node == null ? 0 : file.Node.Type;
            Error error = (flags & ~SyncRangeFlags) != 0 || offset < 0 || count < 0 || offset + count < 0 ? Error.Invalid
                : type != FileMode.Regular && type != FileMode.Directory && type != FileMode.SymbolicLink && type != FileMode.BlockDevice
                ? Error.IllegalSeek : flags == 0 ? Error.None : file.Node.Synchronize();
            file.Release();
            return SystemCallResult.From(error);
        }

        // readahead(fd, offset, count): a hint (POSIX-X reads files as asked); EBADF for a descriptor not open for
        // reading, EINVAL for what is not a regular file, as Linux.
        private static ulong DoReadAhead(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = !file.CanRead ? Error.BadHandle : file.Node == null || !file.Node.IsRegular ? Error.Invalid : Error.None;
            file.Release();
            return SystemCallResult.From(error);
        }

        // sync(2): every mounted file system, oldest first (memory ones have nothing to write back); it never fails.
        private static ulong DoSynchronizeAll(RegisterFrame* frame)
        {
            int count = MountTable.TakeSnapshot(out MountTable.Snapshot[] mounts);
            for (int i = 0; i < count; i++)
                mounts[i].FileSystem.Synchronize();
            MountTable.ReleaseSnapshot(mounts, count);
            return 0;
        }
    }
}
