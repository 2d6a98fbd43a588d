using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Console output for programs: write (needs the console capability) and two test-only calls that need the
    /// diagnostics capability (Diagnostics.DiagnosticsCapability), which only test and bench boots grant: the
    /// debug log (a value) and the benchmark report. Until the console service exists in user mode, write goes
    /// straight to the kernel console.
    /// </summary>
    public static unsafe class ConsoleCalls
    {
        public const ulong MaximumWrite = 4096;

        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.DebugLog, &DoDebugLog);
            SystemCalls.Register(SystemCallNumber.ConsoleWrite, &DoWrite);
            SystemCalls.Register(SystemCallNumber.BenchReport, &DoBenchReport);
        }

        /// <summary>A benchmark row measured in user mode (make bench's format): name, median, minimum, iterations.</summary>
        private static ulong DoBenchReport(RegisterFrame* frame)
        {
            ulong name = frame->Argument0;
            ulong nameLength = frame->Argument1;
            ulong median = frame->Argument2;
            ulong minimum = frame->Argument3;
            ulong iterations = frame->Argument4;
            const int capacity = Constants.BenchNameCapacity;
            byte* copy = stackalloc byte[capacity];
            if (!Holds(ObjectType.Diagnostics))
                return SystemCallResult.From(Error.AccessDenied);
            if (nameLength == 0 || nameLength > capacity)
                return SystemCallResult.From(Error.Invalid);
            if (!UserMemory.CopyFromUser(copy, name, nameLength))
                return SystemCallResult.From(Error.BadAddress);
            Benchmarks.BenchmarkRunner.Report(copy, (int)nameLength, median, minimum, iterations, "ring3");
            return 0;
        }

        private static ulong DoDebugLog(RegisterFrame* frame)
        {
            ulong value = frame->Argument0;
            if (!Holds(ObjectType.Diagnostics))
                return SystemCallResult.From(Error.AccessDenied);
            KernelConsole.Write("user: ");
            KernelConsole.WriteHex(value);
            KernelConsole.WriteLine();
            return 0;
        }

        /// <summary>Does the calling process hold the console (a handle to ConsoleCapability with the Write right)?</summary>
        private static bool MayWrite() => Holds(ObjectType.Console);

        /// <summary>Does the calling process hold a capability of this type with the Write right?</summary>
        private static bool Holds(ObjectType type)
        {
            Processes.Process process = Scheduler.Scheduler.Current.Process;
            CapabilitySpace.Enter();
            bool holds = process.Handles.Holds(type, Rights.Write);
            CapabilitySpace.Exit();
            return holds;
        }

        private static ulong DoWrite(RegisterFrame* frame)
        {
            ulong buffer = frame->Argument0;
            ulong length = frame->Argument1;
            return WriteFromUser(buffer, length);
        }

        /// <summary>write(buffer, length): copies in chunks through a kernel buffer; the whole range is checked first.</summary>
        internal static ulong WriteFromUser(ulong buffer, ulong length)
        {
            if (!MayWrite())
                return SystemCallResult.From(Error.AccessDenied);   // the console is a capability the process does not hold
            if (!UserMemory.IsUserRange(buffer, length))
                return SystemCallResult.From(Error.BadAddress);
            if (length > MaximumWrite)
                length = MaximumWrite;   // a short write, as POSIX allows
            const int chunk = 256;
            byte* copy = stackalloc byte[chunk];
            for (ulong done = 0; done < length; done += chunk)
            {
                int count = length - done < chunk ? (int)(length - done) : chunk;
                if (!UserMemory.CopyFromUser(copy, buffer + done, (ulong)count))
                    return done == 0 ? SystemCallResult.From(Error.BadAddress) : done;
                // Each chunk goes out as one piece: programs writing at once on several processors do not
                // interleave within a line (exo_std writes a line per call).
                KernelConsole.Write(copy, count);
            }
            return length;
        }
    }
}
