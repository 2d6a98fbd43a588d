using System.Collections.Generic;
using System.Linq;
using Xunit;
using Exo.Protocols.Input;
using Exo.Services.Input;

namespace Exo.Input.HostTests;

/// <summary>virtio-input tablet events (evdev type, code, value) through TabletEvents.</summary>
public sealed class TabletEventsTests
{
    private static List<InputEvent> Feed(ref TabletEvents tablet, params (ushort Type, ushort Code, int Value)[] events)
    {
        var result = new List<InputEvent>();
        foreach (var (type, code, value) in events)
            if (tablet.Feed(type, code, value, out InputEvent first, out InputEvent second))
                result.AddRange(new[] { first, second }.Where(e => e.Kind != InputEventKind.None));
        return result;
    }

    private static readonly (ushort, ushort, int) Report = (TabletEvents.TypeSynchronize, 0, 0);

    [Fact]
    public void Positions_are_reported_at_the_synchronisation_and_only_when_they_moved()
    {
        var tablet = new TabletEvents();
        var events = Feed(ref tablet, (TabletEvents.TypeAbsolute, TabletEvents.AbsoluteX, 16384), (TabletEvents.TypeAbsolute, TabletEvents.AbsoluteY, 8192),
            Report, (TabletEvents.TypeAbsolute, TabletEvents.AbsoluteX, 16384), Report, (TabletEvents.TypeAbsolute, TabletEvents.AbsoluteY, 40000), Report);
        Assert.Equal(2, events.Count);
        Assert.Equal((InputEventKind.PointerPosition, 16384, 8192), (events[0].Kind, events[0].X, events[0].Y));
        Assert.Equal(InputEvent.AbsoluteRange, events[1].Y);
    }

    [Fact]
    public void Buttons_and_the_wheel()
    {
        var tablet = new TabletEvents();
        var events = Feed(ref tablet, (TabletEvents.TypeKey, TabletEvents.ButtonLeft, 1), Report, (TabletEvents.TypeKey, TabletEvents.ButtonRight, 1),
            (TabletEvents.TypeKey, TabletEvents.ButtonLeft, 0), Report, (TabletEvents.TypeRelative, TabletEvents.RelativeWheel, -1), (TabletEvents.TypeKey, 0x1234, 1), Report);
        Assert.Equal(new[] { InputEventKind.Buttons, InputEventKind.Buttons, InputEventKind.Wheel }, events.Select(e => e.Kind).ToArray());
        Assert.Equal(new ushort[] { 1, 2, 2 }, events.Select(e => e.Buttons).ToArray());
        Assert.Equal(1, events[2].Y);
    }
}
