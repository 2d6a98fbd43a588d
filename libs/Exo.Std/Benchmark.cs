using System.Runtime.InteropServices;
using Exo.Abi;

namespace Exo.Std
{
    /// <summary>
    /// Measuring for make bench: the time-stamp counter and the bench-report system call (SYS_BENCH_REPORT),
    /// which prints a row in make bench's format (EXO-BENCH name median=... min=... iterations=...).
    /// </summary>
    public static unsafe class Benchmark
    {
        [DllImport("*", EntryPoint = "ExoStdReadTimestamp"), SuppressGCTransition]
        private static extern ulong ReadTimestampNative();

        /// <summary>LFENCE; RDTSC: the counter after every earlier instruction has completed (instructions under -icount).</summary>
        public static ulong ReadTimestamp() => ReadTimestampNative();

        /// <summary>Reports a row: 'name' (ASCII bytes), the median and minimum per operation, the operations measured.</summary>
        public static Error Report(byte* name, int length, ulong median, ulong minimum, ulong iterations)
        {
            if (name == null || length <= 0 || length > Constants.BenchNameCapacity)
                return Error.Invalid;
            long result = SystemCall.Call(SystemCallNumber.BenchReport, (ulong)name, (ulong)length, median, minimum, iterations);
            return SystemCall.ErrorOf(result);
        }

        /// <summary>Reports a row named by an ASCII string (see the byte form).</summary>
        public static Error Report(string name, ulong median, ulong minimum, ulong iterations)
        {
            if (name == null || name.Length == 0 || name.Length > Constants.BenchNameCapacity)
                return Error.Invalid;
            byte* bytes = stackalloc byte[Constants.BenchNameCapacity];
            for (int i = 0; i < name.Length; i++)
            {
                if (name[i] >= 0x80)
                    return Error.Invalid;
                bytes[i] = (byte)name[i];
            }
            return Report(bytes, name.Length, median, minimum, iterations);
        }

        /// <summary>
        /// Prints a row in the same format on the console, for programs init starts (services, bench clients): the
        /// BenchReport call needs the diagnostics capability, which only the kernel's own programs get.
        /// </summary>
        public static void Print(string name, ulong median, ulong minimum, ulong iterations)
        {
            Console.Write("EXO-BENCH ");
            Console.Write(name);
            Console.Write(" median=");
            Console.Write(median);
            Console.Write(" min=");
            Console.Write(minimum);
            Console.Write(" iterations=");
            Console.Write(iterations);
            Console.WriteLine(" unit=instructions");
        }

        /// <summary>Sorts the samples, then prints their median (the element at count / 2) and minimum (see Print).</summary>
        public static void PrintSamples(string name, ulong* samples, int count, ulong iterations)
        {
            Sort(samples, count);
            Print(name, samples[count / 2], samples[0], iterations);
        }

        /// <summary>Sorts 'count' samples in place (insertion sort: no allocation; sample sets are small).</summary>
        public static void Sort(ulong* samples, int count)
        {
            for (int i = 1; i < count; i++)
            {
                ulong value = samples[i];
                int j = i;
                while (j > 0 && samples[j - 1] > value)
                {
                    samples[j] = samples[j - 1];
                    j--;
                }
                samples[j] = value;
            }
        }

        /// <summary>Sorts the samples, then reports their median (the element at count / 2, as the assembly benchmarks) and minimum.</summary>
        public static Error ReportSamples(string name, ulong* samples, int count, ulong iterations)
        {
            if (samples == null || count <= 0)
                return Error.Invalid;
            Sort(samples, count);
            return Report(name, samples[count / 2], samples[0], iterations);
        }
    }
}
