using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// memfd_create: an anonymous memory file (Vfs.MemoryFiles) that read, write, ftruncate and mmap (MAP_SHARED: every
    /// mapping and read(2) see the same pages) treat as a tmpfs file, sealed through fcntl's F_ADD_SEALS and
    /// F_GET_SEALS (Vfs.FileSeals) when made with MFD_ALLOW_SEALING. What the .NET JIT's double mapping of its code
    /// uses. No huge pages (MFD_HUGETLB is EINVAL, as a kernel without hugetlbfs) and, as Linux 6.2, no MFD_EXEC or
    /// MFD_NOEXEC_SEAL.
    /// </summary>
    public static unsafe class MemoryFileCalls
    {
        private const uint CloseOnExec = 1, AllowSealing = 2;   // MFD_CLOEXEC, MFD_ALLOW_SEALING
        // fcntl's seal commands (Linux's uapi fcntl.h: F_LINUX_SPECIFIC_BASE + 9, + 10).
        public const int AddSeals = 1033, GetSeals = 1034;

        internal static void Register() => LinuxSystemCalls.Register(MemfdCreate, &DoCreate, CallPath.Hybrid);

        // memfd_create(name, flags): EINVAL for an unknown flag or a name longer than 249 bytes, EFAULT for a bad name.
        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong flags = frame->Argument1;
            if ((flags & ~(ulong)(CloseOnExec | AllowSealing)) != 0)
                return SystemCallResult.From(Error.Invalid);
            byte* name = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (name == null)
                return SystemCallResult.From(Error.OutOfMemory);
            Error error = PathWalker.CopyPath(frame->Argument0, name, out int length, allowEmpty: true);
            if (error == Error.NameTooLong || (error == Error.None && length > MemoryFiles.MaximumNameLength))
                error = Error.Invalid;
            OpenFile file = null;
            if (error == Error.None)
            {
                Credentials credentials = LinuxProcess.Current.Credentials;
                error = MemoryFiles.Create(name, length, (flags & AllowSealing) != 0, credentials.FileSystemUserId,
                    credentials.FileSystemGroupId, out file);
            }
            KernelHeap.Free(name);
            if (error != Error.None)
                return SystemCallResult.From(error);
            return DescriptorContext.InstallNew(file, (flags & CloseOnExec) != 0);
        }

        /// <summary>fcntl's F_ADD_SEALS and F_GET_SEALS (FileCalls hands them here): the seals for F_GET_SEALS.</summary>
        public static Error Control(OpenFile file, int command, ulong argument, out ulong result)
        {
            result = 0;
            if (command == AddSeals)
                return FileSeals.Add(file, (int)argument);
            Error error = FileSeals.Get(file, out int seals);
            result = (ulong)seals;
            return error;
        }
    }
}
