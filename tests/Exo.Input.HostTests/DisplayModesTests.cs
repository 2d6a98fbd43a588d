using System.Collections.Generic;
using System.Linq;
using Xunit;
using Exo.Protocols.Display;

namespace Exo.Input.HostTests;

/// <summary>The display modes' limits (libs/Exo.Protocols/Display), which the driver checks requests against.</summary>
public sealed class DisplayModesTests
{
    [Theory]
    [InlineData(1024u, 768u, true)]
    [InlineData(1920u, 1080u, true)]
    [InlineData(1280u, 1024u, true)]
    [InlineData(800u, 600u, false)]
    [InlineData(2560u, 1440u, false)]
    [InlineData(1028u, 768u, false)]   // not a multiple of 8
    [InlineData(1920u, 1081u, false)]
    public void Modes_from_1024x768_to_1920x1080_are_supported(uint width, uint height, bool supported)
        => Assert.Equal(supported, DisplayModes.IsSupported(width, height));

    [Fact]
    public void The_largest_mode_fits_the_default_std_vga_memory()
        => Assert.True(DisplayModes.FramebufferBytes(DisplayModes.MaximumWidth, DisplayModes.MaximumHeight) <= 16UL << 20);
}
