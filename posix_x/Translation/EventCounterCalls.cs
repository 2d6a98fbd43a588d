using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Events;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>eventfd and eventfd2: a new counter (Vfs.Events.EventCounterFile) in the lowest free descriptor.</summary>
    public static unsafe class EventCounterCalls
    {
        private const int AllowedFlags = EventCounterFile.SemaphoreFlag | OpenFlags.NonBlocking | OpenFlags.CloseOnExec;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Eventfd, &DoEventCounter, CallPath.Hybrid);
            LinuxSystemCalls.Register(Eventfd2, &DoEventCounterWithFlags, CallPath.Hybrid);
        }

        // eventfd(initval): no flags.
        private static ulong DoEventCounter(RegisterFrame* frame) => Create((uint)frame->Argument0, 0);

        // eventfd2(initval, flags)
        private static ulong DoEventCounterWithFlags(RegisterFrame* frame) => Create((uint)frame->Argument0, (int)frame->Argument1);

        private static ulong Create(uint initial, int flags)
        {
            if ((flags & ~AllowedFlags) != 0)
                return SystemCallResult.From(Error.Invalid);
            EventCounterFile file = new EventCounterFile(initial, flags);
            if (file == null)
                return SystemCallResult.From(Error.OutOfMemory);
            return DescriptorContext.InstallNew(file, (flags & OpenFlags.CloseOnExec) != 0);
        }
    }
}
