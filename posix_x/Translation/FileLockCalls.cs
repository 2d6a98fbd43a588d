using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>flock: whole-file advisory locks of open file descriptions (Vfs.WholeFileLocks). fcntl's record locks come later.</summary>
    public static unsafe class FileLockCalls
    {
        internal static void Register() => LinuxSystemCalls.Register(Flock, &DoFlock, CallPath.Hybrid);

        // flock(fd, operation)
        private static ulong DoFlock(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = WholeFileLocks.Apply(file, (int)frame->Argument1);
            file.Release();
            return SystemCallResult.From(error);
        }
    }
}
