using System;
using System.Collections.Generic;
using System.Text;
using Exo.Terminal;
using Xunit;

namespace Exo.Terminal.HostTests
{
    public class EscapeParserTests
    {
        private sealed class Recorder : IParserHandler
        {
            public readonly List<string> Events = new List<string>();
            public void Print(int codePoint) => Events.Add("print " + codePoint.ToString("X"));
            public void Execute(byte control) => Events.Add("execute " + control.ToString("X2"));
            public void EscapeDispatch(byte intermediate, byte final) =>
                Events.Add("esc " + (intermediate == 0 ? "" : ((char)intermediate).ToString()) + (char)final);
            public void CsiDispatch(ReadOnlySpan<int> parameters, byte privateMarker, byte intermediate, byte final) =>
                Events.Add("csi " + (privateMarker == 0 ? "" : ((char)privateMarker).ToString()) + string.Join(",", parameters.ToArray())
                    + (intermediate == 0 ? "" : " " + (char)intermediate) + " " + (char)final);
            public void OscDispatch(ReadOnlySpan<byte> data) => Events.Add("osc " + Encoding.UTF8.GetString(data));
        }

        private static List<string> Parse(params string[] pieces)
        {
            var recorder = new Recorder();
            var parser = new EscapeParser(recorder);
            foreach (string piece in pieces)
                parser.Feed(Encoding.Latin1.GetBytes(piece));
            return recorder.Events;
        }

        [Fact]
        public void ControlSequenceParametersDefaultsAndPrivateMarkers()
        {
            Assert.Equal(new[] { "csi 12,34 H" }, Parse("\x1b[12;34H"));
            Assert.Equal(new[] { "csi  m" }, Parse("\x1b[m"));
            Assert.Equal(new[] { "csi 0,5 H" }, Parse("\x1b[;5H"));
            Assert.Equal(new[] { "csi 1,0 H" }, Parse("\x1b[1;H"));
            Assert.Equal(new[] { "csi ?1049 h" }, Parse("\x1b[?1049h"));
            Assert.Equal(new[] { "csi >4,2 m" }, Parse("\x1b[>4;2m"));
            Assert.Equal(new[] { "csi 2   q" }, Parse("\x1b[2 q"));
            // Colon sub-parameters read as separators: 38:5:208 is 38;5;208.
            Assert.Equal(new[] { "csi 38,5,208 m" }, Parse("\x1b[38:5:208m"));
        }

        [Fact]
        public void SequencesSplitAcrossReadsAreTheSame()
        {
            Assert.Equal(new[] { "csi 38,2,10,20,30 m", "print 41" }, Parse("\x1b[38;2;1", "0;20", ";30", "mA"));
            Assert.Equal(new[] { "osc 0;title" }, Parse("\x1b]0;ti", "tle\x07"));
        }

        [Fact]
        public void ControlsInsideASequenceAreExecutedAndTheSequenceGoesOn()
        {
            // VT100 behaviour (vttest checks it): CR inside CUP is carried out, the CUP too.
            Assert.Equal(new[] { "execute 0D", "csi 2,3 H" }, Parse("\x1b[2;\r3H"));
        }

        [Fact]
        public void CancelAndEscapeAbortASequence()
        {
            Assert.Equal(new[] { "execute 18", "print 41" }, Parse("\x1b[12\u0018A"));
            Assert.Equal(new[] { "csi 5 m" }, Parse("\x1b[12\x1b[5m"));
        }

        [Fact]
        public void OscEndsWithBellOrStringTerminator()
        {
            Assert.Equal(new[] { "osc 2;hello", "esc \\", "print 78" }, Parse("\x1b]2;hello\x1b\\x"));
            Assert.Equal(new[] { "osc 0;a" }, Parse("\x1b]0;a\x07"));
        }

        [Fact]
        public void DcsAndApcStringsAreSwallowed()
        {
            Assert.Equal(new[] { "esc \\", "print 5A" }, Parse("\x1bPq#0;2;0;0;0#1~~@@\x1b\\Z"));
            Assert.Equal(new[] { "esc \\", "print 5A" }, Parse("\x1b_hidden\x1b\\Z"));
        }

        [Fact]
        public void TooManyParametersOrIntermediatesDropTheSequence()
        {
            var many = new StringBuilder("\x1b[");
            for (int index = 0; index < EscapeParser.MaxParameters + 5; index++) many.Append("1;");
            many.Append("mX");
            Assert.Equal(new[] { "print 58" }, Parse(many.ToString()));
            Assert.Equal(new[] { "print 58" }, Parse("\x1b[1 !mX"));
            Assert.Equal(new[] { "print 58" }, Parse("\x1b[1?mX")); // a private marker after a digit: ignored
        }

        [Fact]
        public void HugeParametersSaturate()
        {
            Assert.Equal(new[] { "csi " + EscapeParser.MaxParameterValue + " A" }, Parse("\x1b[99999999999999999999A"));
        }

        [Fact]
        public void LongOscIsCutAtTheLimit()
        {
            List<string> events = Parse("\x1b]0;" + new string('x', 5000) + "\x07");
            Assert.Equal(new[] { "osc 0;" + new string('x', EscapeParser.MaxStringBytes - 2) }, events);
        }

        [Fact]
        public void Utf8IsDecodedEvenWhenSplit()
        {
            byte[] euro = Encoding.UTF8.GetBytes("\u20AC\U0001F600");
            var recorder = new Recorder();
            var parser = new EscapeParser(recorder);
            foreach (byte value in euro) parser.Feed(new[] { value });
            Assert.Equal(new[] { "print 20AC", "print 1F600" }, recorder.Events);
        }

        [Fact]
        public void MalformedUtf8GivesReplacementCharacters()
        {
            // A stray continuation byte, a lead byte cut short by ASCII, an overlong '/', a surrogate.
            Assert.Equal(new[] { "print FFFD", "print FFFD", "print 41", "print FFFD", "print FFFD" },
                Parse("\x80\xE2\x82" + "A\xC0\xAF\xED\xA0\x80"));
            // A lead cut short by ESC: the sequence still parses.
            Assert.Equal(new[] { "print FFFD", "csi 1 m" }, Parse("\xE2\x1b[1m"));
        }
    }
}
