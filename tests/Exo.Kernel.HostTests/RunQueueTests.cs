using System;
using System.Collections.Generic;
using System.Linq;
using Exo.Kernel.Scheduler;
using Xunit;

namespace Exo.Kernel.HostTests;

public class RunQueueTests
{
    [Fact]
    public void Picks_most_urgent_level_first_and_fifo_within_a_level()
    {
        var queue = new RunQueue();
        var a = new SchedulerEntity(10, 0);
        var b = new SchedulerEntity(3, 0);
        var c = new SchedulerEntity(10, 0);
        var d = new SchedulerEntity(31, 0);
        queue.Enqueue(a, false, 0);
        queue.Enqueue(b, false, 0);
        queue.Enqueue(c, false, 0);
        queue.Enqueue(d, false, 0);
        Assert.Equal((1u << 3) | (1u << 10) | (1u << 31), queue.ReadyMask);
        Assert.Same(b, queue.PickNext());
        Assert.Same(a, queue.PickNext());
        Assert.Same(c, queue.PickNext());
        Assert.Same(d, queue.PickNext());
        Assert.Null(queue.PickNext());
        Assert.Equal(0u, queue.ReadyMask);
    }

    [Fact]
    public void Interactive_threads_go_ahead_of_batch_threads_of_their_level()
    {
        var queue = new RunQueue();
        var batch1 = new SchedulerEntity(16, 0);
        var batch2 = new SchedulerEntity(16, 0);
        var interactive = new SchedulerEntity(16, 0);
        queue.Enqueue(batch1, false, 0);
        queue.Enqueue(batch2, false, 0);
        queue.Enqueue(interactive, atHead: true, 0);
        Assert.Same(interactive, queue.PickNext());
        Assert.Same(batch1, queue.PickNext());
    }

    [Fact]
    public void Randomised_operations_match_a_model()
    {
        var queue = new RunQueue();
        var model = new List<SchedulerEntity>[SchedulerEntity.PriorityLevels];
        for (int i = 0; i < model.Length; i++) model[i] = new List<SchedulerEntity>();
        var random = new Random(17);
        var idle = new List<SchedulerEntity>();
        for (int i = 0; i < 200; i++) idle.Add(new SchedulerEntity(random.Next(32), 0));
        for (int step = 0; step < 50000; step++)
        {
            int choice = random.Next(3);
            if (choice == 0 && idle.Count > 0)
            {
                var entity = idle[random.Next(idle.Count)];
                idle.Remove(entity);
                bool head = random.Next(2) == 0;
                queue.Enqueue(entity, head, (ulong)step);
                if (head) model[entity.EffectivePriority].Insert(0, entity); else model[entity.EffectivePriority].Add(entity);
            }
            else if (choice == 1)
            {
                var expected = model.FirstOrDefault(l => l.Count > 0)?.First();
                var picked = queue.PickNext();
                Assert.Same(expected, picked);
                if (picked != null) { model[picked.EffectivePriority].RemoveAt(0); idle.Add(picked); }
            }
            else
            {
                var queued = model.SelectMany(l => l).ToList();
                if (queued.Count == 0) continue;
                var entity = queued[random.Next(queued.Count)];
                queue.Remove(entity);
                model[entity.EffectivePriority].Remove(entity);
                idle.Add(entity);
            }
            Assert.Equal(model.Sum(l => l.Count), queue.Count);
        }
    }

    [Fact]
    public void Aging_bounds_the_wait_of_a_low_priority_thread()
    {
        // Level-0 work is always ready (re-queued after each pick); a level-20 thread must be picked within
        // 21 aging intervals.
        var queue = new RunQueue();
        var low = new SchedulerEntity(20, 0);
        var busy = new SchedulerEntity(0, 0);
        queue.Enqueue(low, false, 0);
        queue.Enqueue(busy, false, 0);
        const ulong interval = 10;
        ulong now = 0;
        for (; now < 1000; now++)
        {
            if (now % interval == 0)
                queue.Age(now, interval);
            var picked = queue.PickNext();
            if (picked == low)
                break;
            queue.Enqueue(picked, false, now);
        }
        Assert.True(now <= 21 * interval, $"the low-priority thread waited {now} ticks");
    }

    [Fact]
    public void Prediction_follows_bursts_and_sets_slice_and_class()
    {
        ulong predicted = 4000;
        for (int i = 0; i < 40; i++)
            predicted = BurstPredictor.Update(predicted, 100);
        Assert.InRange(predicted, 100UL, 120UL);
        Assert.True(BurstPredictor.IsInteractive(predicted, 500));
        for (int i = 0; i < 40; i++)
            predicted = BurstPredictor.Update(predicted, 100000);
        Assert.False(BurstPredictor.IsInteractive(predicted, 500));
        Assert.Equal(4000UL, BurstPredictor.TimeSlice(predicted, 500, 4000));
        Assert.Equal(500UL, BurstPredictor.TimeSlice(10, 500, 4000));
        Assert.Equal(2000UL, BurstPredictor.TimeSlice(1000, 500, 4000));
    }
}
