using Exo.Toolkit.Drawing;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Widgets;

public enum Direction { Row, Column }

/// <summary>
/// Layout: children in a row (left to right) or a column (top to bottom), Padding inside the box's edges and Spacing
/// between them (the theme's when -1). Each child gets its preferred length; the spare room is shared among the
/// children with a Stretch in proportion to it. Across, every child fills the box.
/// </summary>
public class Box : Widget
{
    public Direction Direction { get; }
    public int Padding { get; set; } = -1;
    public int Spacing { get; set; } = -1;
    /// <summary>A background (0: none, the parent's shows).</summary>
    public uint? Background { get; set; }

    public Box(Direction direction, params Widget[] children)
    {
        Direction = direction;
        foreach (var child in children)
            Add(child);
    }

    private int PaddingOf(Theme theme) => Padding >= 0 ? Padding : theme.Padding;
    private int SpacingOf(Theme theme) => Spacing >= 0 ? Spacing : theme.Spacing;

    protected override (int Width, int Height) MeasureContent(Theme theme)
    {
        int along = 0, across = 0;
        foreach (var child in Children)
        {
            var (width, height) = child.Measure(theme);
            along += Direction == Direction.Row ? width : height;
            across = Math.Max(across, Direction == Direction.Row ? height : width);
        }
        along += Math.Max(0, Children.Count - 1) * SpacingOf(theme);
        int padding = 2 * PaddingOf(theme);
        return Direction == Direction.Row ? (along + padding, across + padding) : (across + padding, along + padding);
    }

    protected override void ArrangeChildren(Theme theme)
    {
        int padding = PaddingOf(theme), spacing = SpacingOf(theme);
        var inner = new Rect(Bounds.X + padding, Bounds.Y + padding, Bounds.Width - 2 * padding, Bounds.Height - 2 * padding);
        int available = Direction == Direction.Row ? inner.Width : inner.Height;
        var lengths = new int[Children.Count];
        int used = Math.Max(0, Children.Count - 1) * spacing, stretchTotal = 0;
        for (int i = 0; i < Children.Count; i++)
        {
            var (width, height) = Children[i].Measure(theme);
            lengths[i] = Direction == Direction.Row ? width : height;
            used += lengths[i];
            stretchTotal += Children[i].Stretch;
        }
        int spare = Math.Max(0, available - used), given = 0, stretchSeen = 0;
        int position = Direction == Direction.Row ? inner.X : inner.Y;
        for (int i = 0; i < Children.Count; i++)
        {
            if (stretchTotal > 0 && Children[i].Stretch > 0)
            {
                // Cumulative shares, so the rounding leaves no pixel over.
                stretchSeen += Children[i].Stretch;
                int share = spare * stretchSeen / stretchTotal - given;
                given += share;
                lengths[i] += share;
            }
            var place = Direction == Direction.Row
                ? new Rect(position, inner.Y, lengths[i], inner.Height)
                : new Rect(inner.X, position, inner.Width, lengths[i]);
            Children[i].Arrange(place, theme);
            position += lengths[i] + spacing;
        }
    }

    protected override void Draw(Canvas canvas, Theme theme)
    {
        if (Background is { } colour)
            canvas.Fill(Bounds, colour);
    }
}

/// <summary>A row of widgets (Box).</summary>
public sealed class Row(params Widget[] children) : Box(Direction.Row, children);

/// <summary>A column of widgets (Box).</summary>
public sealed class Column(params Widget[] children) : Box(Direction.Column, children);
