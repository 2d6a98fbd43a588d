using System;
using System.Text;
using Xunit;
using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;
using Exo.Protocols.Rings;

namespace Exo.Compositor.HostTests;

/// <summary>The scene's side of the panel: the rows it reserves, the window list it is told, the windows it activates.</summary>
public sealed unsafe class PanelSceneTests
{
    private const int Panel = 32;

    private static (int X, int Y, int Width, int Height) Place(WindowStack stack, int slot) => RectangleAndDamageTests.Tuple(stack[slot].Content);

    [Fact]
    public void Windows_are_placed_maximised_and_moved_below_the_panel()
    {
        var stack = new WindowStack(1024, 768) { TopReserved = Panel };
        var damage = new DamageRegion(1024, 768);
        int first = stack.Add(0, 1);
        stack.Map(first, 360, 240, ref damage);
        Assert.Equal((48, Panel + 64, 360, 240), Place(stack, first));
        stack.Move(first, -10, -500, ref damage);   // the title bar stops at the panel's edge
        Assert.Equal((38, Panel + WindowFrame.TitleHeight + WindowFrame.Border, 360, 240), Place(stack, first));
        stack.Move(first, 0, -5, ref damage);
        Assert.Equal(Panel + WindowFrame.TitleHeight + WindowFrame.Border, stack[first].Content.Y);
        stack.Move(first, 0, 40, ref damage);       // down is free
        Assert.Equal(Panel + WindowFrame.TitleHeight + WindowFrame.Border + 40, stack[first].Content.Y);
        stack.ToggleMaximised(first, ref damage);
        Assert.Equal((WindowFrame.Border, Panel + WindowFrame.TitleHeight + WindowFrame.Border, 1024 - 2 * WindowFrame.Border,
            768 - Panel - WindowFrame.TitleHeight - 2 * WindowFrame.Border), Place(stack, first));
    }

    [Fact]
    public void A_new_window_too_wide_or_tall_for_its_cascade_place_is_moved_onto_the_screen()
    {
        var stack = new WindowStack(1024, 768) { TopReserved = Panel };
        var damage = new DamageRegion(1024, 768);
        stack.Map(stack.Add(0, 1), 100, 100, ref damage);
        int terminal = stack.Add(0, 2);              // the second cascade place: (248, 216)
        stack.Map(terminal, 800, 456, ref damage);
        Assert.Equal((1024 - 800 - WindowFrame.Border, 216, 800, 456), Place(stack, terminal));
        int huge = stack.Add(0, 3);                  // larger than the screen: pinned to the left and below the panel
        stack.Map(huge, 1100, 900, ref damage);
        Assert.Equal((WindowFrame.Border, Panel + WindowFrame.TitleHeight + WindowFrame.Border, 1100, 900), Place(stack, huge));
    }

    [Fact]
    public void The_list_names_mapped_windows_oldest_first_with_their_state_and_title()
    {
        var stack = new WindowStack(1024, 768);
        var damage = new DamageRegion(1024, 768);
        int a = stack.Add(0, 1), b = stack.Add(1, 1), unmapped = stack.Add(1, 2);
        SetTitle(stack, a, "Terminal");
        SetTitle(stack, b, "Files");
        stack.Map(a, 100, 100, ref damage);
        stack.Map(b, 100, 100, ref damage);
        stack.Raise(a, ref damage);                  // stacking does not change the list's order
        stack.Minimise(b, ref damage);
        var entries = stackalloc WindowListEntry[CompositorLayout.WindowListCapacity];
        int count = stack.ListWindows(entries, CompositorLayout.WindowListCapacity);
        Assert.Equal(2, count);
        Assert.Equal(stack[a].Serial, entries[0].Serial);
        Assert.Equal("Terminal", Title(entries[0]));
        Assert.Equal(WindowListState.Focused, entries[0].State);
        Assert.Equal("Files", Title(entries[1]));
        Assert.Equal(WindowListState.Minimised, entries[1].State);
        Assert.True(entries[1].Serial > entries[0].Serial);
        Assert.Equal(-1, stack.FindSerial(stack[unmapped].Serial + 100));
        Assert.Equal(b, stack.FindSerial(entries[1].Serial));
        Assert.Equal(1, stack.ListWindows(entries, 1));   // never more than the room given

        stack.Unminimise(b, ref damage);
        Assert.Equal(b, stack.Focused);
        Assert.Equal(b, stack.AtDepth(stack.Count - 1));
        stack.ListWindows(entries, CompositorLayout.WindowListCapacity);
        Assert.Equal(WindowListState.Focused, entries[1].State);
        Assert.Equal(0u, entries[0].State);

        uint removed = stack[a].Serial;
        stack.Remove(a, ref damage);
        int again = stack.Add(2, 9);                 // the slot is used again, the serial is not
        Assert.Equal(a, again);
        Assert.NotEqual(removed, stack[again].Serial);
    }

    [Fact]
    public void The_window_list_fits_between_the_event_ring_and_the_buffers()
    {
        ulong ring = SpscRing.RequiredBytes(CompositorLayout.EventSlots, CompositorLayout.RecordBytes);
        Assert.True((ulong)CompositorLayout.EventRingOffset + ring <= CompositorLayout.WindowListOffset);
        Assert.True(CompositorLayout.WindowListOffset + WindowListHeader.Bytes + CompositorLayout.WindowListCapacity * WindowListEntry.Bytes
            <= CompositorLayout.BufferOffset);
        Assert.Equal(WindowListEntry.Bytes, sizeof(WindowListEntry));
        Assert.Equal(WindowListHeader.Bytes, sizeof(WindowListHeader));
        Assert.True(WindowListEntry.TitleOffset + CompositorLayout.MaximumTitleBytes <= WindowListEntry.Bytes);
        Assert.Equal(WindowStack.Capacity, CompositorLayout.WindowListCapacity);
    }

    private static void SetTitle(WindowStack stack, int slot, string title)
    {
        ref Window window = ref stack[slot];
        window.TitleLength = title.Length;
        for (int i = 0; i < title.Length; i++)
            window.Title[i] = (byte)title[i];
    }

    private static string Title(WindowListEntry entry) => Encoding.ASCII.GetString(entry.Title, (int)entry.TitleLength);
}
