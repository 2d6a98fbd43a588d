namespace Exo.Toolkit.Text;

/// <summary>A place in a TextDocument: a line (from 0) and a column (UTF-16 characters from the line's start).</summary>
public readonly record struct TextPosition(int Line, int Column) : IComparable<TextPosition>
{
    public int CompareTo(TextPosition other) => Line != other.Line ? Line.CompareTo(other.Line) : Column.CompareTo(other.Column);

    public static bool operator <(TextPosition left, TextPosition right) => left.CompareTo(right) < 0;
    public static bool operator >(TextPosition left, TextPosition right) => left.CompareTo(right) > 0;
    public static bool operator <=(TextPosition left, TextPosition right) => left.CompareTo(right) <= 0;
    public static bool operator >=(TextPosition left, TextPosition right) => left.CompareTo(right) >= 0;

    public static TextPosition Min(TextPosition left, TextPosition right) => left <= right ? left : right;
    public static TextPosition Max(TextPosition left, TextPosition right) => left >= right ? left : right;

    public override string ToString() => $"{Line + 1}:{Column + 1}";
}
