using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Events;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>signalfd and signalfd4: a new Vfs.Events.SignalFile, or a new mask for an existing one.</summary>
    public static unsafe class SignalFileCalls
    {
        private const int AllowedFlags = OpenFlags.NonBlocking | OpenFlags.CloseOnExec;   // SFD_NONBLOCK, SFD_CLOEXEC
        private const ulong SignalSetSize = 8;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Signalfd, &DoSignalFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(Signalfd4, &DoSignalFileWithFlags, CallPath.Hybrid);
        }

        // signalfd(fd, mask*, sizemask)
        private static ulong DoSignalFile(RegisterFrame* frame) => Make((int)frame->Argument0, frame->Argument1, frame->Argument2, 0);

        // signalfd4(fd, mask*, sizemask, flags)
        private static ulong DoSignalFileWithFlags(RegisterFrame* frame)
            => Make((int)frame->Argument0, frame->Argument1, frame->Argument2, (int)frame->Argument3);

        // fd -1: a new signalfd; otherwise the signalfd 'descriptor' names takes the mask (EINVAL for another kind of file).
        private static ulong Make(int descriptor, ulong maskAddress, ulong maskSize, int flags)
        {
            if (maskSize != SignalSetSize)
                return SystemCallResult.From(Error.Invalid);
            ulong mask;
            if (!UserMemory.CopyFromUser(&mask, maskAddress, SignalSetSize))
                return SystemCallResult.From(Error.BadAddress);
            if ((flags & ~AllowedFlags) != 0)
                return SystemCallResult.From(Error.Invalid);
            if (descriptor == -1)
            {
                SignalFile created = new SignalFile(mask, flags);
                if (created == null)
                    return SystemCallResult.From(Error.OutOfMemory);
                return DescriptorContext.InstallNew(created, (flags & OpenFlags.CloseOnExec) != 0);
            }
            OpenFile file = DescriptorContext.File((ulong)(uint)descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = Error.None;
            if (file is SignalFile existing)
                existing.Mask = mask;
            else
                error = Error.Invalid;
            file.Release();
            if (error == Error.None)
                Readiness.Changed();   // pollers see the new mask
            return SystemCallResult.From(error, (ulong)descriptor);
        }
    }
}
