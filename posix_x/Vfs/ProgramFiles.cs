using Exo.Kernel.Memory.Heap;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// The kernel launcher's program source (Kernel.Processes.ProgramSource): a program named by a path from the
    /// root, or by a bare name looked up on Linux's default PATH, read whole from the VFS if it is a regular file
    /// with an execute bit. How the kernel shell's "run sh" and init's services reach the root file system.
    /// </summary>
    public static unsafe class ProgramFiles
    {
        private static readonly string[] s_searchPath = { "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/" };
        /// <summary>The largest program read (an explicit limit).</summary>
        public const ulong MaximumSize = 256UL << 20;

        public static void Initialize() => Exo.Kernel.Processes.ProgramSource.Register(&Find);

        private static byte* Find(byte* name, int length, ulong* size, Error* error)
        {
            *size = 0;
            *error = Resolve(name, length, out Vnode node);
            if (*error != Error.None)
                return null;
            byte* file = Read(node, size);
            node.Release();
            if (file == null)
                *error = *size > MaximumSize ? Error.OutOfMemory : Error.InputOutput;
            return file;
        }

        /// <summary>The longest path a program found by name gets (a PATH directory and a process name).</summary>
        public const int MaximumFoundPath = 64 + Exo.Kernel.Processes.Process.NameCapacity;

        /// <summary>
        /// The program file a name or path given to the launcher means (with a reference): the path itself, or the
        /// first of Linux's default PATH that has it; symbolic links followed (/bin/sh is busybox's file).
        /// </summary>
        public static Error Resolve(byte* name, int length, out Vnode node)
        {
            node = null;
            byte* path = stackalloc byte[MaximumFoundPath];
            int pathLength = Search(name, length, path);
            if (pathLength < 0)
                return Error.NameTooLong;
            return pathLength == 0 ? Error.NotFound : ResolvePath(IsPath(name, length) ? name : path, pathLength, out node);
        }

        private static bool IsPath(byte* name, int length)
        {
            for (int i = 0; i < length; i++)
                if (name[i] == (byte)'/')
                    return true;
            return false;
        }

        // Where 'name' is: itself if it is a path (not copied: its length comes back), else the first PATH directory
        // that has it, written into 'path' (MaximumFoundPath bytes). 0 if nowhere; -1 for a name too long.
        private static int Search(byte* name, int length, byte* path)
        {
            if (IsPath(name, length))
                return length;
            if (length > Exo.Kernel.Processes.Process.NameCapacity)
                return -1;
            foreach (string directory in s_searchPath)
            {
                int pathLength = 0;
                for (int i = 0; i < directory.Length; i++)
                    path[pathLength++] = (byte)directory[i];
                for (int i = 0; i < length; i++)
                    path[pathLength++] = name[i];
                if (ResolvePath(path, pathLength, out Vnode node) == Error.None)
                {
                    node.Release();
                    return pathLength;
                }
            }
            return 0;
        }

        /// <summary>
        /// The path a spawned process's program was found at, as Linux's AT_EXECFN and /proc/PID/exe name it: the boot
        /// image's /exo/bin/NAME first, else the path given, else the first PATH directory that has the name; written
        /// into 'path' (MaximumFoundPath bytes). 0 if it is in none of them.
        /// </summary>
        public static int PathOfSpawned(Exo.Kernel.Processes.Process process, byte* path)
        {
            byte* line = process.CommandLine;
            int length = 0;
            while (length < process.CommandLineLength && line[length] != (byte)' ')
                length++;
            if (Exo.Kernel.Boot.InitialRamDisk.TryFindProgram(line, length, out _, out _))
            {
                string directory = Exo.Kernel.Boot.InitialRamDisk.ProgramDirectory;
                int pathLength = 0;
                path[pathLength++] = (byte)'/';
                for (int i = 0; i < directory.Length && i < 16; i++)
                    path[pathLength++] = (byte)directory[i];
                for (int i = 0; i < length && i < Exo.Kernel.Processes.Process.NameCapacity; i++)
                    path[pathLength++] = line[i];
                if (ResolvePath(path, pathLength, out Vnode found) == Error.None)
                {
                    found.Release();
                    return pathLength;
                }
            }
            if (IsPath(line, length))
            {
                int copied = length < MaximumFoundPath ? length : MaximumFoundPath;
                for (int i = 0; i < copied; i++)
                    path[i] = line[i];
                return copied;
            }
            int searched = Search(line, length, path);
            return searched < 0 ? 0 : searched;
        }

        /// <summary>The file a spawned process runs (LinuxProcess.OnStart, for /proc/PID/exe); null if it is gone.</summary>
        public static Vnode OfSpawned(Exo.Kernel.Processes.Process process)
        {
            byte* path = stackalloc byte[MaximumFoundPath];
            int length = PathOfSpawned(process, path);
            return length != 0 && ResolvePath(path, length, out Vnode node) == Error.None ? node : null;
        }

        // A regular file with an execute bit at 'path' (from the root, as root), with a reference.
        private static Error ResolvePath(byte* path, int length, out Vnode node)
        {
            PathWalker.Context context;
            context.Root = MountTable.RootDirectory;
            context.Start = context.Root;
            context.Credentials = Credentials.Root;
            Error error = PathWalker.Resolve(context, path, length, followFinal: true, out node);
            if (error != Error.None)
                return error;
            if (node.IsRegular && (node.Mode & 0x49) != 0)
                return Error.None;
            node.Release();
            node = null;
            return Error.AccessDenied;
        }

        private static byte* Read(Vnode node, ulong* size)
        {
            byte* file = null;
            ulong fileSize = node.Size;
            if (fileSize <= MaximumSize)
            {
                // An empty file reads as a block of one byte and size 0: the loader then says what is wrong with it.
                file = (byte*)KernelHeap.AllocateUninitialized(fileSize == 0 ? 1 : fileSize);
                if (file != null && (node.Read(0, IoBuffer.Kernel(file), fileSize, out ulong read) != Error.None || read != fileSize))
                {
                    KernelHeap.Free(file);
                    file = null;
                }
            }
            *size = fileSize;
            return file;
        }
    }
}
