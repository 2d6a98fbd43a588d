using Exo.Kernel.Processes;
using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// What each /proc file and link says, generated when it is opened or read: the system's files (SystemFiles),
    /// a process's (ProcessFiles), and the links' targets here.
    /// </summary>
    public static unsafe class ProcGenerator
    {
        public static Error Generate(ProcNode node, ref ProcText text)
        {
            if (node.ProcessId == 0)
                return SystemFiles.Generate(node.Kind, ref text);
            Process process = ProcessFacts.Find(node.ProcessId);
            if (process == null)
                return Error.NotFound;   // it ended since the lookup
            Error error = ProcessFiles.Generate(node, process, ref text);
            process.Release();
            return error;
        }

        /// <summary>
        /// A link's target: self the caller's pid, thread-self "pid/task/tid", mounts "self/mounts", exe the program's
        /// path, cwd and root the directories' paths as the reader sees them, fd/N what the descriptor names
        /// (DescriptorPaths). ENOENT for a process that is gone or has ended (its directories and descriptors went).
        /// </summary>
        public static Error LinkTarget(ProcNode node, ref ProcText text)
        {
            switch (node.Kind)
            {
                case ProcKind.Self:
                {
                    int self = ProcessFacts.CallerProcessId();
                    if (self == 0)
                        return Error.NotFound;   // a kernel thread has no /proc/self, as on Linux
                    text.Decimal((ulong)self);
                    return Error.None;
                }
                case ProcKind.ThreadSelf:
                {
                    int self = ProcessFacts.CallerProcessId();
                    if (self == 0)
                        return Error.NotFound;
                    text.Decimal((ulong)self);
                    text.Text("/task/");
                    text.Decimal((ulong)ProcessFacts.CallerThreadId());
                    return Error.None;
                }
                case ProcKind.Mounts:
                    text.Text("self/mounts");
                    return Error.None;
            }
            Process process = ProcessFacts.Find(node.ProcessId);
            if (process == null)
                return Error.NotFound;
            Error error = ProcessLink(node, process, ref text);
            process.Release();
            return error;
        }

        private static Error ProcessLink(ProcNode node, Process process, ref ProcText text)
        {
            Vnode root = ProcessFacts.ReaderRoot();
            LinuxProcess linux = ProcessFacts.Linux(process);
            Error error = Error.NotFound;
            if (node.Kind == ProcKind.Executable)
            {
                if (process.State != ProcessState.Exited)
                    error = ProcessFacts.ExecutablePath(process, root, ref text);
            }
            else if (linux == null)
            {
                error = Error.NotFound;
            }
            else if (node.Kind == ProcKind.WorkingDirectory || node.Kind == ProcKind.RootDirectory)
            {
                Vnode directory = ProcessFacts.Directory(linux, node.Kind == ProcKind.RootDirectory);
                if (directory != null)
                {
                    error = DescriptorPaths.DirectoryPath(root, directory, ref text);
                    directory.Release();
                }
            }
            else if (node.Kind == ProcKind.Descriptor)
            {
                if (ProcessFacts.NextDescriptor(linux, node.Descriptor, out OpenFile file) == node.Descriptor)
                    error = DescriptorPaths.Describe(root, file, ref text);
                file?.Release();
            }
            root.Release();
            return error;
        }
    }
}
