using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Advisory file locks: flock's whole-file locks of open file descriptions (Vfs.WholeFileLocks), and fcntl's record
    /// locks (Vfs.RecordLocks): F_GETLK, F_SETLK, F_SETLKW owned by the process, F_OFD_GETLK, F_OFD_SETLK,
    /// F_OFD_SETLKW owned by the open file description. fcntl (FileCalls) hands its lock commands here.
    /// </summary>
    public static unsafe class FileLockCalls
    {
        internal static void Register() => LinuxSystemCalls.Register(Flock, &DoFlock, CallPath.Hybrid);

        // flock(fd, operation)
        private static ulong DoFlock(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = WholeFileLocks.Apply(file, (int)frame->Argument1);
            file.Release();
            return SystemCallResult.From(error);
        }

        // fcntl's lock commands (Linux's uapi fcntl.h; F_GETLK64 and the others are the same numbers on x86-64).
        public const int GetLock = 5, SetLock = 6, SetLockWait = 7, GetOpenFileLock = 36, SetOpenFileLock = 37, SetOpenFileLockWait = 38;

        /// <summary>Whether fcntl's 'command' is one of the record lock commands.</summary>
        public static bool IsLockCommand(int command)
            => (command >= GetLock && command <= SetLockWait) || (command >= GetOpenFileLock && command <= SetOpenFileLockWait);

        // struct flock (x86-64): l_type, l_whence, l_start, l_len, l_pid.
        private struct FileLock
        {
            public short Type, Whence;
            public long Start, Length;
            public int ProcessId;
        }

        /// <summary>
        /// fcntl(fd, command, struct flock*) for a lock command: EFAULT for the structure, EINVAL for a bad type, whence
        /// or range (or an OFD request with l_pid set), EBADF for a lock the open mode does not allow, EAGAIN for a
        /// conflict without waiting, EDEADLK, ENOLCK.
        /// </summary>
        public static Error Control(OpenFile file, int descriptor, int command, ulong argument)
        {
            FileLock request;
            if (!UserMemory.CopyFromUser(&request, argument, (ulong)sizeof(FileLock)))
                return Error.BadAddress;
            bool openFileDescription = command >= GetOpenFileLock;
            Vnode node = file.Node;
            if (node == null || (openFileDescription && request.ProcessId != 0))
                return Error.Invalid;
            Error error = Range(file, request, out long start, out long end);
            if (error != Error.None)
                return error;
            LinuxProcess process = LinuxProcess.Current;
            object owner = openFileDescription ? file : process.Descriptors;
            int type = request.Type;
            if (command == GetLock || command == GetOpenFileLock)
            {
                if (type != RecordLocks.Read && type != RecordLocks.Write)
                    return Error.Invalid;
                if (!RecordLocks.Test(node, owner, ref type, ref start, ref end, out int holder))
                {
                    request.Type = RecordLocks.Unlock;   // the rest left as the caller gave it, as Linux
                }
                else
                {
                    request.Type = (short)type;
                    request.Whence = OpenFile.SeekSet;
                    request.Start = start;
                    request.Length = end == RecordLocks.EndOfFile ? 0 : end - start + 1;
                    request.ProcessId = holder;
                }
                return UserMemory.CopyToUser(argument, &request, (ulong)sizeof(FileLock)) ? Error.None : Error.BadAddress;
            }
            if (type != RecordLocks.Read && type != RecordLocks.Write && type != RecordLocks.Unlock)
                return Error.Invalid;
            if ((type == RecordLocks.Read && !file.CanRead) || (type == RecordLocks.Write && !file.CanWrite))
                return Error.BadHandle;
            bool wait = command == SetLockWait || command == SetOpenFileLockWait;
            error = RecordLocks.Set(node, owner, openFileDescription ? -1 : process.ProcessId, type, start, end, wait);
            if (error == Error.None && !openFileDescription && type != RecordLocks.Unlock)
            {
                // Another thread closed the descriptor while this one locked (Linux's fcntl_setlk does the same): the
                // close could not see the new lock, which must not outlive it.
                OpenFile now = process.Descriptors.Get(descriptor);
                if (now != file)
                    RecordLocks.ReleaseOwner(node, owner);
                now?.Release();
            }
            return error;
        }

        // Linux's flock_to_posix_lock: the request's bytes as an inclusive range from l_whence's base; a negative length
        // ends before l_start, 0 runs to the end of the file however it grows.
        private static Error Range(OpenFile file, in FileLock request, out long start, out long end)
        {
            start = end = 0;
            long basis;
            if (request.Whence == OpenFile.SeekSet)
                basis = 0;
            else if (request.Whence == OpenFile.SeekCurrent)
                basis = (long)file.Offset;
            else if (request.Whence == OpenFile.SeekEnd)
                basis = (long)file.Node.Size;
            else
                return Error.Invalid;
            if (request.Start > RecordLocks.EndOfFile - basis)
                return Error.Overflow;
            start = basis + request.Start;
            if (start < 0)
                return Error.Invalid;
            if (request.Length > 0)
            {
                if (request.Length - 1 > RecordLocks.EndOfFile - start)
                    return Error.Overflow;
                end = start + request.Length - 1;
            }
            else if (request.Length < 0)
            {
                end = start - 1;
                start += request.Length;
                if (start < 0)
                    return Error.Invalid;
            }
            else
            {
                end = RecordLocks.EndOfFile;
            }
            return Error.None;
        }
    }
}
