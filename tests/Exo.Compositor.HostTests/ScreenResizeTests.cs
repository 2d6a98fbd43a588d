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
