using Exo.Protocols.Compositor;
using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;
using Exo.Toolkit.Widgets;

namespace Exo.Toolkit.HostTests;

/// <summary>A window driven as the compositor would: its events as records, rendering as CompositorWindow does.</summary>
public sealed class WindowDriver
{
    public Window Window { get; }

    public WindowDriver(Widget root, int width = 400, int height = 300, bool dark = false)
    {
        Window = new Window(root, dark ? Theme.Dark(TestFonts.Fonts) : Theme.Light(TestFonts.Fonts), width, height);
        Window.Render();
    }

    public void Send(uint kind, int x = 0, int y = 0, uint code = 0, uint character = 0, uint state = 0, int width = 0, int height = 0, uint modifiers = 0)
        => Window.Dispatch(new CompositorEvent { Kind = kind, X = x, Y = y, Code = code, Character = character, State = state, Width = width, Height = height, Modifiers = modifiers });

    public void Click(int x, int y)
    {
        Send(CompositorEventKind.PointerMotion, x, y);
        Send(CompositorEventKind.PointerButton, x, y, code: 1);
        Send(CompositorEventKind.PointerButton, x, y, code: 0);
    }

    public void ClickCentre(Widget widget)
    {
        var box = widget.ToWindow(widget.Bounds);
        Click(box.X + box.Width / 2, box.Y + box.Height / 2);
    }

    public void Key(uint code, char character = '\0', ushort modifiers = 0) => Send(CompositorEventKind.KeyDown, code: code, character: character, modifiers: modifiers);

    /// <summary>Ctrl with the key of 'letter' (the character the keyboard service sends with Control held is the letter's).</summary>
    public void Control(char letter, bool shift = false)
        => Key(30, shift ? char.ToUpperInvariant(letter) : letter, (ushort)(KeyModifierBits.Control | (shift ? KeyModifierBits.Shift : 0)));

    public void Type(string text)
    {
        foreach (char c in text)
            Key(30, c); // The key code does not matter to a text field: the character does.
    }

    public List<Rect> Render() => Window.Render();

    /// <summary>Every rectangle drawn lies inside 'box'.</summary>
    public static void AssertWithin(IEnumerable<Rect> drawn, Rect box)
    {
        Assert.NotEmpty(drawn);
        foreach (var rectangle in drawn)
            Assert.True(box.Intersect(rectangle) == rectangle, $"{rectangle} drawn outside {box}");
    }

    public int CountPixels(Rect box, Func<uint, bool> test)
    {
        int count = 0;
        for (int y = box.Y; y < box.Bottom; y++)
            for (int x = box.X; x < box.Right; x++)
                if (test(Window.Canvas[x, y]))
                    count++;
        return count;
    }
}
