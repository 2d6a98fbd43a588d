using System;
using Xunit;
using System.Runtime.CompilerServices;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Rings;

namespace Exo.Compositor.HostTests;

public sealed class RectangleAndDamageTests
{
    [Fact]
    public void Intersection_union_and_containment()
    {
        var a = new Rectangle(0, 0, 100, 50);
        var b = new Rectangle(80, 40, 40, 40);
        Assert.Equal((80, 40, 20, 10), Tuple(a.Intersect(b)));
        Assert.Equal((0, 0, 120, 80), Tuple(a.Union(b)));
        Assert.True(a.Intersect(new Rectangle(100, 0, 5, 5)).IsEmpty);   // touching edges share no pixel
        Assert.True(a.Contains(new Rectangle(10, 10, 90, 40)));
        Assert.False(a.Contains(new Rectangle(10, 10, 91, 40)));
        Assert.False(a.Contains(new Rectangle(int.MaxValue - 5, 0, 10, 10)));   // no overflow into a false yes
        Assert.True(a.Contains(99, 49));
        Assert.False(a.Contains(100, 49));
    }

    [Fact]
    public void Damage_is_clipped_merged_and_bounded()
    {
        var damage = new DamageRegion(1024, 768);
        damage.Add(new Rectangle(-10, -10, 20, 20));
        Assert.Equal(1, damage.Count);
        Assert.Equal((0, 0, 10, 10), Tuple(damage[0]));
        damage.Add(new Rectangle(5, 5, 10, 10));   // overlaps: merged into the union
        Assert.Equal(1, damage.Count);
        Assert.Equal((0, 0, 15, 15), Tuple(damage[0]));
        damage.Add(new Rectangle(2, 2, 3, 3));     // inside: nothing new
        Assert.Equal(1, damage.Count);
        damage.Add(new Rectangle(2000, 0, 10, 10)); // off screen: nothing
        Assert.Equal(1, damage.Count);
        damage.Add(new Rectangle(500, 500, 10, 10));
        Assert.Equal(2, damage.Count);
        Assert.Equal(15 * 15 + 100, damage.Area);
        // Past the capacity everything becomes one bounding rectangle, never less than what was asked.
        for (int i = 0; i < DamageRegion.Capacity + 3; i++)
            damage.Add(new Rectangle(20 + i * 30, 100, 10, 10));
        Assert.True(damage.Count <= DamageRegion.Capacity);
        for (int i = 0; i < DamageRegion.Capacity + 3; i++)
            Assert.True(Covered(damage, new Rectangle(20 + i * 30, 100, 10, 10)));
        Assert.True(Covered(damage, new Rectangle(500, 500, 10, 10)));
        // The held rectangles never overlap.
        for (int i = 0; i < damage.Count; i++)
            for (int j = i + 1; j < damage.Count; j++)
                Assert.False(damage[i].Overlaps(damage[j]));
    }

    private static bool Covered(DamageRegion damage, Rectangle rectangle)
    {
        for (int y = rectangle.Y; y < rectangle.Bottom; y++)
            for (int x = rectangle.X; x < rectangle.Right; x++)
            {
                bool inside = false;
                for (int i = 0; i < damage.Count && !inside; i++)
                    inside = damage[i].Contains(x, y);
                if (!inside)
                    return false;
            }
        return true;
    }

    internal static (int, int, int, int) Tuple(Rectangle r) => (r.X, r.Y, r.Width, r.Height);
}

public sealed class WindowStackTests
{
    private static (WindowStack Stack, int First, int Second) TwoWindows()
    {
        var stack = new WindowStack(1024, 768);
        var damage = new DamageRegion(1024, 768);
        int first = stack.Add(0, 1), second = stack.Add(1, 7);
        stack.Map(first, 360, 240, ref damage);
        stack.Map(second, 320, 200, ref damage);
        return (stack, first, second);
    }

    [Fact]
    public void Windows_cascade_and_the_newest_is_on_top_and_focused()
    {
        var (stack, first, second) = TwoWindows();
        Assert.Equal((48, 64, 360, 240), RectangleAndDamageTests.Tuple(stack[first].Content));
        Assert.Equal((248, 184, 320, 200), RectangleAndDamageTests.Tuple(stack[second].Content));
        Assert.Equal(second, stack.Focused);
        Assert.Equal(second, stack.AtDepth(1));
        Assert.Equal(second, stack.Find(1, 7));
        Assert.Equal(-1, stack.Find(1, 8));
    }

    [Fact]
    public void Hit_testing_finds_the_topmost_window_and_its_part()
    {
        var (stack, first, second) = TwoWindows();
        Assert.Equal(second, stack.TopmostAt(300, 250, out FramePart part));   // the overlap: the top window
        Assert.Equal(FramePart.Content, part);
        Assert.Equal(first, stack.TopmostAt(60, 70, out part));
        Assert.Equal(FramePart.Content, part);
        Assert.Equal(first, stack.TopmostAt(100, 64 - 10, out part));
        Assert.Equal(FramePart.TitleBar, part);
        Rectangle close = WindowFrame.Button(stack[first].Content, FramePart.Close);
        Assert.Equal(first, stack.TopmostAt(close.X + 3, close.Y + 3, out part));
        Assert.Equal(FramePart.Close, part);
        Rectangle maximise = WindowFrame.Button(stack[first].Content, FramePart.Maximise);
        Assert.Equal(FramePart.Maximise, WindowFrame.HitTest(stack[first].Content, maximise.X, maximise.Y));
        Rectangle minimise = WindowFrame.Button(stack[first].Content, FramePart.Minimise);
        Assert.Equal(FramePart.Minimise, WindowFrame.HitTest(stack[first].Content, minimise.Right - 1, minimise.Bottom - 1));
        Assert.True(close.X > maximise.Right && maximise.X > minimise.Right);
        Assert.Equal(-1, stack.TopmostAt(900, 700, out part));
        Assert.Equal(FramePart.None, part);
        Assert.Equal(first, stack.TopmostAt(47, 100, out part));
        Assert.Equal(FramePart.Border, part);
    }

    [Fact]
    public void Raising_moving_and_removing_damage_the_right_places()
    {
        var (stack, first, second) = TwoWindows();
        var damage = new DamageRegion(1024, 768);
        stack.Raise(first, ref damage);
        Assert.Equal(first, stack.TopmostAt(300, 250, out _));
        Assert.True(damage.Area == WindowFrame.Outer(stack[first].Content).Area);
        damage.Clear();
        Rectangle before = WindowFrame.Outer(stack[first].Content);
        stack.Move(first, 500, 300, ref damage);
        Assert.Equal((548, 364), (stack[first].Content.X, stack[first].Content.Y));
        Rectangle after = WindowFrame.Outer(stack[first].Content);
        Assert.Equal(before.Area + after.Area, damage.Area);   // old and new place, apart
        damage.Clear();
        stack.Remove(second, ref damage);
        Assert.Equal(WindowFrame.Outer(new Rectangle(248, 184, 320, 200)).Area, damage.Area);
        Assert.Equal(-1, stack.Find(1, 7));
        Assert.Equal(1, stack.Count);
    }

    [Fact]
    public void Maximise_minimise_and_restore()
    {
        var (stack, first, second) = TwoWindows();
        var damage = new DamageRegion(1024, 768);
        Rectangle size = stack.ToggleMaximised(first, ref damage);
        Assert.Equal(1024L * 768, WindowFrame.Outer(size).Area);   // the frame fills the screen
        stack.Map(first, 100, 100, ref damage);   // a late buffer of the old size does not shrink it
        Assert.Equal(size.Width, stack[first].Content.Width);
        stack.Move(first, 10, 10, ref damage);    // a maximised window stays put
        Assert.Equal(size.X, stack[first].Content.X);
        Rectangle restored = stack.ToggleMaximised(first, ref damage);
        Assert.Equal((48, 64, 360, 240), RectangleAndDamageTests.Tuple(restored));

        stack.Focused = second;
        stack.Minimise(second, ref damage);
        Assert.Equal(first, stack.Focused);
        Assert.Equal(first, stack.TopmostAt(300, 250, out _));
        damage.Clear();
        Assert.Equal(1, stack.RestoreMinimised(ref damage));
        Assert.Equal(second, stack.Focused);
        Assert.Equal(second, stack.TopmostAt(300, 250, out _));
        Assert.False(damage.IsEmpty);
    }

    [Fact]
    public void The_table_has_a_limit()
    {
        var stack = new WindowStack(1024, 768);
        for (int i = 0; i < WindowStack.Capacity; i++)
            Assert.NotEqual(-1, stack.Add(i, 1));
        Assert.Equal(-1, stack.Add(99, 1));
    }
}

public sealed unsafe class RequestRulesTests
{
    [Fact]
    public void Buffers_must_fit_the_area_with_a_sound_stride()
    {
        ulong area = CompositorLayout.BufferBytes;
        Assert.Equal(CompositorProblem.None, RequestRules.CheckBuffer(0, 360, 240, 360 * 4, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(0, 0, 240, 0, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(0, -5, 240, 360 * 4, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(0, 5000, 10, 5000 * 4, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(0, 360, 240, 359 * 4, area));   // stride too short
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(2, 360, 240, 360 * 4, area));   // unaligned
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(uint.MaxValue - 3, 1, 1, 4, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer(0, 1920, 1080, uint.MaxValue & ~3u, area));
        // The last byte of the area is usable, one more is not.
        Assert.Equal(CompositorProblem.None, RequestRules.CheckBuffer((uint)(area - 400), 100, 1, 400, area));
        Assert.Equal(CompositorProblem.BadBuffer, RequestRules.CheckBuffer((uint)(area - 396), 100, 1, 400, area));
    }

    [Fact]
    public void Damage_must_lie_inside_the_buffer()
    {
        Assert.Equal(CompositorProblem.None, RequestRules.CheckDamage(new Rectangle(0, 0, 360, 240), 360, 240));
        Assert.Equal(CompositorProblem.BadDamage, RequestRules.CheckDamage(new Rectangle(1, 0, 360, 240), 360, 240));
        Assert.Equal(CompositorProblem.BadDamage, RequestRules.CheckDamage(new Rectangle(-1, 0, 10, 10), 360, 240));
        Assert.Equal(CompositorProblem.BadDamage, RequestRules.CheckDamage(new Rectangle(0, 0, 0, 10), 360, 240));
        Assert.Equal(CompositorProblem.BadDamage, RequestRules.CheckDamage(new Rectangle(int.MaxValue, 0, 10, 10), 360, 240));
    }

    [Fact]
    public void Titles_are_printable_ascii()
    {
        byte* title = stackalloc byte[CompositorLayout.MaximumTitleBytes];
        "Hello"u8.CopyTo(new Span<byte>(title, 5));
        title[5] = 0;
        Assert.Equal(5, RequestRules.TitleLength(title, CompositorLayout.MaximumTitleBytes));
        title[2] = 0x07;
        Assert.Equal(-1, RequestRules.TitleLength(title, CompositorLayout.MaximumTitleBytes));
        Assert.False(RequestRules.IsSurfaceId(0));
        Assert.False(RequestRules.IsSurfaceId(0x80000000));
        Assert.True(RequestRules.IsSurfaceId(1));
    }

    [Fact]
    public void A_flood_is_counted_per_second()
    {
        var guard = new FloodGuard();
        ulong now = 5_000_000_000;
        for (int i = 0; i < 100; i++)
            Assert.True(guard.Admit(now, 100));
        Assert.False(guard.Admit(now + 10, 100));
        Assert.True(guard.Admit(now + FloodGuard.WindowNanoseconds, 100));   // a new second
    }

    [Fact]
    public void The_layout_fits_and_the_records_have_their_size()
    {
        Assert.Equal(CompositorLayout.RecordBytes, Unsafe.SizeOf<CompositorRequest>());
        Assert.Equal(CompositorLayout.RecordBytes, Unsafe.SizeOf<CompositorEvent>());
        Assert.Equal(0, CompositorLayout.RequestRingOffset % 64);
        Assert.Equal(0, CompositorLayout.EventRingOffset % 64);
        ulong eventsEnd = (ulong)CompositorLayout.EventRingOffset + SpscRing.RequiredBytes(CompositorLayout.EventSlots, CompositorLayout.RecordBytes);
        Assert.True(eventsEnd <= CompositorLayout.BufferOffset);
        Assert.True((ulong)CompositorLayout.RequestRingOffset + SpscRing.RequiredBytes(CompositorLayout.RequestSlots, CompositorLayout.RecordBytes)
            <= (ulong)CompositorLayout.EventRingOffset);
        Assert.Equal(CompositorLayout.ChannelBytes, 64 + CompositorLayout.BufferOffset + CompositorLayout.BufferBytes);
    }

    [Fact]
    public void The_title_font_has_letters()
    {
        int ink = 0;
        for (int row = 0; row < TitleFont.GlyphHeight; row++)
            for (int column = 0; column < TitleFont.GlyphWidth; column++)
                ink += TitleFont.IsInk('A', row, column) ? 1 : 0;
        Assert.InRange(ink, 8, 30);
        Assert.False(TitleFont.IsInk(' ', 3, 2));
        Assert.True(TitleFont.IsInk('1', 6, 2));   // the foot of a 1
        Assert.Equal(TitleFont.IsInk('?', 0, 1), TitleFont.IsInk(0x1F, 0, 1));
    }
}
