using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;

namespace Exo.Kernel.Benchmarks
{
    /// <summary>
    /// Measures an operation the same way the Linux reference programs do (tools/bench/linux-reference):
    /// warm up, then many samples, each a batch of operations timed with the TSC; the value of a sample is
    /// its TSC delta divided by the batch size. Reports the median and the minimum sample. Under QEMU with
    /// -icount shift=0 the TSC advances once per guest instruction, so the unit is instructions.
    /// </summary>
    public static unsafe class BenchmarkRunner
    {
        public const int MaximumSamples = 256;
        private struct SampleStorage { public fixed ulong Values[MaximumSamples]; }
        private static SampleStorage s_samples;

        /// <summary>Runs 'operation(batch)' 'samples' times after 'warmup' untimed runs and reports the result.</summary>
        public static void Measure(string name, delegate*<int, void> operation, int batch, int samples, int warmup, string note)
            => Measure(name, operation, batch, batch, samples, warmup, note);

        /// <summary>As above, when one call of 'operation(batch)' performs 'operationsPerCall' operations.</summary>
        public static void Measure(string name, delegate*<int, void> operation, int batch, int operationsPerCall, int samples, int warmup, string note)
        {
            if (samples > MaximumSamples) samples = MaximumSamples;
            for (int i = 0; i < warmup; i++)
                operation(batch);
            fixed (ulong* values = s_samples.Values)
            {
                for (int i = 0; i < samples; i++)
                {
                    ulong start = Cpu.ReadTimeStampCounterOrdered();
                    operation(batch);
                    ulong end = Cpu.ReadTimeStampCounterOrdered();
                    values[i] = (end - start) / (ulong)operationsPerCall;
                }
                Sort(values, samples);
                Report(name, values[samples / 2], values[0], (ulong)operationsPerCall * (ulong)samples, note);
            }
        }

        // A series of samples taken by the caller (when setup must stay outside the timed region).
        private static int s_seriesCount;

        public static void BeginSeries() => s_seriesCount = 0;

        public static void AddSample(ulong value)
        {
            if (s_seriesCount < MaximumSamples)
                s_samples.Values[s_seriesCount++] = value;
        }

        public static void ReportSeries(string name, ulong operationsPerSample, string note)
        {
            fixed (ulong* values = s_samples.Values)
            {
                Sort(values, s_seriesCount);
                Report(name, values[s_seriesCount / 2], values[0], operationsPerSample * (ulong)s_seriesCount, note);
            }
        }

        public static void Report(string name, ulong median, ulong minimum, ulong iterations, string note)
        {
            KernelConsole.Write("EXO-BENCH ");
            KernelConsole.Write(name);
            ReportFigures(median, minimum, iterations, note);
        }

        /// <summary>The same line for a name in bytes (a row a ring-3 program measured).</summary>
        public static void Report(byte* name, int nameLength, ulong median, ulong minimum, ulong iterations, string note)
        {
            KernelConsole.Write("EXO-BENCH ");
            KernelConsole.Write(name, nameLength);
            ReportFigures(median, minimum, iterations, note);
        }

        private static void ReportFigures(ulong median, ulong minimum, ulong iterations, string note)
        {
            KernelConsole.Write(" median=");
            KernelConsole.WriteDecimal(median);
            KernelConsole.Write(" min=");
            KernelConsole.WriteDecimal(minimum);
            KernelConsole.Write(" iterations=");
            KernelConsole.WriteDecimal(iterations);
            KernelConsole.Write(" unit=instructions");
            if (note != null)
            {
                KernelConsole.Write(" note=");
                KernelConsole.Write(note);
            }
            KernelConsole.WriteLine();
        }

        private static void Sort(ulong* values, int count)
        {
            for (int i = 1; i < count; i++)
            {
                ulong value = values[i];
                int j = i - 1;
                while (j >= 0 && values[j] > value)
                {
                    values[j + 1] = values[j];
                    j--;
                }
                values[j + 1] = value;
            }
        }
    }
}
