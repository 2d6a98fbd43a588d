using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux's extended attribute calls (getxattr, setxattr, listxattr, removexattr, each also on a link (l) and on a
    /// descriptor (f)). POSIX-X's file systems keep no extended attributes, as a Linux file system without them and
    /// without security modules: every file lists none, reading one gives ENODATA (what coreutils' ls -l and cp -a
    /// take for "no ACL, no SELinux context"), setting or removing one EOPNOTSUPP. The file and the name are checked
    /// as Linux checks them (ENOENT, EBADF, EFAULT; ERANGE for an empty name or one over 255 bytes; EOPNOTSUPP for a
    /// name outside the user, trusted, security and system namespaces; EINVAL for unknown setxattr flags).
    /// </summary>
    public static unsafe class ExtendedAttributeCalls
    {
        private const int MaximumNameLength = 255;   // XATTR_NAME_MAX
        private const ulong CreateOnly = 1, ReplaceOnly = 2;   // XATTR_CREATE, XATTR_REPLACE

        internal static void Register()
        {
            LinuxSystemCalls.Register(Getxattr, &DoGet, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lgetxattr, &DoGetOnLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fgetxattr, &DoGetOnFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Listxattr, &DoList, CallPath.Hybrid);
            LinuxSystemCalls.Register(Llistxattr, &DoListOnLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Flistxattr, &DoListOnFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setxattr, &DoSet, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lsetxattr, &DoSetOnLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fsetxattr, &DoSetOnFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Removexattr, &DoRemove, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lremovexattr, &DoRemoveOnLink, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fremovexattr, &DoRemoveOnFile, CallPath.Hybrid);
        }

        private enum Operation { Get, List, Set, Remove }

        private static ulong DoGet(RegisterFrame* frame) => OnPath(frame, follow: true, Operation.Get);
        private static ulong DoGetOnLink(RegisterFrame* frame) => OnPath(frame, follow: false, Operation.Get);
        private static ulong DoGetOnFile(RegisterFrame* frame) => OnFile(frame, Operation.Get);
        private static ulong DoList(RegisterFrame* frame) => OnPath(frame, follow: true, Operation.List);
        private static ulong DoListOnLink(RegisterFrame* frame) => OnPath(frame, follow: false, Operation.List);
        private static ulong DoListOnFile(RegisterFrame* frame) => OnFile(frame, Operation.List);
        private static ulong DoSet(RegisterFrame* frame) => OnPath(frame, follow: true, Operation.Set);
        private static ulong DoSetOnLink(RegisterFrame* frame) => OnPath(frame, follow: false, Operation.Set);
        private static ulong DoSetOnFile(RegisterFrame* frame) => OnFile(frame, Operation.Set);
        private static ulong DoRemove(RegisterFrame* frame) => OnPath(frame, follow: true, Operation.Remove);
        private static ulong DoRemoveOnLink(RegisterFrame* frame) => OnPath(frame, follow: false, Operation.Remove);
        private static ulong DoRemoveOnFile(RegisterFrame* frame) => OnFile(frame, Operation.Remove);

        private static ulong OnPath(RegisterFrame* frame, bool follow, Operation operation)
        {
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0,
                follow, false, out Vnode node);
            if (error != Error.None)
                return SystemCallResult.From(error);
            node.Release();
            return SystemCallResult.From(Answer(frame, operation));
        }

        private static ulong OnFile(RegisterFrame* frame, Operation operation)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            file.Release();
            return SystemCallResult.From(Answer(frame, operation));
        }

        // The answer for an existing file: (path or descriptor, name, value, size, flags) for get, set and remove;
        // (path or descriptor, list, size) for list, whose answer is an empty list (0 bytes).
        private static Error Answer(RegisterFrame* frame, Operation operation)
        {
            if (operation == Operation.List)
                return Error.None;
            if (operation == Operation.Set && (frame->Argument4 & ~(CreateOnly | ReplaceOnly)) != 0)
                return Error.Invalid;
            Error error = CheckName(frame->Argument1);
            if (error != Error.None)
                return error;
            return operation == Operation.Get ? Error.NoData : Error.NotSupported;
        }

        // The name: a string of 1 to 255 bytes in one of Linux's namespaces.
        private static Error CheckName(ulong address)
        {
            byte* name = stackalloc byte[MaximumNameLength + 1];
            int length = 0;
            while (true)
            {
                if (length > MaximumNameLength)
                    return Error.OutOfRange;
                if (!UserMemory.CopyFromUser(name + length, address + (ulong)length, 1))
                    return Error.BadAddress;
                if (name[length] == 0)
                    break;
                length++;
            }
            if (length == 0)
                return Error.OutOfRange;
            return StartsWith(name, length, "user.") || StartsWith(name, length, "trusted.")
                || StartsWith(name, length, "security.") || StartsWith(name, length, "system.")
                ? Error.None : Error.NotSupported;
        }

        private static bool StartsWith(byte* name, int length, string prefix)
        {
            if (length < prefix.Length)
                return false;
            for (int i = 0; i < prefix.Length; i++)
                if (name[i] != (byte)prefix[i])
                    return false;
            return true;
        }
    }
}
