using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Pipes;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>pipe and pipe2: a new pipe's read and write ends in the two lowest free descriptors.</summary>
    public static unsafe class PipeCalls
    {
        private const int AllowedFlags = OpenFlags.CloseOnExec | OpenFlags.NonBlocking | OpenFlags.Direct;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Abi.LinuxSystemCallNumber.Pipe, &DoPipe, CallPath.Hybrid);
            LinuxSystemCalls.Register(Pipe2, &DoPipeWithFlags, CallPath.Hybrid);
        }

        private static ulong DoPipe(RegisterFrame* frame) => MakePipe(frame->Argument0, 0);

        private static ulong DoPipeWithFlags(RegisterFrame* frame) => MakePipe(frame->Argument0, (int)frame->Argument1);

        private static ulong MakePipe(ulong descriptors, int flags)
        {
            if ((flags & ~AllowedFlags) != 0)
                return SystemCallResult.From(Error.Invalid);
            Vfs.Pipes.Pipe pipe = Vfs.Pipes.Pipe.Create();
            if (pipe == null)
                return SystemCallResult.From(Error.OutOfMemory);
            LinuxProcess process = LinuxProcess.Current;
            PipeNode node = new PipeNode(PipeFileSystem.Instance, FileMode.Fifo | 0x180);
            node.UserId = process.Credentials.FileSystemUserId;
            node.GroupId = process.Credentials.FileSystemGroupId;
            int statusFlags = flags & OpenFlags.NonBlocking;
            PipeEnd reader = new PipeEnd(node, pipe, readEnd: true, statusFlags, ownsPipe: true);
            PipeEnd writer = new PipeEnd(node, pipe, readEnd: false, statusFlags, ownsPipe: true);
            node.Release();   // the ends hold it
            bool closeOnExec = (flags & OpenFlags.CloseOnExec) != 0;
            int limit = (int)FileCalls.Limit(process);
            int* pair = stackalloc int[2];
            Error error = process.Descriptors.Install(reader, 0, closeOnExec, limit, out pair[0]);
            if (error == Error.None)
            {
                error = process.Descriptors.Install(writer, 0, closeOnExec, limit, out pair[1]);
                if (error != Error.None)
                    process.Descriptors.Close(pair[0]);
            }
            reader.Release();
            writer.Release();
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (!UserMemory.CopyToUser(descriptors, pair, 8))
            {
                process.Descriptors.Close(pair[0]);
                process.Descriptors.Close(pair[1]);
                return SystemCallResult.From(Error.BadAddress);
            }
            return 0;
        }
    }
}
