namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// A process's name for one of its capabilities: the slot index in the low <see cref="IndexBits"/> bits and
    /// the slot's generation above them. A slot's generation changes every time the slot is freed, so a stale
    /// handle (closed, revoked, moved away) or a forged one no longer matches and is rejected in O(1).
    /// Generations start at 1, so Value 0 never names a capability (<see cref="Invalid"/>, the default).
    /// </summary>
    public readonly struct Handle
    {
        /// <summary>12 index bits: a table holds at most 4096 capabilities, which leaves 20 bits (about a
        /// million reuses per slot) for the generation before a slot must be retired.</summary>
        public const int IndexBits = 12;
        public const int GenerationBits = 32 - IndexBits;
        public const int MaxSlots = 1 << IndexBits;
        public const uint IndexMask = (1u << IndexBits) - 1;
        public const uint FirstGeneration = 1;
        public const uint MaxGeneration = (1u << GenerationBits) - 1;

        public readonly uint Value;

        public Handle(uint value) { Value = value; }

        /// <summary>Never names a capability (generation 0).</summary>
        public static Handle Invalid => default;

        public static Handle From(int index, uint generation) => new Handle((generation << IndexBits) | ((uint)index & IndexMask));

        public int Index => (int)(Value & IndexMask);
        public uint Generation => Value >> IndexBits;
        public bool IsInvalid => Value == 0;

        public bool Equals(Handle other) => Value == other.Value;
    }
}
