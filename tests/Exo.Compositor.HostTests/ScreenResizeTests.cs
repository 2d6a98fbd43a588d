using Xunit;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;

namespace Exo.Compositor.HostTests;

/// <summary>The scene after a display mode switch, and the values the settings requests may carry.</summary>
public sealed class ScreenResizeTests
{
    [Fact]
    public void A_smaller_screen_keeps_windows_on_it_and_maximised_ones_fill_it()
    {
        var stack = new WindowStack(1920, 1080) { TopReserved = 32 };
        var damage = new DamageRegion(1920, 1080);
        int far = stack.Add(0, 1);
        stack.Map(far, 400, 300, ref damage);
        stack.Move(far, 1200, 600, ref damage);
        int big = stack.Add(0, 2);
        stack.Map(big, 500, 400, ref damage);
        var restore = stack.ToggleMaximised(big, ref damage);
        Assert.Equal(WindowFrame.Maximised(1920, 1080, 32), restore);

        stack.ResizeScreen(1024, 768);
        var moved = stack[far].Content;
        Assert.True(moved.Right + WindowFrame.Border <= 1024 && moved.Bottom + WindowFrame.Border <= 768, $"moved onto the screen: {moved.X},{moved.Y}");
        Assert.Equal((400, 300), (moved.Width, moved.Height));
        Assert.Equal(WindowFrame.Maximised(1024, 768, 32), stack[big].Content);
        var back = stack.ToggleMaximised(big, ref damage);   // restored inside the new screen
        Assert.True(back.Right + WindowFrame.Border <= 1024, "the restored place is on the new screen");
    }

    [Theory]
    [InlineData(1024, 768, true)]
    [InlineData(1920, 1080, true)]
    [InlineData(640, 480, true)]
    [InlineData(1281, 800, false)]
    [InlineData(632, 480, false)]
    [InlineData(1928, 1080, false)]
    [InlineData(1920, 1088, false)]
    [InlineData(-1024, 768, false)]
    public void Display_modes_lie_between_640x480_and_the_largest_surface(int width, int height, bool allowed)
        => Assert.Equal(allowed, DesktopSettingRules.IsDisplayMode(width, height));
}

/// <summary>Resizing a window by its border: which edges a press takes, the limits, the damage.</summary>
public sealed class BorderResizeTests
{
    private static readonly Rectangle Content = new(100, 100, 400, 300);

    [Theory]
    [InlineData(499, 399, ResizeEdges.None)]                           // the content
    [InlineData(501, 200, ResizeEdges.Right)]                          // the right border
    [InlineData(505, 200, ResizeEdges.Right)]                          // the grip outside it
    [InlineData(507, 200, ResizeEdges.None)]                           // past the grip
    [InlineData(97, 200, ResizeEdges.Left)]
    [InlineData(300, 401, ResizeEdges.Bottom)]
    [InlineData(501, 401, ResizeEdges.Right | ResizeEdges.Bottom)]     // the corner
    [InlineData(495, 401, ResizeEdges.Right | ResizeEdges.Bottom)]     // near the corner along the bottom
    [InlineData(98, 395, ResizeEdges.Left | ResizeEdges.Bottom)]       // near the corner along the left
    [InlineData(300, 90, ResizeEdges.None)]                            // the title bar moves, it does not resize
    public void A_press_takes_the_edges_it_is_on(int x, int y, byte edges) => Assert.Equal(edges, WindowFrame.EdgesAt(Content, x, y));

    [Fact]
    public void The_grip_is_part_of_the_window_for_hit_testing()
    {
        Assert.Equal(FramePart.Border, WindowFrame.HitTest(Content, 505, 200));
        Assert.Equal(FramePart.None, WindowFrame.HitTest(Content, 505, 80));   // beside the title bar: no grip
    }

    [Fact]
    public void A_drag_resizes_within_the_limits_and_a_left_drag_keeps_the_right_edge()
    {
        var grown = WindowFrame.Resized(Content, ResizeEdges.Right | ResizeEdges.Bottom, 50, 30, 1000, 700);
        Assert.Equal((100, 100, 450, 330), (grown.X, grown.Y, grown.Width, grown.Height));
        var left = WindowFrame.Resized(Content, ResizeEdges.Left, 100, 0, 1000, 700);
        Assert.Equal((200, 300, 500), (left.X, left.Width, left.Right));
        var tiny = WindowFrame.Resized(Content, ResizeEdges.Right | ResizeEdges.Bottom, -1000, -1000, 1000, 700);
        Assert.Equal((WindowFrame.MinimumWidth, WindowFrame.MinimumHeight), (tiny.Width, tiny.Height));
        var huge = WindowFrame.Resized(Content, ResizeEdges.Right | ResizeEdges.Bottom, 5000, 5000, 1000, 700);
        Assert.Equal((1000, 700), (huge.Width, huge.Height));
    }

    [Fact]
    public void A_resize_damages_the_old_and_new_frames_and_a_maximised_window_keeps_its_size()
    {
        var stack = new WindowStack(1024, 768);
        var damage = new DamageRegion(1024, 768);
        int slot = stack.Add(0, 1);
        stack.Map(slot, 400, 300, ref damage);
        damage.Clear();
        var before = stack[slot].Content;
        var after = new Rectangle(before.X, before.Y, 500, 350);
        stack.Resize(slot, after, ref damage);
        Assert.Equal(500, stack[slot].Content.Width);
        Rectangle damaged = default;
        for (int i = 0; i < damage.Count; i++)
            damaged = damaged.Union(damage[i]);
        Assert.True(damaged.Contains(WindowFrame.Outer(before)) && damaged.Contains(WindowFrame.Outer(after)));
        stack.ToggleMaximised(slot, ref damage);
        var maximised = stack[slot].Content;
        stack.Resize(slot, before, ref damage);
        Assert.Equal(maximised.Width, stack[slot].Content.Width);
    }
}
