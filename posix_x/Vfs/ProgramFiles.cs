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
            bool isPath = false;
            for (int i = 0; i < length; i++)
                isPath |= name[i] == (byte)'/';
            if (isPath)
                return Read(name, length, size);
            byte* path = stackalloc byte[64 + Exo.Kernel.Processes.Process.NameCapacity];
            foreach (string directory in s_searchPath)
            {
                int pathLength = 0;
                for (int i = 0; i < directory.Length; i++)
                    path[pathLength++] = (byte)directory[i];
                for (int i = 0; i < length; i++)
                    path[pathLength++] = name[i];
                byte* file = Read(path, pathLength, size);
                if (file != null)
                    return file;
            }
            return null;
        }

        private static byte* Read(byte* path, int length, ulong* size)
        {
            PathWalker.Context context;
            context.Root = MountTable.RootDirectory;
            context.Start = context.Root;
            context.Credentials = Credentials.Root;
            if (PathWalker.Resolve(context, path, length, followFinal: true, out Vnode node) != Error.None)
                return null;
            byte* file = null;
            ulong fileSize = node.Size;
            if (node.IsRegular && (node.Mode & 0x49) != 0 && fileSize > 0 && fileSize <= MaximumSize)
            {
                file = (byte*)KernelHeap.AllocateUninitialized(fileSize);
                if (file != null && (node.Read(0, IoBuffer.Kernel(file), fileSize, out ulong read) != Error.None || read != fileSize))
                {
                    KernelHeap.Free(file);
                    file = null;
                }
            }
            node.Release();
            *size = fileSize;
            return file;
        }
    }
}
