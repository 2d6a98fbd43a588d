using Exo.Kernel.Arch.X64;
using Exo.Kernel.Scheduler;

namespace Exo.Kernel.Benchmarks
{
    /// <summary>
    /// ctx.switch: two kernel threads on one CPU yielding to each other, per switch (the Linux row is a
    /// sched_yield ping-pong of two processes pinned to one CPU). sched.pick: picking the next thread from a
    /// run queue holding 8 threads over several levels, alone. thread.create_join: an empty kernel thread
    /// created, run and joined (Linux: pthread_create + pthread_join).
    /// </summary>
    public static unsafe class SchedulerBenchmarks
    {
        private static volatile int s_remaining;

        public static void Run(bool quick)
        {
            int samples = quick ? 31 : 201;
            MeasureSwitch(samples);
            MeasurePick(samples);
            BenchmarkRunner.Measure("thread.create_join", &CreateJoin, 4, samples, 3, "kernel-level");
        }

        private static void Yielder(ulong rounds)
        {
            for (ulong i = 0; i < rounds; i++)
                Scheduler.Scheduler.Yield();
            s_remaining--;
        }

        private static void MeasureSwitch(int samples)
        {
            const ulong rounds = 200;
            BenchmarkRunner.BeginSeries();
            for (int sample = 0; sample <= samples; sample++)
            {
                s_remaining = 2;
                // Both threads are more urgent than this one, so once it blocks in Join they only switch
                // between each other: every yield is one switch.
                Thread first = Scheduler.Scheduler.Create("ping", &Yielder, rounds, 4);
                Thread second = Scheduler.Scheduler.Create("pong", &Yielder, rounds, 4);
                ulong switchesBefore = Scheduler.Scheduler.Switches;
                ulong start = Cpu.ReadTimeStampCounterOrdered();
                Scheduler.Scheduler.Join(first);
                Scheduler.Scheduler.Join(second);
                ulong end = Cpu.ReadTimeStampCounterOrdered();
                ulong switches = Scheduler.Scheduler.Switches - switchesBefore;
                if (sample > 0 && switches > 0)
                    BenchmarkRunner.AddSample((end - start) / switches);
            }
            BenchmarkRunner.ReportSeries("ctx.switch", 2 * rounds, "kernel-level");
        }

        private static void MeasurePick(int samples)
        {
            RunQueue queue = new RunQueue();
            const int threads = 8;
            ulong* entities = stackalloc ulong[threads];
            for (int i = 0; i < threads; i++)
            {
                SchedulerEntity entity = new SchedulerEntity(4 + 3 * i, 0);
                entities[i] = Scheduler.Scheduler.AddressOf(entity);
                queue.Enqueue(entity, false, 0);
            }
            BenchmarkRunner.BeginSeries();
            for (int sample = 0; sample < samples + 1; sample++)
            {
                ulong start = Cpu.ReadTimeStampCounterOrdered();
                SchedulerEntity picked = queue.PickNext();
                ulong end = Cpu.ReadTimeStampCounterOrdered();
                ulong overhead = TimerOverhead();
                queue.Enqueue(picked, false, 0);
                if (sample > 0)
                    BenchmarkRunner.AddSample(end - start > overhead ? end - start - overhead : 0);
            }
            BenchmarkRunner.ReportSeries("sched.pick", 1, "kernel-level");
        }

        // The cost of the two ordered TSC reads themselves, subtracted from one-operation samples.
        private static ulong TimerOverhead()
        {
            ulong start = Cpu.ReadTimeStampCounterOrdered();
            ulong end = Cpu.ReadTimeStampCounterOrdered();
            return end - start;
        }

        private static void Empty(ulong unused) { }

        private static void CreateJoin(int count)
        {
            for (int i = 0; i < count; i++)
                Scheduler.Scheduler.Join(Scheduler.Scheduler.Create("empty", &Empty, 0));
        }
    }
}
