namespace Exo.Runtime
{
    /// <summary>
    /// A faster copy for large blocks that the environment may install (a user program: 32-byte AVX moves, Exo.Std's
    /// Memory.AvxCopy). The kernel installs none: it must not touch YMM registers (tools/scripts/check-no-vector-registers.sh),
    /// so its copies stay on SpanHelpers' SSE loop.
    /// </summary>
    public static unsafe class WideCopy
    {
        /// <summary>The shortest copy handed to the installed one: below it the call costs more than it saves.</summary>
        public const int MinimumLength = 256;

        // (destination, source, length): length >= MinimumLength and the two blocks do not overlap.
        internal static delegate*<byte*, byte*, nuint, void> s_forward;

        /// <summary>Installs 'forward' for copies of at least MinimumLength bytes between blocks that do not overlap.</summary>
        public static void Install(delegate*<byte*, byte*, nuint, void> forward) => s_forward = forward;
    }
}
