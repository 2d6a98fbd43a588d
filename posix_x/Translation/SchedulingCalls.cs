using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// The scheduler as Linux programs see it: sched_yield, getcpu, sched_getaffinity (every online processor),
    /// sched_setaffinity (accepted when it leaves the caller some processor; the scheduler places threads itself),
    /// both for the caller (0) or any thread or process by id (ESRCH if none); membarrier (kernel/sched's on Linux):
    /// the global and private expedited barriers (SYNC_CORE too) as a fence on every other processor
    /// (Smp.Processors.FenceAll), the private ones only after the process registered for them (EPERM), the rseq
    /// ones not offered (EINVAL, as a kernel without rseq).
    /// </summary>
    public static unsafe class SchedulingCalls
    {
        internal static void Register()
        {
            LinuxSystemCalls.Register(SchedYield, &DoYield, CallPath.Fast);
            LinuxSystemCalls.Register(Getcpu, &DoGetProcessor, CallPath.Fast);
            LinuxSystemCalls.Register(SchedGetaffinity, &DoGetAffinity, CallPath.Fast);
            LinuxSystemCalls.Register(SchedSetaffinity, &DoSetAffinity, CallPath.Hybrid);
            LinuxSystemCalls.Register(Membarrier, &DoMembarrier, CallPath.Hybrid);
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
            if (!Exists((int)frame->Argument0))
                return SystemCallResult.From(Error.NoSuchProcess);
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
            if (!Exists((int)frame->Argument0))
                return SystemCallResult.From(Error.NoSuchProcess);
            ulong online = 0;
            for (int i = 0; i < Exo.Kernel.Smp.Processors.Count && i < 64; i++)
                if (Exo.Kernel.Smp.Processors.IsOnline(i))
                    online |= 1UL << i;
            return (mask & online) != 0 ? 0 : SystemCallResult.From(Error.Invalid);
        }

        // A thread or process id the affinity calls may name: 0 (the caller) or a live thread's.
        private static bool Exists(int id)
        {
            if (id == 0)
                return true;
            if (id < 0)
                return false;
            LinuxProcess owner = ThreadIds.FindProcessOf(id, out Exo.Kernel.Processes.UserThread thread);
            if (owner == null)
                return false;
            thread.Release();
            owner.Process.Release();
            return true;
        }

        // membarrier's commands (uapi linux/membarrier.h).
        private const int Query = 0, Global = 1, GlobalExpedited = 2, RegisterGlobalExpedited = 4, PrivateExpedited = 8,
            RegisterPrivateExpedited = 16, PrivateExpeditedSyncCore = 32, RegisterPrivateExpeditedSyncCore = 64;
        private const int Offered = Global | GlobalExpedited | RegisterGlobalExpedited | PrivateExpedited | RegisterPrivateExpedited
            | PrivateExpeditedSyncCore | RegisterPrivateExpeditedSyncCore;

        // membarrier(cmd, flags, cpu_id): no flags are offered (MEMBARRIER_CMD_FLAG_CPU goes with the rseq commands).
        private static ulong DoMembarrier(RegisterFrame* frame)
        {
            int command = (int)frame->Argument0;
            if (frame->Argument1 != 0)
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess process = LinuxProcess.Current;
            switch (command)
            {
                case Query:
                    return Offered;
                case RegisterGlobalExpedited:
                case RegisterPrivateExpedited:
                case RegisterPrivateExpeditedSyncCore:
                    System.Threading.Interlocked.Or(ref process.MembarrierRegistrations, command);
                    return 0;
                case PrivateExpedited:
                case PrivateExpeditedSyncCore:
                    // Registered by the matching register command (its bit is the command's, doubled).
                    if ((System.Threading.Volatile.Read(ref process.MembarrierRegistrations) & (command << 1)) == 0)
                        return SystemCallResult.From(Error.NotPermitted);
                    Exo.Kernel.Smp.Processors.FenceAll();
                    return 0;
                case Global:
                case GlobalExpedited:
                    Exo.Kernel.Smp.Processors.FenceAll();
                    return 0;
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
        }
    }
}
