using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// One /proc object, made on lookup from what it names: its kind, and the process, thread or descriptor number it
    /// is about (ProcessId 0: the system's). Directories list their fixed entries (ProcEntries), then their numbered
    /// ones (processes, descriptors, threads) read live; files are generated on open (ProcGenerator, into the open
    /// file's buffer); links are generated on readlink. Owned by the process it describes (its effective ids, as
    /// Linux), root for the rest. Read-only: opening a file for writing (or truncating it) is EACCES (Linux lets root
    /// open it and fails the write with EIO; refusing at open says the same sooner); names are never made, removed or
    /// renamed, with Linux's errors (Refuse). Keeps its parent and its name (PathWalker's "..", getcwd, fd links
    /// to /proc files).
    /// </summary>
    public sealed unsafe class ProcNode : Vnode
    {
        public readonly ProcKind Kind;
        public readonly int ProcessId;
        /// <summary>The Linux thread id for task/TID and its files; 0 otherwise.</summary>
        public readonly int ThreadId;
        /// <summary>The descriptor of an fd/N link.</summary>
        public readonly int Descriptor;

        /// <summary>Where numbered entries' cursors start (getdents64): a process id, descriptor or thread id N is at DynamicBase + N.</summary>
        private const ulong DynamicBase = 0x1000;

        private ProcNode(ProcFileSystem fileSystem, ProcKind kind, int processId, int threadId, int descriptor)
            : base(fileSystem, ProcEntries.ModeOf(kind))
        {
            Kind = kind;
            ProcessId = processId;
            ThreadId = threadId;
            Descriptor = descriptor;
            Inode = InodeOf(kind, processId, kind == ProcKind.Descriptor ? descriptor : threadId);
            LinkCount = IsDirectory ? 2u : 1u;
        }

        internal static ProcNode CreateRoot(ProcFileSystem fileSystem) => new ProcNode(fileSystem, ProcKind.Root, 0, 0, 0);

        /// <summary>
        /// The inode number of an object: fixed by what it is (the same object looked up twice has one number, as
        /// find and ls -i expect): the process id in the high half, the kind, then a thread id or descriptor.
        /// </summary>
        public static ulong InodeOf(ProcKind kind, int processId, int number)
            => kind == ProcKind.Root ? 1 : ((ulong)(uint)processId << 32) | ((ulong)kind << 24) | ((uint)number & 0xFFFFFF);

        private new ProcFileSystem FileSystem => System.Runtime.CompilerServices.Unsafe.As<ProcFileSystem>(base.FileSystem);

        // A child of this directory, named 'name' (copied), owned as its process's objects are.
        private Vnode Child(ProcKind kind, int processId, int threadId, int descriptor, Name name)
        {
            ProcNode child = new ProcNode(FileSystem, kind, processId, threadId, descriptor);
            AddReference();
            child.Parent = this;
            byte* copy = name.Copy();
            child.NameInParent = copy;
            child.NameInParentLength = copy != null ? name.Length : 0;
            if (processId != 0)
            {
                Process process = ProcessFacts.Find(processId);
                if (process != null)
                {
                    Credentials credentials = ProcessFacts.CredentialsOf(process);
                    child.UserId = credentials.EffectiveUserId;   // Linux: /proc/PID belongs to the effective ids
                    child.GroupId = credentials.EffectiveGroupId;
                    process.Release();
                }
            }
            if (child.IsDirectory)
            {
                ProcEntry[] entries = ProcEntries.Of(kind);
                if (entries != null)
                    for (int i = 0; i < entries.Length; i++)
                        if (ProcEntries.IsDirectory(entries[i].Kind))
                            child.LinkCount++;
            }
            return child;
        }

        // ---------------------------------------------------------------- directories

        public override Error Lookup(Name name, out Vnode child)
        {
            child = null;
            if (!IsDirectory)
                return Error.NotADirectory;
            long number = ProcEntries.Number(name);
            Process process = ProcessFacts.Find(ProcessId);
            if (ProcessId != 0 && process == null)
                return Error.NotFound;   // the process is gone: its directory is empty, as Linux's
            Error error = Error.NotFound;
            switch (Kind)
            {
                case ProcKind.Root:
                    if (number > 0)
                    {
                        Process target = ProcessFacts.Find((int)number);
                        if (target != null)
                        {
                            target.Release();
                            child = Child(ProcKind.Process, (int)number, 0, 0, name);
                            error = Error.None;
                        }
                    }
                    break;
                case ProcKind.Descriptors:
                    LinuxProcess linux = ProcessFacts.Linux(process);
                    if (number >= 0 && linux != null)
                    {
                        if (ProcessFacts.NextDescriptor(linux, (int)number, out OpenFile file) == number)
                        {
                            child = Child(ProcKind.Descriptor, ProcessId, 0, (int)number, name);
                            error = Error.None;
                        }
                        file?.Release();
                    }
                    break;
                case ProcKind.Tasks:
                    if (number > 0 && ProcessFacts.SlotOf(process, (int)number) != ProcessFacts.NoThread)
                    {
                        child = Child(ProcKind.Task, ProcessId, (int)number, 0, name);
                        error = Error.None;
                    }
                    break;
            }
            if (error == Error.NotFound)
            {
                ProcEntry[] entries = ProcEntries.Of(Kind);
                bool linuxProcess = process != null && ProcessFacts.Linux(process) != null;
                for (int i = 0; entries != null && i < entries.Length; i++)
                {
                    if (!ProcEntries.Is(name, entries[i].Name) || (entries[i].LinuxOnly && !linuxProcess))
                        continue;
                    child = Child(entries[i].Kind, ProcessId, ThreadId, 0, name);
                    error = Error.None;
                    break;
                }
            }
            process?.Release();
            return error;
        }

        /// <summary>
        /// "." and "..", the fixed entries, then the numbered ones in increasing order (their cursor is DynamicBase plus
        /// the number, so a process, descriptor or thread that comes or goes never makes a reader skip or repeat one).
        /// Takes the registry's and processes' locks: called with no lock held (ProcDirectoryFile, not OpenFile's
        /// ReadDirectory, which holds the offset lock).
        /// </summary>
        public override Error ReadEntry(ref ulong cursor, DirectoryEntry* entry)
        {
            if (!IsDirectory)
                return Error.NotADirectory;
            if (cursor <= 1)
                return DirectoryEntry.Dots(ref cursor, entry, Inode, 1, 2);
            if (cursor == 2)
                return DirectoryEntry.Dots(ref cursor, entry, Parent != null ? Parent.Inode : Inode, 2, 3);
            Process process = ProcessFacts.Find(ProcessId);
            if (ProcessId != 0 && process == null)
                return Error.NotFound;
            bool linuxProcess = process != null && ProcessFacts.Linux(process) != null;
            ProcEntry[] entries = ProcEntries.Of(Kind);
            int fixedCount = entries != null ? entries.Length : 0;
            Error error = Error.NotFound;
            for (int i = cursor < DynamicBase ? (int)(cursor - 3) : fixedCount; i < fixedCount; i++)
            {
                if (entries[i].LinuxOnly && !linuxProcess)
                    continue;
                Fill(entry, entries[i].Name, InodeOf(entries[i].Kind, ProcessId, ThreadId), entries[i].Kind);
                cursor = 3 + (ulong)i + 1;
                error = Error.None;
                break;
            }
            if (error != Error.None)
            {
                int from = cursor >= DynamicBase ? (int)(cursor - DynamicBase) : 0;
                int next = -1;
                ProcKind kind = ProcKind.Root;
                switch (Kind)
                {
                    case ProcKind.Root:
                        next = ProcessFacts.NextProcessId(from);
                        kind = ProcKind.Process;
                        break;
                    case ProcKind.Descriptors:
                        LinuxProcess linux = ProcessFacts.Linux(process);
                        if (linux != null)
                        {
                            next = ProcessFacts.NextDescriptor(linux, from, out OpenFile file);
                            file?.Release();
                        }
                        kind = ProcKind.Descriptor;
                        break;
                    case ProcKind.Tasks:
                        next = ProcessFacts.NextThreadId(process, from);
                        kind = ProcKind.Task;
                        break;
                }
                if (next >= 0)
                {
                    FillNumber(entry, next, kind == ProcKind.Process ? InodeOf(kind, next, 0) : InodeOf(kind, ProcessId, next), kind);
                    cursor = DynamicBase + (ulong)next + 1;
                    error = Error.None;
                }
            }
            process?.Release();
            return error;
        }

        private static void Fill(DirectoryEntry* entry, string name, ulong inode, ProcKind kind)
        {
            entry->Inode = inode;
            entry->Type = FileMode.DirectoryEntryType(ProcEntries.ModeOf(kind));
            entry->NameLength = name.Length;
            for (int i = 0; i < name.Length; i++)
                entry->Name[i] = (byte)name[i];
        }

        private static void FillNumber(DirectoryEntry* entry, int number, ulong inode, ProcKind kind)
        {
            entry->Inode = inode;
            entry->Type = FileMode.DirectoryEntryType(ProcEntries.ModeOf(kind));
            ProcText text = new ProcText(entry->Name, 255);
            text.Decimal((ulong)number);
            entry->NameLength = text.Length;
        }

        // Nothing is created, linked, removed or renamed in /proc, with Linux's errors: a new name is not found (Linux's
        // proc lookup fails with ENOENT before any create is tried: touch, mkdir, mknod, symlink, link and rename to it),
        // an existing one is EEXIST for what would make it, and removing or renaming over it is EPERM (no unlink or
        // rename operation).
        public override Error Create(Name name, uint mode, uint userId, uint groupId, ulong device, out Vnode created)
        {
            created = null;
            return Refuse(name);
        }

        public override Error CreateSymbolicLink(Name name, byte* target, int targetLength, uint userId, uint groupId, out Vnode created)
        {
            created = null;
            return Refuse(name);
        }

        public override Error Link(Name name, Vnode target) => Refuse(name);

        public override Error Remove(Name name, bool directory)
        {
            Error error = Refuse(name);
            return error == Error.AlreadyExists ? Error.NotPermitted : error;
        }

        public override Error Rename(Name name, Vnode toDirectory, Name to)
        {
            Error error = toDirectory.Lookup(to, out Vnode existing);
            existing?.Release();
            return error == Error.None ? Error.NotPermitted : error;
        }

        private Error Refuse(Name name)
        {
            if (!IsDirectory)
                return Error.NotADirectory;
            Error error = Lookup(name, out Vnode existing);
            existing?.Release();
            return error == Error.None ? Error.AlreadyExists : error;
        }

        // ---------------------------------------------------------------- files and links

        /// <summary>Directories open as ProcDirectoryFile, links as plain files (O_PATH), files with their text generated now.</summary>
        public override Error Open(int flags, out OpenFile file)
        {
            file = null;
            if (IsDirectory)
            {
                file = new ProcDirectoryFile(this, flags);
                return Error.None;
            }
            if (IsSymbolicLink || (flags & OpenFlags.Path) != 0)
            {
                file = new OpenFile(this, flags);
                return Error.None;
            }
            if (OpenFlags.Writable(flags))
                return Error.AccessDenied;
            Error error = Generate(out byte* text, out int length);
            if (error != Error.None)
                return error;
            file = new ProcOpenFile(this, flags, text, length);
            return Error.None;
        }

        /// <summary>
        /// The file's whole text, generated now into a heap buffer the caller frees (KernelHeap.Free): sized by a first
        /// pass into a page, and generated again at the size it needed when that was not enough (a file that grows
        /// between the two passes is generated again, at most a few times, then cut).
        /// </summary>
        public Error Generate(out byte* text, out int length)
        {
            text = null;
            length = 0;
            int capacity = 4096;
            for (int attempt = 0; ; attempt++)
            {
                byte* buffer = (byte*)KernelHeap.AllocateUninitialized((ulong)capacity);
                if (buffer == null)
                    return Error.OutOfMemory;
                ProcText builder = new ProcText(buffer, capacity);
                Error error = ProcGenerator.Generate(this, ref builder);
                if (error != Error.None)
                {
                    KernelHeap.Free(buffer);
                    return error;
                }
                if (!builder.Overflowed || attempt == 3 || builder.Length > MaximumText)
                {
                    text = buffer;
                    length = builder.Length < capacity ? builder.Length : capacity;
                    return Error.None;
                }
                KernelHeap.Free(buffer);
                capacity = builder.Length + 1024;
            }
        }

        /// <summary>The largest text a /proc file is generated to (an explicit limit: maps of 1024 regions fit in it).</summary>
        public const int MaximumText = 1 << 20;

        /// <summary>A read of the object without an open file (the kernel's own readers): generated, sliced, freed.</summary>
        public override Error Read(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (IsDirectory)
                return Error.IsADirectory;
            if (IsSymbolicLink)
                return Error.Invalid;
            Error error = Generate(out byte* text, out int length);
            if (error != Error.None)
                return error;
            error = ProcOpenFile.Slice(text, (ulong)length, offset, buffer, count, out done);
            KernelHeap.Free(text);
            return error;
        }

        public override Error Write(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return IsDirectory ? Error.IsADirectory : Error.AccessDenied;
        }

        public override Error SetSize(ulong size) => IsDirectory ? Error.IsADirectory : Error.AccessDenied;

        public override Error ReadLink(byte* buffer, int capacity, out int length)
        {
            length = 0;
            if (!IsSymbolicLink)
                return Error.Invalid;
            ProcText builder = new ProcText(buffer, capacity);
            Error error = ProcGenerator.LinkTarget(this, ref builder);
            if (error != Error.None)
                return error;
            if (builder.Overflowed)
                return Error.NameTooLong;
            length = builder.Length;
            return Error.None;
        }
    }
}
