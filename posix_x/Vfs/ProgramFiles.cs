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

        private static byte* Find(byte* name, int length, ulong* size)
        {
            *size = 0;
            if (Resolve(name, length, out Vnode node) != Error.None)
                return null;
            byte* file = Read(node, size);
            node.Release();
            return file;
        }

        /// <summary>
        /// The program file a name or path given to the launcher means (with a reference): the path itself, or the
        /// first of Linux's default PATH that has it; symbolic links followed (/bin/sh is busybox's file).
        /// </summary>
        public static Error Resolve(byte* name, int length, out Vnode node)
        {
            node = null;
            bool isPath = false;
            for (int i = 0; i < length; i++)
                isPath |= name[i] == (byte)'/';
            if (isPath)
                return ResolvePath(name, length, out node);
            if (length > Exo.Kernel.Processes.Process.NameCapacity)
                return Error.NameTooLong;
            byte* path = stackalloc byte[64 + Exo.Kernel.Processes.Process.NameCapacity];
            foreach (string directory in s_searchPath)
            {
                int pathLength = 0;
                for (int i = 0; i < directory.Length; i++)
                    path[pathLength++] = (byte)directory[i];
                for (int i = 0; i < length; i++)
                    path[pathLength++] = name[i];
                if (ResolvePath(path, pathLength, out node) == Error.None)
                    return Error.None;
            }
            return Error.NotFound;
        }

        /// <summary>
        /// The file a spawned process runs (LinuxProcess.OnStart, for /proc/PID/exe), as the launcher found it: the
        /// boot image's exo/bin/NAME first, else what Resolve finds. Null if neither is there any more.
        /// </summary>
        public static Vnode OfSpawned(Exo.Kernel.Processes.Process process)
        {
            byte* line = process.CommandLine;
            int length = 0;
            while (length < process.CommandLineLength && line[length] != (byte)' ')
                length++;
            if (Exo.Kernel.Boot.InitialRamDisk.TryFindProgram(line, length, out _, out _))
            {
                string directory = Exo.Kernel.Boot.InitialRamDisk.ProgramDirectory;
                byte* path = stackalloc byte[2 + 16 + Exo.Kernel.Processes.Process.NameCapacity];
                int pathLength = 0;
                path[pathLength++] = (byte)'/';
                for (int i = 0; i < directory.Length && i < 16; i++)
                    path[pathLength++] = (byte)directory[i];
                for (int i = 0; i < length && i < Exo.Kernel.Processes.Process.NameCapacity; i++)
                    path[pathLength++] = line[i];
                if (ResolvePath(path, pathLength, out Vnode found) == Error.None)
                    return found;
            }
            return Resolve(line, length, out Vnode node) == Error.None ? node : null;
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
            if (fileSize > 0 && fileSize <= MaximumSize)
            {
                file = (byte*)KernelHeap.AllocateUninitialized(fileSize);
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
