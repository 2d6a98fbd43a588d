using Exo.Kernel.Memory.Heap;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// What an open file is called in /proc/PID/fd (and a directory in cwd, root, mounts): the path as the reader sees
    /// it for what has one, "pipe:[inode]" for a pipe, "socket:[inode]" for a socket. Directories know their name and
    /// parent (Paths.Of); /proc's own objects too; a file of another file system does not, so it is searched for in its
    /// file system, depth first from that file system's root (only directories and entries with its inode number are
    /// looked up): the name it has now, renames included, the first one found for a file with several links, and
    /// "(deleted)" for one no longer in any directory.
    /// </summary>
    public static unsafe class DescriptorPaths
    {
        /// <summary>How deep the search goes below a file system's root.</summary>
        public const int MaximumDepth = 32;

        public static Error Describe(Vnode root, OpenFile file, ref ProcText text)
        {
            if (file is Events.AnonymousFile anonymous)
            {
                // Linux's "anon_inode:[eventfd]", "anon_inode:[eventpoll]", ...
                text.Text("anon_inode:[");
                text.Text(anonymous.KindName);
                text.Byte((byte)']');
                return Error.None;
            }
            return NodePath(root, file.Node, ref text);
        }

        /// <summary>What 'node' is called as seen from 'root' (a path, or a pipe's or socket's name, as Describe).</summary>
        public static Error NodePath(Vnode root, Vnode node, ref ProcText text)
        {
            if (node == null)
            {
                text.Text("anon_inode:[unknown]");
                return Error.None;
            }
            uint type = node.Type;
            if (type == FileMode.Fifo || type == FileMode.Socket)
            {
                text.Text(type == FileMode.Fifo ? "pipe:[" : "socket:[");
                text.Decimal(node.Inode);
                text.Byte((byte)']');
                return Error.None;
            }
            if (node.IsDirectory)
                return DirectoryPath(root, node, ref text);
            if (MemoryFiles.Holds(node))
            {
                // A memfd: in no directory, under its own name (Linux's "/memfd:NAME (deleted)").
                text.Byte((byte)'/');
                text.Bytes(node.NameInParent, node.NameInParentLength);
                text.Text(" (deleted)");
                return Error.None;
            }
            Vnode parent = node.ReferenceParent();
            if (parent != null && node.NameInParent != null)
            {
                Error error = EntryPath(root, parent, node.NameInParent, node.NameInParentLength, ref text);
                parent.Release();
                return error;
            }
            parent?.Release();
            byte* name = stackalloc byte[Name.MaximumLength + 1];
            Vnode directory = Search(node, name, out int nameLength);
            if (directory == null)
            {
                text.Text("(deleted)");
                return Error.None;
            }
            Error found = EntryPath(root, directory, name, nameLength, ref text);
            directory.Release();
            return found;
        }

        /// <summary>A directory's path as seen from 'root' (Paths.Of).</summary>
        public static Error DirectoryPath(Vnode root, Vnode directory, ref ProcText text, bool escaped = false)
        {
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return Error.OutOfMemory;
            Error error = Paths.Of(root, directory, path, PathWalker.MaximumPathLength, out int length);
            if (error == Error.None)
            {
                if (escaped)
                    ProcFormat.Escaped(ref text, path, length);
                else
                    text.Bytes(path, length);
            }
            KernelHeap.Free(path);
            return error;
        }

        private static Error EntryPath(Vnode root, Vnode directory, byte* name, int nameLength, ref ProcText text)
        {
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return Error.OutOfMemory;
            Error error = Paths.Of(root, directory, path, PathWalker.MaximumPathLength, out int length);
            if (error == Error.None)
            {
                if (!(length == 1 && path[0] == (byte)'/'))
                    text.Bytes(path, length);
                text.Byte((byte)'/');
                text.Bytes(name, nameLength);
            }
            KernelHeap.Free(path);
            return error;
        }

        /// <summary>
        /// The directory of 'target''s file system that has an entry for it (with a reference), its name copied to
        /// 'name' (Name.MaximumLength bytes); null if none does within MaximumDepth. Mounted-on directories are not
        /// entered (what they hide cannot be named).
        /// </summary>
        private static Vnode Search(Vnode target, byte* name, out int nameLength)
        {
            nameLength = 0;
            FileSystem fileSystem = target.FileSystem;
            if (fileSystem == null)
                return null;
            DirectoryEntry* entry = (DirectoryEntry*)KernelHeap.AllocateUninitialized((ulong)sizeof(DirectoryEntry));
            if (entry == null)
                return null;
            Vnode[] stack = new Vnode[MaximumDepth];
            ulong* cursors = stackalloc ulong[MaximumDepth];
            Vnode top = fileSystem.Root;
            top.AddReference();
            stack[0] = top;
            cursors[0] = 0;
            int depth = 1;
            Vnode found = null;
            while (depth > 0 && found == null)
            {
                Vnode directory = stack[depth - 1];
                if (directory.ReadEntry(ref cursors[depth - 1], entry) != Error.None)
                {
                    directory.Release();
                    stack[--depth] = null;
                    continue;
                }
                Name entryName = new Name(entry->Name, entry->NameLength);
                if (entryName.IsDot || entryName.IsDotDot)
                    continue;
                bool isDirectory = entry->Type == FileMode.DirectoryEntryType(FileMode.Directory);
                if (entry->Inode != target.Inode && !isDirectory)
                    continue;
                if (directory.Lookup(entryName, out Vnode child) != Error.None)
                    continue;
                if (child == target)
                {
                    for (int i = 0; i < entry->NameLength; i++)
                        name[i] = entry->Name[i];
                    nameLength = entry->NameLength;
                    found = directory;
                    stack[--depth] = null;   // its reference goes to the caller
                    child.Release();
                    break;
                }
                if (child.IsDirectory && child.FileSystem == fileSystem && child.MountedHere == null && depth < MaximumDepth)
                {
                    stack[depth] = child;
                    cursors[depth] = 0;
                    depth++;
                }
                else
                {
                    child.Release();
                }
            }
            while (depth > 0)
            {
                stack[--depth].Release();
                stack[depth] = null;
            }
            Exo.Runtime.ObjectAllocator.Free(stack);
            KernelHeap.Free(entry);
            return found;
        }
    }
}
