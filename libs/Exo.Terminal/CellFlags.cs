namespace Exo.Terminal
{
    /// <summary>A cell's rendition as SGR set it.</summary>
    [System.Flags]
    public enum CellFlags : byte
    {
        None = 0,
        Bold = 1 << 0,
        Faint = 1 << 1,
        Italic = 1 << 2,
        Underline = 1 << 3,
        Blink = 1 << 4,
        Inverse = 1 << 5,
        Hidden = 1 << 6,
        Strikethrough = 1 << 7,
    }
}
