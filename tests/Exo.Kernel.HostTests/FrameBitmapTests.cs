using System;
using System.Collections.Generic;
using Exo.Kernel.Memory;
using Xunit;

namespace Exo.Kernel.HostTests;

public unsafe class FrameBitmapTests
{
    private static FrameBitmap Create(ulong frames, ulong[] storage)
    {
        var bitmap = new FrameBitmap();
        fixed (ulong* words = storage)
            bitmap.Initialize(words, frames);   // storage is pinned by the test's lifetime via GC.AllocateArray below
        return bitmap;
    }

    [Fact]
    public void Starts_full_and_hands_out_only_freed_frames()
    {
        ulong[] storage = GC.AllocateArray<ulong>(4, pinned: true);
        FrameBitmap bitmap = Create(200, storage);
        Assert.Equal(0UL, bitmap.FreeFrames);
        Assert.Equal(ulong.MaxValue, bitmap.Allocate());
        bitmap.MarkFree(10, 5);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 5; i++)
        {
            ulong frame = bitmap.Allocate();
            Assert.InRange(frame, 10UL, 14UL);
            Assert.True(seen.Add(frame), "no frame handed out twice");
        }
        Assert.Equal(ulong.MaxValue, bitmap.Allocate());
    }

    [Fact]
    public void Double_free_and_out_of_range_free_are_refused()
    {
        ulong[] storage = GC.AllocateArray<ulong>(2, pinned: true);
        FrameBitmap bitmap = Create(100, storage);
        bitmap.MarkFree(0, 100);
        ulong frame = bitmap.Allocate();
        Assert.True(bitmap.Free(frame));
        Assert.False(bitmap.Free(frame));
        Assert.False(bitmap.Free(100));
        Assert.Equal(100UL, bitmap.FreeFrames);
    }

    [Fact]
    public void Contiguous_runs_are_really_free_and_aligned()
    {
        ulong[] storage = GC.AllocateArray<ulong>(16, pinned: true);
        FrameBitmap bitmap = Create(1000, storage);
        bitmap.MarkFree(0, 1000);
        for (ulong i = 0; i < 1000; i += 7)
            bitmap.Free(i);   // no-op: already free
        ulong first = bitmap.Allocate();
        ulong run = bitmap.AllocateContiguous(64, 16);
        Assert.NotEqual(ulong.MaxValue, run);
        Assert.Equal(0UL, run % 16);
        Assert.True(first < run || first >= run + 64);
        for (ulong i = run; i < run + 64; i++)
            Assert.False(bitmap.IsFree(i));
        Assert.Equal(1000UL - 65, bitmap.FreeFrames);
    }

    [Fact]
    public void Randomised_allocate_free_matches_a_model()
    {
        ulong[] storage = GC.AllocateArray<ulong>(64, pinned: true);
        const ulong frames = 4000;
        FrameBitmap bitmap = Create(frames, storage);
        bitmap.MarkFree(100, frames - 100);
        var held = new List<ulong>();
        var random = new Random(7);
        for (int step = 0; step < 20000; step++)
        {
            if (held.Count > 0 && random.Next(2) == 0)
            {
                int index = random.Next(held.Count);
                Assert.True(bitmap.Free(held[index]));
                held.RemoveAt(index);
            }
            else
            {
                ulong frame = bitmap.Allocate();
                if (frame == ulong.MaxValue) { Assert.Equal(0UL, bitmap.FreeFrames); continue; }
                Assert.InRange(frame, 100UL, frames - 1);
                Assert.DoesNotContain(frame, held);
                held.Add(frame);
            }
            Assert.Equal(frames - 100 - (ulong)held.Count, bitmap.FreeFrames);
        }
    }
}
