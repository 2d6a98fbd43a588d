using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Path resolution as Linux does it: components separated by slashes, "." and "..", absolute paths from the
    /// process's root, relative ones from a start directory (the working directory or an *at call's directory
    /// descriptor), mounted file systems crossed both ways, symbolic links followed (at most 40 in one
    /// resolution: ELOOP), search permission needed on every directory passed, names at most 255 bytes and
    /// paths at most 4095 (ENAMETOOLONG).
    /// </summary>
    public static unsafe class PathWalker
    {
        /// <summary>Linux's PATH_MAX, the terminating zero included.</summary>
        public const int MaximumPathLength = 4096;
        public const int MaximumSymbolicLinks = 40;

        /// <summary>Where a resolution starts and with whose rights.</summary>
        public struct Context
        {
            public Vnode Root;          // "/" and the limit of ".."
            public Vnode Start;         // where a relative path begins
            public Credentials Credentials;
        }

        // The most of a path read from the program at a time.
        private const ulong PathChunk = 128;

        /// <summary>
        /// Copies a program's zero-terminated path into 'buffer' (MaximumPathLength bytes): its length, EFAULT for
        /// a bad pointer, ENAMETOOLONG past the limit, ENOENT for an empty path unless 'allowEmpty'.
        /// </summary>

        public static Error CopyPath(ulong userPath, byte* buffer, out int length, bool allowEmpty = false)
        {
            length = 0;
            while (true)
            {
                // Up to the end of the page at a time, so that a path ending just before an unmapped page reads; at most
                // 128 bytes (paths are short, and a user copy costs an instruction per byte under -icount's count).
                ulong inPage = 0x1000 - ((userPath + (ulong)length) & 0xFFF);
                if (inPage > PathChunk)
                    inPage = PathChunk;
                int chunk = (int)(inPage < (ulong)(MaximumPathLength - length) ? inPage : (ulong)(MaximumPathLength - length));
                if (chunk == 0)
                    return Error.NameTooLong;
                if (!UserMemory.CopyFromUser(buffer + length, userPath + (ulong)length, (ulong)chunk))
                    return Error.BadAddress;
                for (int i = 0; i < chunk; i++)
                {
                    if (buffer[length + i] == 0)
                    {
                        length += i;
                        return length == 0 && !allowEmpty ? Error.NotFound : Error.None;
                    }
                }
                length += chunk;
            }
        }

        /// <summary>The object 'path' names (with a reference); a final symbolic link followed if 'followFinal'.</summary>
        public static Error Resolve(in Context context, byte* path, int length, bool followFinal, out Vnode result)
        {
            int links = 0;
            context.Start.AddReference();
            return Walk(context, context.Start, path, length, followFinal, ref links, out result);
        }

        /// <summary>
        /// The directory that holds the last component of 'path' (with a reference) and that component (a slice
        /// of 'path'; empty for "/"). 'trailingSlash': the path ended with a slash (the object must be a directory).
        /// </summary>
        public static Error ResolveParent(in Context context, byte* path, int length, out Vnode parent, out Name last, out bool trailingSlash)
        {
            parent = null;
            last = default;
            int end = length;
            while (end > 0 && path[end - 1] == (byte)'/')
                end--;
            trailingSlash = end < length;
            int start = end;
            while (start > 0 && path[start - 1] != (byte)'/')
                start--;
            if (end - start > Name.MaximumLength)
                return Error.NameTooLong;
            last = new Name(path + start, end - start);
            int links = 0;
            Error error;
            if (start == 0)
            {
                context.Start.AddReference();
                parent = context.Start;
                error = Error.None;
                if (end == 0 && length > 0)   // "/" or "///": the root itself
                {
                    context.Root.AddReference();
                    parent.Release();
                    parent = context.Root;
                }
            }
            else
            {
                context.Start.AddReference();
                error = Walk(context, context.Start, path, start, followFinal: true, ref links, out parent);
            }
            if (error != Error.None)
                return error;
            if (!parent.IsDirectory)
            {
                parent.Release();
                parent = null;
                return Error.NotADirectory;
            }
            return Error.None;
        }

        // Walks 'path' from 'current' (whose reference it takes over).
        private static Error Walk(in Context context, Vnode current, byte* path, int length, bool followFinal, ref int links, out Vnode result)
        {
            result = null;
            int position = 0;
            if (length > 0 && path[0] == (byte)'/')
            {
                context.Root.AddReference();
                current.Release();
                current = context.Root;
            }
            while (true)
            {
                while (position < length && path[position] == (byte)'/')
                    position++;
                if (position == length)
                {
                    result = current;
                    return Error.None;
                }
                int start = position;
                while (position < length && path[position] != (byte)'/')
                    position++;
                Name name = new Name(path + start, position - start);
                int after = position;
                while (after < length && path[after] == (byte)'/')
                    after++;
                bool final = after == length;
                bool trailingSlash = final && after > position;
                if (name.Length > Name.MaximumLength)
                    return Fail(current, Error.NameTooLong);
                if (!current.IsDirectory)
                    return Fail(current, Error.NotADirectory);
                if (!Permissions.Allows(current, context.Credentials, FileMode.Execute))
                    return Fail(current, Error.AccessDenied);
                if (name.IsDot)
                    continue;
                if (name.IsDotDot)
                {
                    current = Up(context, current);
                    continue;
                }
                Error error = current.Lookup(name, out Vnode child);
                if (error != Error.None)
                    return Fail(current, error);
                child = MountTable.Cross(child);
                if (child.IsSymbolicLink && (!final || followFinal || trailingSlash))
                {
                    if (++links > MaximumSymbolicLinks)
                    {
                        child.Release();
                        return Fail(current, Error.TooManySymbolicLinks);
                    }
                    byte* target = (byte*)KernelHeap.AllocateUninitialized(MaximumPathLength);
                    if (target == null)
                    {
                        child.Release();
                        return Fail(current, Error.OutOfMemory);
                    }
                    error = child.ReadLink(target, MaximumPathLength, out int targetLength);
                    child.Release();
                    Vnode resolved = null;
                    if (error == Error.None)
                        error = Walk(context, current, target, targetLength, followFinal: true, ref links, out resolved);   // takes 'current'
                    else
                        current.Release();
                    KernelHeap.Free(target);
                    if (error != Error.None)
                        return error;
                    current = resolved;
                    if (trailingSlash && !current.IsDirectory)
                        return Fail(current, Error.NotADirectory);
                    continue;
                }
                current.Release();
                current = child;
                if (trailingSlash && !current.IsDirectory)
                    return Fail(current, Error.NotADirectory);
            }
        }

        // "..": stays at the root; from a mounted file system's root, to the mount point first.
        private static Vnode Up(in Context context, Vnode current)
        {
            while (current != context.Root)
            {
                Vnode point = MountTable.MountPointOf(current);
                if (point == null)
                    break;
                current.Release();
                current = point;
            }
            if (current == context.Root)
                return current;
            Vnode parent = current.ReferenceParent();
            if (parent == null)
                return current;
            current.Release();
            return parent;
        }

        private static Error Fail(Vnode current, Error error)
        {
            current.Release();
            return error;
        }
    }
}
