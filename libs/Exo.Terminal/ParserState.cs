namespace Exo.Terminal
{
    /// <summary>The states of <see cref="EscapeParser"/>: Paul Williams' DEC ANSI parser without DCS pass-through.</summary>
    public enum ParserState : byte
    {
        Ground,
        Escape,
        EscapeIntermediate,
        CsiEntry,
        CsiParameter,
        CsiIntermediate,
        CsiIgnore,
        OscString,
        /// <summary>DCS, SOS, PM and APC strings: consumed and ignored up to their terminator.</summary>
        StringIgnore,
    }
}
