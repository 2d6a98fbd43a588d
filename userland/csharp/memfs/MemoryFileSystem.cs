using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Std.Memory;

namespace Memfs
{
    /// <summary>
    /// The file system memfs serves: a table of at most <see cref="MaximumNodes"/> objects (node id = slot + 1, the
    /// root is 1), each a directory, a regular file or a symbolic link with its parent and name; a directory's
    /// entries are the objects whose parent it is, listed in node order (the cursor is the last node id listed, so
    /// cursors only grow). File data lives in the user heap, at most <see cref="MaximumFileSize"/> a file and
    /// <see cref="MaximumBytes"/> in all (ENOSPC, EFBIG beyond). No clock reaches a native program yet: times are
    /// 0 until a SetAttributes sets them. An unlinked object is gone at once (open descriptors then get ESTALE).
    /// </summary>
    public static unsafe class MemoryFileSystem
    {
        public const int MaximumNodes = 256;
        public const ulong MaximumFileSize = 1 << 20;
        public const ulong MaximumBytes = 8 << 20;

        private struct Node
        {
            public bool InUse;
            public uint Mode, UserId, GroupId, LinkCount;
            public ulong Parent;
            public byte* Name;
            public int NameLength;
            public byte* Data;
            public ulong Size, Capacity;
            public long AccessedSeconds, ModifiedSeconds, ChangedSeconds;
            public uint AccessedNanoseconds, ModifiedNanoseconds, ChangedNanoseconds;
        }

        private static Node* s_nodes;
        private static ulong s_bytesUsed;

        public static bool Initialize()
        {
            s_nodes = (Node*)UserHeap.Allocate((nuint)(sizeof(Node) * MaximumNodes));
            if (s_nodes == null)
                return false;
            s_nodes[0] = new Node { InUse = true, Mode = NodeAttributes.Directory | 0x1FF | 0x200, LinkCount = 2, Parent = 1 };   // 01777, as a tmpfs root
            return true;
        }

        private static Node* Find(ulong id) => id >= 1 && id <= MaximumNodes && s_nodes[id - 1].InUse ? &s_nodes[id - 1] : null;

        private static bool IsDirectory(Node* node) => (node->Mode & NodeAttributes.TypeMask) == NodeAttributes.Directory;

        public static NodeAttributes AttributesOf(ulong id)
        {
            Node* node = Find(id);
            return new NodeAttributes
            {
                Node = id, Mode = node->Mode, LinkCount = node->LinkCount, UserId = node->UserId, GroupId = node->GroupId,
                Size = node->Size, Blocks = (node->Capacity + 511) / 512,
                AccessedSeconds = node->AccessedSeconds, AccessedNanoseconds = node->AccessedNanoseconds,
                ModifiedSeconds = node->ModifiedSeconds, ModifiedNanoseconds = node->ModifiedNanoseconds,
                ChangedSeconds = node->ChangedSeconds, ChangedNanoseconds = node->ChangedNanoseconds,
            };
        }

        private static bool SameName(Node* node, byte* name, int length)
        {
            if (node->NameLength != length)
                return false;
            for (int i = 0; i < length; i++)
                if (node->Name[i] != name[i])
                    return false;
            return true;
        }

        /// <summary>The child 'name' of directory 'directory': its id, or 0.</summary>
        private static ulong Child(ulong directory, byte* name, int length)
        {
            for (int i = 1; i < MaximumNodes; i++)
                if (s_nodes[i].InUse && s_nodes[i].Parent == directory && SameName(&s_nodes[i], name, length))
                    return (ulong)i + 1;
            return 0;
        }

        private static bool HasChildren(ulong directory)
        {
            for (int i = 1; i < MaximumNodes; i++)
                if (s_nodes[i].InUse && s_nodes[i].Parent == directory)
                    return true;
            return false;
        }

        private static Error Directory(ulong id, out Node* node)
        {
            node = Find(id);
            if (node == null)
                return Error.StaleHandle;
            return IsDirectory(node) ? Error.None : Error.NotADirectory;
        }

        public static Error Lookup(ulong directory, byte* name, int length, out ulong found)
        {
            found = 0;
            Error error = Directory(directory, out _);
            if (error != Error.None)
                return error;
            found = Child(directory, name, length);
            return found != 0 ? Error.None : Error.NotFound;
        }

        public static Error Make(ulong directory, byte* name, int length, uint mode, uint userId, uint groupId, byte* target, int targetLength, out ulong made)
        {
            made = 0;
            Error error = Directory(directory, out Node* parent);
            if (error != Error.None)
                return error;
            if (Child(directory, name, length) != 0)
                return Error.AlreadyExists;
            int slot = 1;
            while (slot < MaximumNodes && s_nodes[slot].InUse)
                slot++;
            if (slot == MaximumNodes)
                return Error.NoSpace;
            byte* copy = (byte*)UserHeap.Allocate((nuint)length);
            if (copy == null)
                return Error.NoSpace;
            for (int i = 0; i < length; i++)
                copy[i] = name[i];
            Node* node = &s_nodes[slot];
            *node = new Node { InUse = true, Mode = mode, UserId = userId, GroupId = groupId, LinkCount = 1, Parent = directory, Name = copy, NameLength = length };
            if (IsDirectory(node))
            {
                node->LinkCount = 2;
                parent->LinkCount++;
            }
            if (targetLength > 0)
            {
                error = Store(node, 0, target, targetLength, out _);
                if (error != Error.None)
                {
                    Free(node);
                    return error;
                }
            }
            made = (ulong)slot + 1;
            return Error.None;
        }

        public static Error Remove(ulong directory, byte* name, int length, bool wantDirectory)
        {
            Error error = Directory(directory, out Node* parent);
            if (error != Error.None)
                return error;
            ulong id = Child(directory, name, length);
            if (id == 0)
                return Error.NotFound;
            Node* node = Find(id);
            if (wantDirectory != IsDirectory(node))
                return wantDirectory ? Error.NotADirectory : Error.IsADirectory;
            if (wantDirectory && HasChildren(id))
                return Error.NotEmpty;
            if (wantDirectory)
                parent->LinkCount--;
            Free(node);
            return Error.None;
        }

        private static void Free(Node* node)
        {
            s_bytesUsed -= node->Capacity;
            if (node->Data != null)
                UserHeap.Free(node->Data);
            if (node->Name != null)
                UserHeap.Free(node->Name);
            *node = default;
        }

        // Whether 'ancestor' is 'id' or holds it (a directory may not move into itself).
        private static bool Contains(ulong ancestor, ulong id)
        {
            for (int steps = 0; steps < MaximumNodes && id != 1; steps++)
            {
                if (id == ancestor)
                    return true;
                id = s_nodes[id - 1].Parent;
            }
            return id == ancestor;
        }

        public static Error Rename(ulong fromDirectory, byte* from, int fromLength, ulong toDirectory, byte* to, int toLength)
        {
            Error error = Directory(fromDirectory, out Node* fromParent);
            if (error == Error.None)
                error = Directory(toDirectory, out _);
            if (error != Error.None)
                return error;
            ulong moving = Child(fromDirectory, from, fromLength);
            if (moving == 0)
                return Error.NotFound;
            Node* node = Find(moving);
            if (IsDirectory(node) && Contains(moving, toDirectory))
                return Error.Invalid;
            ulong replaced = Child(toDirectory, to, toLength);
            if (replaced == moving)
                return Error.None;
            byte* copy = (byte*)UserHeap.Allocate((nuint)toLength);
            if (copy == null)
                return Error.NoSpace;
            if (replaced != 0)
            {
                Node* old = Find(replaced);
                if (IsDirectory(node) != IsDirectory(old))
                {
                    UserHeap.Free(copy);
                    return IsDirectory(node) ? Error.NotADirectory : Error.IsADirectory;
                }
                if (IsDirectory(old) && HasChildren(replaced))
                {
                    UserHeap.Free(copy);
                    return Error.NotEmpty;
                }
                if (IsDirectory(old))
                    Find(toDirectory)->LinkCount--;
                Free(old);
            }
            for (int i = 0; i < toLength; i++)
                copy[i] = to[i];
            UserHeap.Free(node->Name);
            node->Name = copy;
            node->NameLength = toLength;
            if (IsDirectory(node) && fromDirectory != toDirectory)
            {
                fromParent->LinkCount--;
                Find(toDirectory)->LinkCount++;
            }
            node->Parent = toDirectory;
            return Error.None;
        }

        /// <summary>The first entry of 'directory' after 'cursor' (a node id): its id, or 0 at the end.</summary>
        public static Error NextEntry(ulong directory, ulong cursor, out ulong id, out byte type, out byte* name, out int nameLength)
        {
            id = 0;
            type = 0;
            name = null;
            nameLength = 0;
            Error error = Directory(directory, out _);
            if (error != Error.None)
                return error;
            for (ulong candidate = cursor + 1; candidate <= MaximumNodes; candidate++)
            {
                Node* node = &s_nodes[candidate - 1];
                if (candidate == 1 || !node->InUse || node->Parent != directory)
                    continue;
                id = candidate;
                uint kind = node->Mode & NodeAttributes.TypeMask;
                type = kind == NodeAttributes.Directory ? DirectoryRecords.TypeDirectory
                    : kind == NodeAttributes.SymbolicLink ? DirectoryRecords.TypeSymbolicLink : DirectoryRecords.TypeRegular;
                name = node->Name;
                nameLength = node->NameLength;
                return Error.None;
            }
            return Error.None;
        }

        public static Error File(ulong id, out byte* data, out ulong size)
        {
            data = null;
            size = 0;
            Node* node = Find(id);
            if (node == null)
                return Error.StaleHandle;
            if (IsDirectory(node))
                return Error.IsADirectory;
            data = node->Data;
            size = node->Size;
            return Error.None;
        }

        public static Error Write(ulong id, ulong offset, byte* data, int length, out uint written)
        {
            written = 0;
            Node* node = Find(id);
            if (node == null)
                return Error.StaleHandle;
            if ((node->Mode & NodeAttributes.TypeMask) != NodeAttributes.Regular)
                return IsDirectory(node) ? Error.IsADirectory : Error.Invalid;
            return Store(node, offset, data, length, out written);
        }

        private static Error Store(Node* node, ulong offset, byte* data, int length, out uint written)
        {
            written = 0;
            if (offset >= MaximumFileSize)
                return Error.FileTooLarge;
            ulong end = offset + (ulong)length;
            if (end > MaximumFileSize)
                end = MaximumFileSize;
            Error error = Reserve(node, end);
            if (error != Error.None)
                return error;
            for (ulong i = offset; i < end; i++)
                node->Data[i] = data[i - offset];
            if (end > node->Size)
                node->Size = end;
            written = (uint)(end - offset);
            return Error.None;
        }

        // Room for 'size' bytes (doubling, from 64), the new part zeroed; ENOSPC past MaximumBytes.
        private static Error Reserve(Node* node, ulong size)
        {
            if (size <= node->Capacity)
                return Error.None;
            ulong capacity = node->Capacity < 64 ? 64 : node->Capacity;
            while (capacity < size)
                capacity *= 2;
            if (capacity > MaximumFileSize)
                capacity = MaximumFileSize;
            if (s_bytesUsed - node->Capacity + capacity > MaximumBytes)
                return Error.NoSpace;
            byte* grown = (byte*)UserHeap.Allocate((nuint)capacity);   // zeroed
            if (grown == null)
                return Error.NoSpace;
            for (ulong i = 0; i < node->Size; i++)
                grown[i] = node->Data[i];
            if (node->Data != null)
                UserHeap.Free(node->Data);
            s_bytesUsed += capacity - node->Capacity;
            node->Data = grown;
            node->Capacity = capacity;
            return Error.None;
        }

        public static Error SetAttributes(ulong id, in FileSystemRequest request)
        {
            Node* node = Find(id);
            if (node == null)
                return Error.StaleHandle;
            if ((request.SetMask & SetAttributeFields.Size) != 0)
            {
                if ((node->Mode & NodeAttributes.TypeMask) != NodeAttributes.Regular)
                    return IsDirectory(node) ? Error.IsADirectory : Error.Invalid;
                if (request.Size > MaximumFileSize)
                    return Error.FileTooLarge;
                Error error = Reserve(node, request.Size);
                if (error != Error.None)
                    return error;
                for (ulong i = request.Size; i < node->Size; i++)
                    node->Data[i] = 0;   // a later growth reads zeros
                node->Size = request.Size;
            }
            if ((request.SetMask & SetAttributeFields.Mode) != 0)
                node->Mode = (node->Mode & NodeAttributes.TypeMask) | request.Mode;
            if ((request.SetMask & SetAttributeFields.UserId) != 0)
                node->UserId = request.UserId;
            if ((request.SetMask & SetAttributeFields.GroupId) != 0)
                node->GroupId = request.GroupId;
            if ((request.SetMask & SetAttributeFields.Accessed) != 0)
            {
                node->AccessedSeconds = request.AccessedSeconds;
                node->AccessedNanoseconds = request.AccessedNanoseconds;
            }
            if ((request.SetMask & SetAttributeFields.Modified) != 0)
            {
                node->ModifiedSeconds = request.ModifiedSeconds;
                node->ModifiedNanoseconds = request.ModifiedNanoseconds;
            }
            return Error.None;
        }

        public static bool Exists(ulong id) => Find(id) != null;

        public static FileSystemFigures Figures()
        {
            ulong used = 0;
            for (int i = 0; i < MaximumNodes; i++)
                if (s_nodes[i].InUse)
                    used++;
            ulong blocks = MaximumBytes / 4096, free = (MaximumBytes - s_bytesUsed) / 4096;
            return new FileSystemFigures
            {
                BlockSize = 4096, Blocks = blocks, FreeBlocks = free, AvailableBlocks = free,
                Files = MaximumNodes, FreeFiles = MaximumNodes - used, MaximumNameLength = FileSystemLimits.MaximumNameLength,
            };
        }
    }
}
