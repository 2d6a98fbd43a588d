using Exo.Toolkit.Widgets;

namespace Editor;

/// <summary>The editor's window content: a column that gives the keys its widgets leave (Ctrl+S, Ctrl+O...) to Command.</summary>
internal sealed class CommandColumn(Func<KeyEvent, bool> command, params Widget[] children) : Box(Direction.Column, children)
{
    public override bool OnKey(KeyEvent key) => command(key);
}
