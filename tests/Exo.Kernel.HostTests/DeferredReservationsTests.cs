using System;
using System.Collections.Generic;
using Exo.Kernel.Memory;
using Xunit;

namespace Exo.Kernel.HostTests;

public class DeferredReservationsTests
{
    private const ulong Page = 0x1000;

    // The pages the ranges hold, each with its value: what the address space would find at fault time.
    private static Dictionary<ulong, ulong> PagesOf(in DeferredReservations ranges)
    {
        var pages = new Dictionary<ulong, ulong>();
        for (int i = 0; i < ranges.Count; i++)
            for (ulong page = ranges.StartOf(i); page < ranges.EndOf(i); page += Page)
                Assert.True(pages.TryAdd(page, ranges.ValueOf(i)), "ranges overlap");
        return pages;
    }

    [Fact]
    public void Find_and_overlap_see_exactly_the_recorded_pages()
    {
        var ranges = new DeferredReservations();
        Assert.True(ranges.Add(0x10000, 0x20000, 7));
        Assert.Equal(0, ranges.Find(0x10000));
        Assert.Equal(0, ranges.Find(0x1FFFF));
        Assert.Equal(-1, ranges.Find(0x20000));
        Assert.Equal(-1, ranges.Find(0xFFFF));
        Assert.True(ranges.Overlaps(0x1F000, 0x30000));
        Assert.False(ranges.Overlaps(0x20000, 0x30000));
        Assert.False(ranges.Overlaps(0, 0x10000));
    }

    [Fact]
    public void Carving_pages_in_any_order_leaves_every_other_page_and_ends_empty()
    {
        var random = new Random(1234);
        var ranges = new DeferredReservations();
        const ulong start = 0x400000, pages = 300;
        Assert.True(ranges.Add(start, start + pages * Page, 42));
        var expected = new HashSet<ulong>();
        for (ulong i = 0; i < pages; i++)
            expected.Add(start + i * Page);
        var order = new List<ulong>(expected);
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        foreach (ulong page in order)
        {
            if (!expected.Contains(page))
                continue;   // went with a dropped range
            int index = ranges.Find(page);
            Assert.True(index >= 0);
            if (!ranges.Carve(index, page))
            {
                // No slot for a split: the owner would turn the range into entries; here the range is just dropped.
                Assert.True(ranges.IsFull);
                for (ulong p = ranges.StartOf(index); p < ranges.EndOf(index); p += Page)
                    expected.Remove(p);
                ranges.Remove(index);
            }
            expected.Remove(page);
            var held = PagesOf(ranges);
            Assert.Equal(expected.Count, held.Count);
            foreach (ulong p in expected)
                Assert.Equal(42UL, held[p]);
        }
        Assert.Equal(0, ranges.Count);
    }

    [Fact]
    public void Carving_random_ranges_takes_exactly_their_pages()
    {
        var random = new Random(4321);
        for (int round = 0; round < 200; round++)
        {
            var ranges = new DeferredReservations();
            var expected = new HashSet<ulong>();
            for (int r = 0; r < 3; r++)
            {
                ulong start = (ulong)(r * 1000 + random.Next(0, 100)) * Page, pages = (ulong)random.Next(1, 600);
                Assert.True(ranges.Add(start, start + pages * Page, 9));
                for (ulong i = 0; i < pages; i++)
                    expected.Add(start + i * Page);
            }
            for (int cut = 0; cut < 6; cut++)
            {
                ulong from = (ulong)random.Next(0, 3000) * Page, to = from + (ulong)random.Next(1, 900) * Page;
                int index;
                while ((index = ranges.FirstOverlapping(from, to)) >= 0)
                {
                    if (!ranges.Carve(index, from, to))
                    {
                        Assert.True(ranges.IsFull);
                        for (ulong p = ranges.StartOf(index); p < ranges.EndOf(index); p += Page)
                            expected.Remove(p);
                        ranges.Remove(index);
                    }
                }
                for (ulong p = from; p < to; p += Page)
                    expected.Remove(p);
                Assert.False(ranges.Overlaps(from, to));
                var held = PagesOf(ranges);
                Assert.Equal(expected.Count, held.Count);
                foreach (ulong p in expected)
                    Assert.True(held.ContainsKey(p));
            }
        }
    }

    [Fact]
    public void Capacity_is_enforced()
    {
        var ranges = new DeferredReservations();
        for (int i = 0; i < DeferredReservations.Capacity; i++)
            Assert.True(ranges.Add((ulong)i * 0x1000000, (ulong)i * 0x1000000 + Page, 1));
        Assert.True(ranges.IsFull);
        Assert.False(ranges.Add(0x7000000000, 0x7000001000, 1));
        ranges.Clear();
        Assert.Equal(0, ranges.Count);
    }

    [Fact]
    public void Table_list_keeps_order_and_levels_and_gives_up_past_its_capacity()
    {
        var tables = new UserTableList();
        tables.Add(0x5000, 0, 3);
        tables.Add(0x6000, 0, 2);
        tables.Add(0x7000, 0x400000 & ~0x1FFFFFUL, 1);
        Assert.Equal(3, tables.Count);
        Assert.Equal(3, tables.LevelOf(0));
        Assert.Equal(1, tables.LevelOf(2));
        Assert.Equal(0x7000UL, tables.PhysicalOf(2));
        Assert.Equal(0x400000UL, tables.AddressOf(2));
        for (int i = tables.Count; i < UserTableList.Capacity; i++)
            tables.Add(0x8000, 0x7FFFFFE00000, 1);
        Assert.False(tables.Overflowed);
        Assert.Equal(0x7FFFFFE00000UL, tables.AddressOf(UserTableList.Capacity - 1));
        tables.Add(0x9000, 0, 1);
        Assert.True(tables.Overflowed);
        tables.Clear();
        Assert.False(tables.Overflowed);
        Assert.Equal(0, tables.Count);
    }
}
