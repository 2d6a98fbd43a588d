namespace Exo.PosixX.Vfs
{
    /// <summary>A directory's absolute path, from the names its ancestors keep (getcwd, /proc/PID/cwd).</summary>
    public static unsafe class Paths
    {
        /// <summary>
        /// Writes the path of 'directory' as seen from 'root' into 'buffer' ("/" for the root); ENOENT for a removed
        /// directory, ERANGE if the path is longer than 'capacity'.
        /// </summary>
        public static Error Of(Vnode root, Vnode directory, byte* buffer, int capacity, out int length)
        {
            length = 0;
            int end = capacity;   // built backward from the end of the buffer
            Vnode current = directory;
            current.AddReference();
            Error error = Error.None;
            while (current != root)
            {
                Vnode point = MountTable.MountPointOf(current);
                if (point != null)
                {
                    current.Release();
                    current = point;
                    continue;
                }
                Vnode parent = current.ReferenceParent();
                if (parent == null || current.NameInParent == null)
                {
                    parent?.Release();
                    break;   // outside the root (a chroot's escapee): the path from the real root
                }
                if (current.IsDirectory && current.LinkCount == 0)
                {
                    parent.Release();
                    error = Error.NotFound;
                    break;
                }
                int nameLength = current.NameInParentLength;
                if (end - nameLength - 1 < 0)
                {
                    parent.Release();
                    error = Error.OutOfRange;
                    break;
                }
                end -= nameLength;
                for (int i = 0; i < nameLength; i++)
                    buffer[end + i] = current.NameInParent[i];
                buffer[--end] = (byte)'/';
                current.Release();
                current = parent;
            }
            current.Release();
            if (error != Error.None)
                return error;
            if (end == capacity)
                buffer[--end] = (byte)'/';
            length = capacity - end;
            for (int i = 0; i < length; i++)
                buffer[i] = buffer[end + i];
            return Error.None;
        }
    }
}
