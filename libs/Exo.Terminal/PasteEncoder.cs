using System.Text;

namespace Exo.Terminal
{
    /// <summary>
    /// Pasted text to the bytes sent to the program: line ends as CR (what Enter sends, as xterm does), and with
    /// bracketed paste mode (2004) between ESC [200~ and ESC [201~. The text's own ESC characters are dropped in
    /// bracketed mode, so a pasted "ESC [201~" cannot end the bracket early and run the rest as typed commands.
    /// </summary>
    public static class PasteEncoder
    {
        public const string Start = "\x1b[200~";
        public const string End = "\x1b[201~";

        public static byte[] Encode(string text, bool bracketed)
        {
            var output = new StringBuilder(text.Length + Start.Length + End.Length);
            if (bracketed) output.Append(Start);
            for (int index = 0; index < text.Length; index++)
            {
                char character = text[index];
                if (character == '\r')
                {
                    output.Append('\r');
                    if (index + 1 < text.Length && text[index + 1] == '\n') index++;
                }
                else if (character == '\n') output.Append('\r');
                else if (character == '\x1b' && bracketed) continue;
                else output.Append(character);
            }
            if (bracketed) output.Append(End);
            return Encoding.UTF8.GetBytes(output.ToString());
        }
    }
}
