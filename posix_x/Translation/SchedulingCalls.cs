using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// The scheduler as Linux programs see it: sched_yield, getcpu, sched_getaffinity (every online processor),
    /// sched_setaffinity (accepted when it leaves the caller some processor; the scheduler places threads itself).
    /// </summary>
    public static unsafe class SchedulingCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(SchedYield, &DoYield, CallPath.Fast);
            LinuxSystemCalls.Register(Getcpu, &DoGetProcessor, CallPath.Fast);
            LinuxSystemCalls.Register(SchedGetaffinity, &DoGetAffinity, CallPath.Fast);
            LinuxSystemCalls.Register(SchedSetaffinity, &DoSetAffinity, CallPath.Hybrid);
        }

        private static ulong DoYield(RegisterFrame* frame)
        {
            Exo.Kernel.Scheduler.Scheduler.Yield();
            return 0;
        }

        // getcpu(cpu*, node*, cache): the processor it runs on now (node 0).
        private static ulong DoGetProcessor(RegisterFrame* frame)
        {
            uint cpu = (uint)Cpu.CurrentProcessor(), node = 0;
            if (frame->Argument0 != 0 && !UserMemory.CopyToUser(frame->Argument0, &cpu, 4))
                return SystemCallResult.From(Error.BadAddress);
            if (frame->Argument1 != 0 && !UserMemory.CopyToUser(frame->Argument1, &node, 4))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // sched_getaffinity(pid, size, mask*): the bytes written (a multiple of 8, as Linux).
        private static ulong DoGetAffinity(RegisterFrame* frame)
        {
            ulong size = frame->Argument1;
            if (size < 8 || (size & 7) != 0)
                return SystemCallResult.From(Error.Invalid);
            ulong mask = 0;
            for (int i = 0; i < Exo.Kernel.Smp.Processors.Count && i < 64; i++)
                if (Exo.Kernel.Smp.Processors.IsOnline(i))
                    mask |= 1UL << i;
            return UserMemory.CopyToUser(frame->Argument2, &mask, 8) ? 8 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoSetAffinity(RegisterFrame* frame)
        {
            ulong mask = 0;
            ulong size = frame->Argument1 < 8 ? frame->Argument1 : 8;
            if (!UserMemory.CopyFromUser(&mask, frame->Argument2, size))
                return SystemCallResult.From(Error.BadAddress);
            ulong online = 0;
            for (int i = 0; i < Exo.Kernel.Smp.Processors.Count && i < 64; i++)
                if (Exo.Kernel.Smp.Processors.IsOnline(i))
                    online |= 1UL << i;
            return (mask & online) != 0 ? 0 : SystemCallResult.From(Error.Invalid);
        }
    }
}
