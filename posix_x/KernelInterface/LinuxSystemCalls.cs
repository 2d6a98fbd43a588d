using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;

namespace Exo.PosixX.KernelInterface
{
    /// <summary>
    /// The architecture document's three paths for a Linux call: Fast (no kernel entry where the CPU allows it, a
    /// vDSO; else a short lock-free path in the kernel), Hybrid (translated to operations on kernel objects or
    /// on user-mode services over Fusion Rings: files, pipes, memory), Legacy (emulated: fork, execve, rare
    /// calls). Unimplemented: ENOSYS, counted.
    /// </summary>
    public enum CallPath : byte { Unimplemented, Fast, Hybrid, Legacy }

    /// <summary>
    /// The Linux personality's system calls: one table by Linux x86-64 number (the same SYSCALL entry as native
    /// calls, through the thread's personality table), each call declared once with its handler and its path
    /// (<see cref="Register"/>, from the call family's file in Translation/). The entry counts every call by
    /// number; /proc/posix_x shows the counts with each call's path.
    /// </summary>
    public static unsafe class LinuxSystemCalls
    {
        private static SystemCallTable s_table;
        private struct PathStorage { public fixed byte Values[SystemCallTable.Capacity]; }
        private static PathStorage s_paths;
        private static ulong s_unimplemented;

        /// <summary>Calls the table had no handler for, since boot (what POSIX-X still lacks).</summary>
        public static ulong Unimplemented => s_unimplemented;

        public static ulong Table => (ulong)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_table);

        /// <summary>Fills the table (every family registers its calls) and hands it to the kernel's entry.</summary>
        public static void Initialize()
        {
            s_table.Initialize(SystemCallTable.Capacity, &NotImplemented);
            Translation.ProcessCalls.Register();
            Translation.IdentityCalls.Register();
            Translation.MemoryCalls.Register();
            Translation.MemoryLockCalls.Register();
            Translation.FileLockCalls.Register();
            Translation.MemoryFileCalls.Register();
            Translation.MemoryPolicyCalls.Register();
            Translation.ThreadStateCalls.Register();
            Translation.ResourceCalls.Register();
            Translation.SystemInformationCalls.Register();
            Translation.PowerCalls.Register();
            Translation.FileCalls.Register();
            Translation.TransferCalls.Register();
            Translation.MountCalls.Register();
            Translation.StatCalls.Register();
            Translation.DirectoryCalls.Register();
            Translation.AttributeCalls.Register();
            Translation.ExtendedAttributeCalls.Register();
            Translation.SignalCalls.Register();
            Translation.ForkCalls.Register();
            Translation.ExecCalls.Register();
            Translation.WaitCalls.Register();
            Translation.ProcessGroupCalls.Register();
            Translation.PipeCalls.Register();
            Translation.PollCalls.Register();
            Translation.EventCounterCalls.Register();
            Translation.EventPollCalls.Register();
            Translation.TimerFileCalls.Register();
            Translation.SignalFileCalls.Register();
            Translation.SocketCalls.Register();
            Translation.TimeCalls.Register();
            Translation.SchedulingCalls.Register();
            Translation.SchedulingPolicyCalls.Register();
            Translation.PriorityCalls.Register();
            Translation.CapabilityCalls.Register();
            Translation.TimerCalls.Register();
            Translation.FutexCalls.Register();
            SystemCalls.SetPersonalityTable(Exo.Kernel.Processes.Personality.Linux, Table);
        }

        // ---------------------------------------------------------------- tracing (the kernel shell's strace)

        private struct HandlerStorage { public fixed ulong Values[SystemCallTable.Capacity]; }
        private static HandlerStorage s_traced;
        private static bool s_tracing;

        public static bool Tracing => s_tracing;

        /// <summary>
        /// Every Linux call is printed with its arguments and result (pid, name, result) while on: each table entry
        /// goes through one tracing handler that calls the real one. For finding what a program misses.
        /// </summary>
        public static void SetTracing(bool on)
        {
            if (on == s_tracing)
                return;
            for (int i = 0; i < s_table.Count; i++)
            {
                if (on)
                {
                    s_traced.Values[i] = s_table.HandlerAt(i);
                    s_table.SetHandler(i, (ulong)(delegate*<RegisterFrame*, ulong>)&Traced);
                }
                else
                {
                    s_table.SetHandler(i, s_traced.Values[i]);
                }
            }
            s_tracing = on;
        }

        private static ulong Traced(RegisterFrame* frame)
        {
            int number = (int)frame->SystemCallNumber;
            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            ulong a0 = frame->Argument0, a1 = frame->Argument1, a2 = frame->Argument2;
            ulong result = ((delegate*<RegisterFrame*, ulong>)s_traced.Values[number])(frame);
            Exo.Kernel.Console.KernelConsole.Write("[");
            Exo.Kernel.Console.KernelConsole.WriteDecimal((ulong)(current.Process?.Id ?? 0));
            Exo.Kernel.Console.KernelConsole.Write("] ");
            Exo.Kernel.Console.KernelConsole.Write(Abi.LinuxSystemCallNumber.Name(number) ?? "?");
            Exo.Kernel.Console.KernelConsole.Write("(");
            Exo.Kernel.Console.KernelConsole.WriteHex(a0);
            Exo.Kernel.Console.KernelConsole.Write(", ");
            Exo.Kernel.Console.KernelConsole.WriteHex(a1);
            Exo.Kernel.Console.KernelConsole.Write(", ");
            Exo.Kernel.Console.KernelConsole.WriteHex(a2);
            Exo.Kernel.Console.KernelConsole.Write(") = ");
            if ((long)result < 0 && (long)result > -4096)
            {
                Exo.Kernel.Console.KernelConsole.Write("-");
                Exo.Kernel.Console.KernelConsole.WriteDecimal((ulong)-(long)result);
            }
            else
            {
                Exo.Kernel.Console.KernelConsole.WriteHex(result);
            }
            Exo.Kernel.Console.KernelConsole.WriteLine("");
            return result;
        }

        /// <summary>Declares a call: its handler and its path (once per number).</summary>
        public static void Register(int number, delegate*<RegisterFrame*, ulong> handler, CallPath path)
        {
            s_table.Register(number, handler);
            s_paths.Values[number] = (byte)path;
        }

        public static CallPath PathOf(int number)
            => (uint)number < SystemCallTable.Capacity ? (CallPath)s_paths.Values[number] : CallPath.Unimplemented;

        /// <summary>Calls made with this number since boot (ENOSYS ones included, for an unimplemented number).</summary>
        public static ulong CallCount(int number) => s_table.CallCount(number);

        private struct ReportedNumbers { public fixed ulong Bits[SystemCallTable.Capacity / 64]; }
        private static ReportedNumbers s_reported;

        // ENOSYS, counted; the first call of each unimplemented number is named on the console (what a program
        // that misbehaves here was missing).
        private static ulong NotImplemented(RegisterFrame* frame)
        {
            s_unimplemented++;
            ulong number = frame->SystemCallNumber;
            if (number < SystemCallTable.Capacity
                && (System.Threading.Interlocked.Or(ref s_reported.Bits[number / 64], 1UL << (int)(number % 64)) & (1UL << (int)(number % 64))) == 0)
            {
                Exo.Kernel.Console.KernelConsole.Write("posix_x: not implemented yet: ");
                string name = Abi.LinuxSystemCallNumber.Name((int)number);
                Exo.Kernel.Console.KernelConsole.Write(name ?? "(unknown number)");
                Exo.Kernel.Console.KernelConsole.Write(" (");
                Exo.Kernel.Console.KernelConsole.WriteDecimal(number);
                Exo.Kernel.Console.KernelConsole.WriteLine(")");
            }
            return SystemCallResult.From(Error.NoSuchCall);
        }
    }
}
