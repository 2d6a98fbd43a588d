namespace Exo.Protocols.Input
{
    /// <summary>The modifier state a key event carries (bits).</summary>
    public static class KeyModifiers
    {
        public const ushort Shift = 1, Control = 2, Alt = 4, AltGraph = 8, Meta = 16, CapsLock = 32, NumLock = 64;
    }
}
