using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls that set up a thread's own state: arch_prctl (the FS and GS bases: glibc's thread pointer),
    /// set_tid_address and set_robust_list (what glibc registers for thread exit; Synchronization.RobustFutexes
    /// uses them when the thread ends), get_robust_list (the caller's or another thread's, by id), prctl (the
    /// process's name, and the flags programs commonly ask about).
    /// </summary>
    public static unsafe class ThreadStateCalls
    {
        private const int ArchSetGs = 0x1001, ArchSetFs = 0x1002, ArchGetFs = 0x1003, ArchGetGs = 0x1004;
        private const int SetParentDeathSignal = 1, GetParentDeathSignal = 2, GetDumpable = 3, SetDumpable = 4, SetName = 15, GetName = 16,
            SetNoNewPrivileges = 38, GetNoNewPrivileges = 39;
        private const ulong RobustListHeadSize = 24;   // struct robust_list_head on x86-64

        internal static void Register()
        {
            LinuxSystemCalls.Register(ArchPrctl, &DoArchitectureControl, CallPath.Fast);
            LinuxSystemCalls.Register(SetTidAddress, &DoSetThreadIdAddress, CallPath.Fast);
            LinuxSystemCalls.Register(SetRobustList, &DoSetRobustList, CallPath.Fast);
            LinuxSystemCalls.Register(GetRobustList, &DoGetRobustList, CallPath.Hybrid);
            LinuxSystemCalls.Register(Prctl, &DoProcessControl, CallPath.Hybrid);
        }

        private static ulong DoArchitectureControl(RegisterFrame* frame)
        {
            int code = (int)frame->Argument0;
            ulong address = frame->Argument1;
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            switch (code)
            {
                case ArchSetFs:
                case ArchSetGs:
                    if (address >= UserMemory.Limit)
                        return SystemCallResult.From(Error.NotPermitted);   // not a user address (Linux: EPERM)
                    if (code == ArchSetFs)
                    {
                        current.User.FsBase = address;
                        Cpu.WriteMsr(Exo.Kernel.UserMode.UserMode.FsBaseMsr, address);
                    }
                    else
                    {
                        current.User.GsBase = address;
                        Cpu.WriteMsr(Exo.Kernel.UserMode.UserMode.KernelGsBaseMsr, address);   // swapped in on the way out
                    }
                    return 0;
                case ArchGetFs:
                case ArchGetGs:
                    ulong value = code == ArchGetFs ? Cpu.ReadMsr(Exo.Kernel.UserMode.UserMode.FsBaseMsr)
                        : Cpu.ReadMsr(Exo.Kernel.UserMode.UserMode.KernelGsBaseMsr);
                    return UserMemory.CopyToUser(address, &value, 8) ? 0 : SystemCallResult.From(Error.BadAddress);
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
        }

        // Where the thread's id is cleared (and a futex waiter woken) when it ends; returns its id.
        private static ulong DoSetThreadIdAddress(RegisterFrame* frame)
        {
            LinuxThread thread = LinuxThread.Current;
            if (thread == null)
                return SystemCallResult.From(Error.OutOfMemory);
            thread.ClearChildThreadId = frame->Argument0;
            return (ulong)thread.ThreadId;
        }

        private static ulong DoSetRobustList(RegisterFrame* frame)
        {
            if (frame->Argument1 != RobustListHeadSize)
                return SystemCallResult.From(Error.Invalid);
            LinuxThread thread = LinuxThread.Current;
            if (thread == null)
                return SystemCallResult.From(Error.OutOfMemory);
            thread.RobustListHead = frame->Argument0;
            thread.RobustListLength = frame->Argument1;
            return 0;
        }

        // get_robust_list(tid, head**, length*): 0 names the caller. Everything runs as root here, so Linux's ptrace
        // permission check always passes.
        private static ulong DoGetRobustList(RegisterFrame* frame)
        {
            int threadId = (int)frame->Argument0;
            ulong head;
            if (threadId == 0)
            {
                head = LinuxThread.Current.RobustListHead;
            }
            else
            {
                if (threadId < 0)
                    return SystemCallResult.From(Error.NoSuchProcess);
                LinuxProcess owner = ThreadIds.FindProcessOf(threadId, out Exo.Kernel.Processes.UserThread found);
                if (owner == null)
                    return SystemCallResult.From(Error.NoSuchProcess);
                using (owner.Lock.Hold())   // its state goes under this lock when the thread is released
                {
                    head = LinuxThread.Of(found)?.RobustListHead ?? 0;
                }
                found.Release();
                owner.Process.Release();
            }
            ulong length = RobustListHeadSize;   // what Linux reports, whatever was registered
            if (!UserMemory.CopyToUser(frame->Argument2, &length, 8) || !UserMemory.CopyToUser(frame->Argument1, &head, 8))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        private static ulong DoProcessControl(RegisterFrame* frame)
        {
            int option = (int)frame->Argument0;
            LinuxProcess process = LinuxProcess.Current;
            switch (option)
            {
                case SetName:
                {
                    byte* name = stackalloc byte[LinuxProcess.CommandNameCapacity];
                    int length = 0;
                    // Up to 15 bytes or the terminator, as Linux copies it (a shorter unreadable tail is EFAULT).
                    for (; length < LinuxProcess.CommandNameCapacity - 1; length++)
                    {
                        if (!UserMemory.CopyFromUser(name + length, frame->Argument1 + (ulong)length, 1))
                            return SystemCallResult.From(Error.BadAddress);
                        if (name[length] == 0)
                            break;
                    }
                    using (process.Lock.Hold())
                        process.SetCommandName(name, length);
                    return 0;
                }
                case GetName:
                {
                    byte* name = stackalloc byte[LinuxProcess.CommandNameCapacity];
                    using (process.Lock.Hold())
                        for (int i = 0; i < LinuxProcess.CommandNameCapacity; i++)
                            name[i] = process.CommandNameBytes[i];
                    return UserMemory.CopyToUser(frame->Argument1, name, LinuxProcess.CommandNameCapacity) ? 0 : SystemCallResult.From(Error.BadAddress);
                }
                case SetParentDeathSignal:
                    if (frame->Argument1 > Signal.Count)
                        return SystemCallResult.From(Error.Invalid);
                    process.ParentDeathSignal = (int)frame->Argument1;
                    return 0;
                case GetParentDeathSignal:
                {
                    int signal = process.ParentDeathSignal;
                    return UserMemory.CopyToUser(frame->Argument1, &signal, 4) ? 0 : SystemCallResult.From(Error.BadAddress);
                }
                case GetDumpable:
                    return process.Dumpable ? 1UL : 0;
                case SetDumpable:
                    if (frame->Argument1 > 1)
                        return SystemCallResult.From(Error.Invalid);   // SUID_DUMP_ROOT (2) only through the sysctl, as on Linux
                    process.Dumpable = frame->Argument1 == 1;
                    return 0;
                case SetNoNewPrivileges:
                    // Only ever set (never cleared), with the unused arguments zero, as Linux checks.
                    if (frame->Argument1 != 1 || frame->Argument2 != 0 || frame->Argument3 != 0 || frame->Argument4 != 0)
                        return SystemCallResult.From(Error.Invalid);
                    process.NoNewPrivileges = true;
                    return 0;
                case GetNoNewPrivileges:
                    if (frame->Argument1 != 0 || frame->Argument2 != 0 || frame->Argument3 != 0 || frame->Argument4 != 0)
                        return SystemCallResult.From(Error.Invalid);
                    return process.NoNewPrivileges ? 1UL : 0;
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
        }
    }
}
