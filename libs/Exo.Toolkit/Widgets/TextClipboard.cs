namespace Exo.Toolkit.Widgets;

/// <summary>
/// Cut, copied and pasted text inside one application (text areas share Application's by default). The compositor has
/// no clipboard yet (no wl_data_device), so text does not go from one program to another.
/// </summary>
public sealed class TextClipboard
{
    /// <summary>The one this process's widgets use unless given another.</summary>
    public static TextClipboard Application { get; } = new();

    public string Text { get; set; } = "";
}
