using System.Text;
using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class InputEncodingTests
    {
        private static string Key(TerminalKey key, TerminalModifiers modifiers = TerminalModifiers.None, bool application = false) =>
            Encoding.UTF8.GetString(KeyEncoder.Encode(key, modifiers, application));

        private static string Character(int codePoint, TerminalModifiers modifiers = TerminalModifiers.None) =>
            Encoding.UTF8.GetString(KeyEncoder.EncodeCharacter(codePoint, modifiers));

        [Fact]
        public void CursorKeysFollowApplicationMode()
        {
            Assert.Equal("\x1b[A", Key(TerminalKey.Up));
            Assert.Equal("\x1bOA", Key(TerminalKey.Up, application: true));
            Assert.Equal("\x1b[D", Key(TerminalKey.Left));
            Assert.Equal("\x1bOH", Key(TerminalKey.Home, application: true));
            Assert.Equal("\x1b[F", Key(TerminalKey.End));
            Assert.Equal("\x1b[1;5C", Key(TerminalKey.Right, TerminalModifiers.Control, true));
            Assert.Equal("\x1b[1;2B", Key(TerminalKey.Down, TerminalModifiers.Shift));
        }

        [Fact]
        public void EditingAndFunctionKeys()
        {
            Assert.Equal("\x1b[5~", Key(TerminalKey.PageUp));
            Assert.Equal("\x1b[6~", Key(TerminalKey.PageDown));
            Assert.Equal("\x1b[2~", Key(TerminalKey.Insert));
            Assert.Equal("\x1b[3;3~", Key(TerminalKey.Delete, TerminalModifiers.Alt));
            Assert.Equal("\x1bOP", Key(TerminalKey.F1));
            Assert.Equal("\x1bOS", Key(TerminalKey.F4));
            Assert.Equal("\x1b[1;2Q", Key(TerminalKey.F2, TerminalModifiers.Shift));
            Assert.Equal("\x1b[15~", Key(TerminalKey.F5));
            Assert.Equal("\x1b[21~", Key(TerminalKey.F10));
            Assert.Equal("\x1b[23~", Key(TerminalKey.F11));
            Assert.Equal("\x1b[24;5~", Key(TerminalKey.F12, TerminalModifiers.Control));
        }

        [Fact]
        public void EnterTabBackspaceEscape()
        {
            Assert.Equal("\r", Key(TerminalKey.Enter));
            Assert.Equal("\t", Key(TerminalKey.Tab));
            Assert.Equal("\x1b[Z", Key(TerminalKey.Tab, TerminalModifiers.Shift));
            Assert.Equal("\x7f", Key(TerminalKey.Backspace));
            Assert.Equal("\b", Key(TerminalKey.Backspace, TerminalModifiers.Control));
            Assert.Equal("\x1b\x7f", Key(TerminalKey.Backspace, TerminalModifiers.Alt));
            Assert.Equal("\x1b", Key(TerminalKey.Escape));
            Assert.Empty(KeyEncoder.Encode(TerminalKey.None, TerminalModifiers.None, false));
        }

        [Fact]
        public void ControlAndAltWithCharacters()
        {
            Assert.Equal("\u0003", Character('c', TerminalModifiers.Control));
            Assert.Equal("\u0003", Character('C', TerminalModifiers.Control | TerminalModifiers.Shift));
            Assert.Equal("\u001a", Character('z', TerminalModifiers.Control));
            Assert.Equal("\0", Character(' ', TerminalModifiers.Control));
            Assert.Equal("\u001b", Character('[', TerminalModifiers.Control));
            Assert.Equal("\u001c", Character('\\', TerminalModifiers.Control));
            Assert.Equal("\u001f", Character('_', TerminalModifiers.Control));
            Assert.Equal("\x1b" + "b", Character('b', TerminalModifiers.Alt));
            Assert.Equal("\x1b\u0018", Character('x', TerminalModifiers.Alt | TerminalModifiers.Control));
            Assert.Equal("\u00fc", Character(0xFC));
            Assert.Equal("\u20ac", Character(0x20AC, TerminalModifiers.Control)); // Control does nothing to it
            Assert.Empty(KeyEncoder.EncodeCharacter(0xD800, TerminalModifiers.None));
            Assert.Empty(KeyEncoder.EncodeCharacter(0x110000, TerminalModifiers.None));
        }

        [Fact]
        public void PasteIsBracketedWhenAskedAndCannotEndTheBracketEarly()
        {
            Assert.Equal("ls\rpwd\r", Encoding.UTF8.GetString(PasteEncoder.Encode("ls\r\npwd\n", false)));
            Assert.Equal("\x1b[200~echo hi\r\x1b[201~", Encoding.UTF8.GetString(PasteEncoder.Encode("echo hi\n", true)));
            Assert.Equal("\x1b[200~a[201~rm\x1b[201~", Encoding.UTF8.GetString(PasteEncoder.Encode("a\x1b[201~rm", true)));
            Assert.Equal("\u00e9", Encoding.UTF8.GetString(PasteEncoder.Encode("\u00e9", false)));
        }
    }
}
