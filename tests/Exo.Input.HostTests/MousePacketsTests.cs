using System.Collections.Generic;
using System.Linq;
using Xunit;
using Exo.Protocols.Input;
using Exo.Services.Input;

namespace Exo.Input.HostTests;

/// <summary>PS/2 mouse packets (3 bytes, 4 with the wheel) through MousePackets.</summary>
public sealed class MousePacketsTests
{
    private static List<InputEvent> Feed(ref MousePackets mouse, params byte[] bytes)
    {
        var events = new List<InputEvent>();
        foreach (byte value in bytes)
            if (mouse.Feed(value, out InputEvent motion, out InputEvent buttons, out InputEvent wheel))
                events.AddRange(new[] { motion, buttons, wheel }.Where(e => e.Kind != InputEventKind.None));
        return events;
    }

    [Fact]
    public void Motion_has_nine_bit_signed_axes_and_y_grows_downwards()
    {
        var mouse = new MousePackets();
        var events = Feed(ref mouse, 0x08, 10, 5, 0x38, 0xF6, 0xFB);
        Assert.Equal(2, events.Count);
        Assert.Equal((10, -5), (events[0].X, events[0].Y));
        Assert.Equal((-10, 5), (events[1].X, events[1].Y));
    }

    [Fact]
    public void Buttons_are_reported_when_they_change()
    {
        var mouse = new MousePackets();
        var events = Feed(ref mouse, 0x09, 0, 0, 0x09, 0, 0, 0x08, 0, 0);
        Assert.Equal(2, events.Count);
        Assert.Equal(InputEventKind.Buttons, events[0].Kind);
        Assert.Equal(1, events[0].Buttons);
        Assert.Equal(0, events[1].Buttons);
    }

    [Fact]
    public void The_wheel_byte_is_four_bit_signed_in_four_byte_packets()
    {
        var mouse = new MousePackets { PacketBytes = 4 };
        var events = Feed(ref mouse, 0x08, 0, 0, 0x01, 0x08, 0, 0, 0x0F);
        Assert.Equal(new[] { 1, -1 }, events.Select(e => e.Y).ToArray());
        Assert.All(events, e => Assert.Equal(InputEventKind.Wheel, e.Kind));
    }

    [Fact]
    public void Bytes_out_of_step_are_dropped_until_a_first_byte_comes_and_overflow_moves_nothing()
    {
        var mouse = new MousePackets();
        var events = Feed(ref mouse, 0x00, 0x05, 0x08, 3, 4, 0x48, 0xFF, 0xFF);
        Assert.Single(events);
        Assert.Equal((3, -4), (events[0].X, events[0].Y));
    }
}
