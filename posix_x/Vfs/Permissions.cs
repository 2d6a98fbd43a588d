using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Unix permission checks: the owner's, the group's or the others' bits, as the caller's file system ids
    /// (the effective ones unless setfsuid moved them) and groups select them. Root (fsuid 0) may read and write anything, and execute what has any execute bit
    /// (or is a directory), as on Linux.
    /// </summary>
    public static class Permissions
    {
        /// <summary>May 'credentials' do 'access' (FileMode.Read | Write | Execute bits) to 'node'?</summary>
        public static bool Allows(Vnode node, in Credentials credentials, uint access)
        {
            uint mode = node.Mode;
            if (credentials.IsFileSystemPrivileged)
                return (access & FileMode.Execute) == 0 || node.IsDirectory || (mode & 0x49) != 0;
            uint bits = credentials.FileSystemUserId == node.UserId ? (mode >> 6) & 7
                : credentials.InGroup(node.GroupId) ? (mode >> 3) & 7
                : mode & 7;
            return (bits & access) == access;
        }

        public static Error Check(Vnode node, in Credentials credentials, uint access)
            => Allows(node, credentials, access) ? Error.None : Error.AccessDenied;

        /// <summary>May the caller change this object's attributes (chmod, utimes with times): its owner or root.</summary>
        public static bool IsOwnerOrPrivileged(Vnode node, in Credentials credentials)
            => credentials.IsFileSystemPrivileged || credentials.FileSystemUserId == node.UserId;

        /// <summary>
        /// May the caller remove or rename 'entry' from 'directory': write and search permission there, and with the
        /// sticky bit, only the owner of the entry or of the directory (or root).
        /// </summary>
        public static Error CheckRemove(Vnode directory, Vnode entry, in Credentials credentials)
        {
            Error error = Check(directory, credentials, FileMode.Write | FileMode.Execute);
            if (error != Error.None)
                return error;
            if ((directory.Mode & FileMode.Sticky) != 0 && !credentials.IsFileSystemPrivileged
                && credentials.FileSystemUserId != entry.UserId && credentials.FileSystemUserId != directory.UserId)
                return Error.NotPermitted;
            return Error.None;
        }
    }
}
