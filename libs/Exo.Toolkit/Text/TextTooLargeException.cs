namespace Exo.Toolkit.Text;

/// <summary>A text, or an edit, that would pass TextDocument.MaximumCharacters (or a file over TextDocument.MaximumFileBytes).</summary>
public sealed class TextTooLargeException(string message) : Exception(message);
