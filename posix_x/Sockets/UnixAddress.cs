using Exo.PosixX.KernelInterface;
using Exo.PosixX.Translation;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// AF_UNIX addresses (struct sockaddr_un: the family, then up to 108 bytes): a path, whose socket file bind makes in
    /// the file system and connect finds there; an abstract name (a leading NUL byte, then bytes, no file); or just the
    /// family (bind's autobind: an abstract name of five hex digits is chosen).
    /// </summary>
    public static unsafe class UnixAddress
    {
        public const ushort Family = 1;   // AF_UNIX
        public const int PathOffset = 2;  // offsetof(struct sockaddr_un, sun_path)
        /// <summary>sizeof(struct sockaddr_un).</summary>
        public const int MaximumLength = 110;

        public enum Kind { Unnamed, Path, Abstract }

        /// <summary>
        /// Checks an address ('length' bytes at 'address', a kernel buffer of SocketTransfer.MaximumAddressLength): its
        /// kind and the length Linux keeps for it (a path's up to and with its NUL, which is written there).
        /// </summary>
        public static Error Parse(byte* address, int length, out Kind kind, out int kept)
        {
            kind = Kind.Unnamed;
            kept = 0;
            if (length < PathOffset || length > MaximumLength || *(ushort*)address != Family)
                return Error.Invalid;
            kept = length;
            if (length == PathOffset)
                return Error.None;
            if (address[PathOffset] == 0)
            {
                kind = Kind.Abstract;
                return Error.None;
            }
            int end = PathOffset;
            while (end < length && address[end] != 0)
                end++;
            address[end] = 0;   // within the buffer: length <= MaximumLength < its size
            kind = Kind.Path;
            kept = end + 1;
            return Error.None;
        }

        /// <summary>
        /// bind's socket file at the path in 'address' (a new S_IFSOCK node, with a reference): EADDRINUSE if the name
        /// exists, then EINVAL if the socket is 'alreadyBound' (Linux's order: it makes the node first).
        /// </summary>
        public static Error MakeFile(byte* address, int kept, bool alreadyBound, out Vnode node)
        {
            node = null;
            Error error = Walk(address, kept, parentOnly: true, out Vnode parent, out Name last, out bool trailingSlash);
            if (error != Error.None)
                return error;
            LinuxProcess process = LinuxProcess.Current;
            if (last.Length == 0 || last.IsDot || last.IsDotDot)
                error = Error.AddressInUse;
            else if (trailingSlash)
                error = Error.NotFound;
            else
                error = Permissions.Check(parent, process.Credentials, FileMode.Write | FileMode.Execute);
            if (error == Error.None && parent.FileSystem.ReadOnly)
                error = Error.ReadOnlyFileSystem;
            if (error == Error.None && parent.Lookup(last, out Vnode existing) == Error.None)
            {
                existing.Release();
                error = Error.AddressInUse;
            }
            if (error == Error.None && alreadyBound)
                error = Error.Invalid;
            if (error == Error.None)
            {
                error = parent.Create(last, FileMode.Socket | (0x1FF & ~process.FileCreationMask), process.Credentials.FileSystemUserId,
                    process.Credentials.FileSystemGroupId, 0, out node);
                if (error == Error.AlreadyExists)
                    error = Error.AddressInUse;
            }
            parent.Release();
            return error;
        }

        /// <summary>connect's and sendto's socket file at the path in 'address' (ENOENT, EACCES without write permission, ECONNREFUSED for another kind of file), with a reference.</summary>
        public static Error FindFile(byte* address, int kept, out Vnode node)
        {
            Error error = Walk(address, kept, parentOnly: false, out node, out _, out _);
            if (error != Error.None)
                return error;
            error = Permissions.Check(node, LinuxProcess.Current.Credentials, FileMode.Write);
            if (error == Error.None && node.Type != FileMode.Socket)
                error = Error.ConnectionRefused;
            if (error != Error.None)
            {
                node.Release();
                node = null;
            }
            return error;
        }

        // The path of a kept address from the working directory: its object, or its parent and last name (a slice of 'address').
        private static Error Walk(byte* address, int kept, bool parentOnly, out Vnode node, out Name last, out bool trailingSlash)
        {
            node = null;
            last = default;
            trailingSlash = false;
            byte* path = address + PathOffset;
            int length = kept - PathOffset - 1;
            Error error = DescriptorContext.At(unchecked((ulong)DescriptorContext.WorkingDirectory), path, length, out PathWalker.Context context);
            if (error != Error.None)
                return error;
            error = parentOnly ? PathWalker.ResolveParent(context, path, length, out node, out last, out trailingSlash)
                : PathWalker.Resolve(context, path, length, followFinal: true, out node);
            DescriptorContext.Release(context);
            return error;
        }

        /// <summary>Whether two kept addresses are the same name.</summary>
        public static bool Same(byte* first, int firstLength, byte* second, int secondLength)
        {
            if (firstLength != secondLength)
                return false;
            for (int i = 0; i < firstLength; i++)
                if (first[i] != second[i])
                    return false;
            return true;
        }
    }
}
