namespace Exo.FontAtlas;

/// <summary>A font file that is not a TrueType font this tool can read, with what was wrong and where.</summary>
public sealed class FontFormatException(string message) : Exception(message);
