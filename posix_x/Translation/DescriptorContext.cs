using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Translation
{
    /// <summary>What the file call families share: finding a descriptor's open file, and an *at call's start directory.</summary>
    public static unsafe class DescriptorContext
    {
        /// <summary>AT_FDCWD: an *at call's "relative to the working directory".</summary>
        public const int WorkingDirectory = -100;
        public const int AtSymlinkNoFollow = 0x100, AtRemoveDirectory = 0x200, AtSymlinkFollow = 0x400,
            AtNoAutomount = 0x800, AtEmptyPath = 0x1000, AtEaccess = 0x200;

        /// <summary>The open file of 'descriptor' in the calling process, with a reference; null for EBADF.</summary>
        public static OpenFile File(ulong descriptor)
        {
            if ((long)descriptor < 0 || descriptor > int.MaxValue)
                return null;
            Exo.Kernel.Processes.Process process = Exo.Kernel.Scheduler.Scheduler.Current.Process;
            FileDescriptorTable descriptors = System.Runtime.CompilerServices.Unsafe.As<LinuxProcess>(process.PersonalityState).Descriptors;
            // The caller is the process's only thread (it cannot gain another during this call): the lock-free lookup.
            return System.Threading.Volatile.Read(ref process.LiveThreads) == 1
                ? descriptors.GetFromOnlyThread((int)descriptor) : descriptors.Get((int)descriptor);
        }

        /// <summary>
        /// A new open file into the calling process's lowest free descriptor: the descriptor, or the error (EMFILE).
        /// The creator's reference is given up either way (the table holds its own).
        /// </summary>
        public static ulong InstallNew(OpenFile file, bool closeOnExec)
        {
            Error error = InstallNew(file, closeOnExec, out int descriptor);
            return Exo.Kernel.Syscalls.SystemCallResult.From(error, (ulong)descriptor);
        }

        /// <summary>The same, the descriptor apart from the error (for a caller that returns them separately: an ioctl).</summary>
        public static Error InstallNew(OpenFile file, bool closeOnExec, out int descriptor)
        {
            LinuxProcess process = LinuxProcess.Current;
            Error error = process.Descriptors.Install(file, 0, closeOnExec, (int)FileCalls.Limit(process), out descriptor);
            file.Release();
            return error;
        }

        /// <summary>
        /// The path context of an *at call: the process's root and credentials, starting at its working directory
        /// (AT_FDCWD) or at the directory 'directoryDescriptor' names. An absolute 'path' ignores the descriptor, as
        /// Linux does (even a bad one). References are held on the context's directories: give them back with Release.
        /// </summary>
        public static Error At(ulong directoryDescriptor, byte* path, int length, out PathWalker.Context context)
        {
            context = LinuxProcess.Current.ReferencePathContext();
            if ((int)directoryDescriptor == WorkingDirectory || (length > 0 && path[0] == (byte)'/'))
                return Error.None;
            OpenFile file = File(directoryDescriptor);
            Error error = file == null ? Error.BadHandle : !file.Node.IsDirectory ? Error.NotADirectory : Error.None;
            if (error == Error.None)
            {
                context.Start.Release();
                context.Start = file.Node;
                context.Start.AddReference();
            }
            file?.Release();
            if (error != Error.None)
                LinuxProcess.ReleasePathContext(context);
            return error;
        }

        public static void Release(in PathWalker.Context context) => LinuxProcess.ReleasePathContext(context);

        /// <summary>
        /// Resolves an *at call's path (copied from the program): the object, with a reference. 'emptyPathAllowed':
        /// AT_EMPTY_PATH, the directory descriptor's own object when the path is empty.
        /// </summary>
        public static Error ResolveAt(ulong directoryDescriptor, ulong userPath, bool follow, bool emptyPathAllowed, out Vnode node)
        {
            node = null;
            byte* path = (byte*)Exo.Kernel.Memory.Heap.KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return Error.OutOfMemory;
            Error error = PathWalker.CopyPath(userPath, path, out int length, emptyPathAllowed);
            if (error == Error.None && length == 0)
            {
                // AT_EMPTY_PATH: the descriptor itself (any kind of file, not only a directory).
                OpenFile file = (int)directoryDescriptor == WorkingDirectory ? null : File(directoryDescriptor);
                if ((int)directoryDescriptor == WorkingDirectory)
                {
                    PathWalker.Context own = LinuxProcess.Current.ReferencePathContext();
                    node = own.Start;
                    own.Root.Release();
                }
                else if (file == null)
                {
                    error = Error.BadHandle;
                }
                else
                {
                    node = file.Node;
                    node.AddReference();
                    file.Release();
                }
            }
            else if (error == Error.None)
            {
                error = At(directoryDescriptor, path, length, out PathWalker.Context context);
                if (error == Error.None)
                {
                    error = PathWalker.Resolve(context, path, length, follow, out node);
                    Release(context);
                }
            }
            Exo.Kernel.Memory.Heap.KernelHeap.Free(path);
            return error;
        }
    }
}
