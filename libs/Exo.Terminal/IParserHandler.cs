using System;

namespace Exo.Terminal
{
    /// <summary>What <see cref="EscapeParser"/> recognises, in the names of Paul Williams' DEC ANSI parser's actions.</summary>
    public interface IParserHandler
    {
        /// <summary>A graphic character (a Unicode code point; U+FFFD for malformed UTF-8).</summary>
        void Print(int codePoint);

        /// <summary>A C0 control (0x00..0x1F) other than ESC, CAN and SUB's state change.</summary>
        void Execute(byte control);

        /// <summary>ESC, at most one intermediate (0 for none), then a final byte.</summary>
        void EscapeDispatch(byte intermediate, byte final);

        /// <summary>
        /// A control sequence: the parameters (a missing one is 0; ':' sub-parameters are flattened as if ';'),
        /// the private marker (one of &lt; = &gt; ?, 0 for none), at most one intermediate and the final byte.
        /// </summary>
        void CsiDispatch(ReadOnlySpan<int> parameters, byte privateMarker, byte intermediate, byte final);

        /// <summary>An operating system command's text, without its terminator (at most <see cref="EscapeParser.MaxStringBytes"/>).</summary>
        void OscDispatch(ReadOnlySpan<byte> data);
    }
}
