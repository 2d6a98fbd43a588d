using System.Collections.Generic;
using System.Linq;
using Xunit;
using Exo.Protocols.Input;
using Exo.Services.Input;

namespace Exo.Input.HostTests;

/// <summary>Scan code set 1 bytes through KeyboardState: key codes, characters in both layouts, modifiers, repeat, LEDs.</summary>
public sealed class KeyboardStateTests
{
    private static List<InputEvent> Feed(ref KeyboardState state, params byte[] bytes)
    {
        var events = new List<InputEvent>();
        foreach (byte value in bytes)
            if (state.Feed(value, out InputEvent key))
                events.Add(key);
        return events;
    }

    private static string Typed(uint layout, params byte[] bytes)
    {
        var state = new KeyboardState { Layout = layout };
        return string.Concat(Feed(ref state, bytes).Where(e => e.Kind == InputEventKind.KeyDown && e.Character != 0).Select(e => (char)e.Character));
    }

    [Fact]
    public void A_make_and_break_code_give_key_down_and_up_with_linux_key_codes()
    {
        var state = new KeyboardState();
        var events = Feed(ref state, 0x1E, 0x9E);
        Assert.Equal(2, events.Count);
        Assert.Equal(InputEventKind.KeyDown, events[0].Kind);
        Assert.Equal(KeyCodes.A, events[0].KeyCode);
        Assert.Equal((uint)'a', events[0].Character);
        Assert.Equal(InputEventKind.KeyUp, events[1].Kind);
        Assert.Equal(0u, events[1].Character);
        Assert.Equal(0x1E, events[1].Code);
    }

    [Fact]
    public void The_us_layout_types_its_rows()
        => Assert.Equal("qwerty1234-=[];'\\,./ ", Typed(InputChannelHeader.LayoutUnitedStates,
            0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x02, 0x03, 0x04, 0x05, 0x0C, 0x0D, 0x1A, 0x1B, 0x27, 0x28, 0x2B, 0x33, 0x34, 0x35, 0x39));

    [Fact]
    public void The_german_layout_swaps_y_and_z_and_has_umlauts()
        => Assert.Equal("qwertzy\u00fc\u00f6\u00e4\u00df-<", Typed(InputChannelHeader.LayoutGerman,
            0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x2C, 0x1A, 0x27, 0x28, 0x0C, 0x35, 0x56));

    [Fact]
    public void Shift_gives_the_shifted_characters_in_each_layout()
    {
        Assert.Equal("A@\"", Typed(InputChannelHeader.LayoutUnitedStates, 0x2A, 0x1E, 0x03, 0x28, 0xAA));
        Assert.Equal("A\"\u00c4", Typed(InputChannelHeader.LayoutGerman, 0x2A, 0x1E, 0x03, 0x28, 0xAA));
    }

    [Fact]
    public void The_right_alt_is_altgr_in_the_german_layout_and_alt_in_the_us_one()
    {
        Assert.Equal("@\u20ac", Typed(InputChannelHeader.LayoutGerman, 0xE0, 0x38, 0x10, 0x12, 0xE0, 0xB8));
        var state = new KeyboardState { Layout = InputChannelHeader.LayoutUnitedStates };
        var events = Feed(ref state, 0xE0, 0x38, 0x10);
        Assert.Equal(KeyCodes.RightAlt, events[0].KeyCode);
        Assert.Equal(0xE038, events[0].Code);
        Assert.Equal(KeyModifiers.Alt, events[1].Modifiers);
        Assert.Equal((uint)'q', events[1].Character);
    }

    [Fact]
    public void Caps_lock_toggles_on_its_make_code_shifts_letters_only_and_lights_its_led()
    {
        var state = new KeyboardState();
        Feed(ref state, 0x3A, 0xBA);
        Assert.Equal(KeyModifiers.CapsLock, state.Modifiers);
        Assert.Equal(4, state.Leds);
        var typed = Feed(ref state, 0x1E, 0x9E, 0x02, 0x82, 0x2A, 0x1E, 0x9E, 0xAA);
        Assert.Equal("A1a", string.Concat(typed.Where(e => e.Kind == InputEventKind.KeyDown && e.Character != 0).Select(e => (char)e.Character)));
        Feed(ref state, 0x3A, 0xBA);
        Assert.Equal(0, state.Modifiers);
        Assert.Equal(0, state.Leds);
        Assert.Equal("\u00c4", Typed(InputChannelHeader.LayoutGerman, 0x3A, 0xBA, 0x28));
    }

    [Fact]
    public void A_make_code_for_a_key_already_down_is_a_repeat()
    {
        var state = new KeyboardState();
        var events = Feed(ref state, 0x1E, 0x1E, 0x1E, 0x9E);
        Assert.Equal(new ushort[] { 0, InputEvent.FlagRepeat, InputEvent.FlagRepeat, 0 }, events.Select(e => e.Flags).ToArray());
        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, events.Select(e => e.Sequence).ToArray());
    }

    [Fact]
    public void Control_is_a_modifier_and_extended_keys_have_their_own_codes()
    {
        var state = new KeyboardState();
        var events = Feed(ref state, 0xE0, 0x1D, 0x2E, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x9D);
        Assert.Equal(KeyCodes.RightControl, events[0].KeyCode);
        Assert.Equal(KeyModifiers.Control, events[1].Modifiers);
        Assert.Equal(KeyCodes.Up, events[2].KeyCode);
        Assert.Equal(InputEventKind.KeyUp, events[3].Kind);
        Assert.Equal(0, events[4].Modifiers);
    }

    [Fact]
    public void Fake_shifts_and_the_pause_sequence_give_no_keys()
    {
        var state = new KeyboardState();
        Assert.Empty(Feed(ref state, 0xE0, 0x2A, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0xE0, 0xAA));
        Assert.Equal(0, state.Modifiers);
        Assert.Single(Feed(ref state, 0x1E));
    }

    [Fact]
    public void An_unknown_layout_is_refused_and_unknown_extended_codes_give_nothing()
    {
        Assert.True(KeyboardLayouts.IsKnown(InputChannelHeader.LayoutGerman));
        Assert.False(KeyboardLayouts.IsKnown(InputChannelHeader.LayoutCount));
        var state = new KeyboardState();
        Assert.Empty(Feed(ref state, 0xE0, 0x10));
    }
}
