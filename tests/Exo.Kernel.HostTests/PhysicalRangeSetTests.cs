using System;
using System.Collections.Generic;
using System.Linq;
using Exo.Kernel.Memory;
using Xunit;

namespace Exo.Kernel.HostTests;

public class PhysicalRangeSetTests
{
    private static List<(ulong, ulong)> Ranges(ref PhysicalRangeSet set)
    {
        var result = new List<(ulong, ulong)>();
        for (int i = 0; i < set.Count; i++)
            result.Add((set.Start(i), set.End(i)));
        return result;
    }

    [Fact]
    public void Add_merges_overlapping_and_touching_ranges()
    {
        var set = new PhysicalRangeSet();
        set.Add(0x1000, 0x3000);
        set.Add(0x5000, 0x6000);
        set.Add(0x3000, 0x4000);     // touches the first
        set.Add(0x3800, 0x5800);     // bridges to the second
        Assert.Equal(new[] { (0x1000UL, 0x6000UL) }, Ranges(ref set));
    }

    [Fact]
    public void Remove_splits_trims_and_deletes()
    {
        var set = new PhysicalRangeSet();
        set.Add(0x0, 0x10000);
        set.Add(0x20000, 0x30000);
        set.Remove(0x4000, 0x5000);          // split
        set.Remove(0x0, 0x1000);             // trim the start
        set.Remove(0x20000, 0x30000);        // delete whole
        Assert.Equal(new[] { (0x1000UL, 0x4000UL), (0x5000UL, 0x10000UL) }, Ranges(ref set));
    }

    [Fact]
    public void Align_to_pages_shrinks_inwards_and_drops_slivers()
    {
        var set = new PhysicalRangeSet();
        set.Add(0x1234, 0x5678);
        set.Add(0x9100, 0x9F00);   // no whole page inside
        set.AlignToPages(0x1000);
        Assert.Equal(new[] { (0x2000UL, 0x5000UL) }, Ranges(ref set));
    }

    [Fact]
    public void Randomised_operations_match_a_byte_model()
    {
        var random = new Random(1234);
        const int size = 4096;
        for (int round = 0; round < 200; round++)
        {
            var set = new PhysicalRangeSet();
            var model = new bool[size];
            for (int step = 0; step < 30; step++)
            {
                int start = random.Next(size), end = Math.Min(size, start + random.Next(1, 400));
                bool add = random.Next(3) != 0;
                if (add) set.Add((ulong)start, (ulong)end); else set.Remove((ulong)start, (ulong)end);
                for (int i = start; i < end; i++) model[i] = add;
            }
            Assert.False(set.Overflowed);
            for (int i = 0; i < size; i++)
                Assert.Equal(model[i], set.Contains((ulong)i));
            var ranges = Ranges(ref set);
            for (int i = 1; i < ranges.Count; i++)
                Assert.True(ranges[i - 1].Item2 < ranges[i].Item1, "ranges sorted, disjoint and not touching");
            Assert.Equal((ulong)model.Count(b => b), set.TotalBytes);
        }
    }

    [Fact]
    public void Capacity_overflow_is_reported_and_never_adds_reserved_memory()
    {
        var set = new PhysicalRangeSet();
        for (int i = 0; i < PhysicalRangeSet.Capacity + 10; i++)
            set.Add((ulong)i * 0x2000, (ulong)i * 0x2000 + 0x1000);
        Assert.True(set.Overflowed);
        Assert.Equal(PhysicalRangeSet.Capacity, set.Count);
    }
}
