namespace Tone
{
    /// <summary>sin(2 pi t) for a phase t in turns, by its Taylor series on a quarter turn (error below 1e-7): the core
    /// library has no Math.</summary>
    internal static class Sine
    {
        private const double TwoPi = 6.283185307179586;

        public static double OfTurns(double turns)
        {
            turns -= (long)turns;
            if (turns < 0)
                turns += 1;
            // Fold into [-1/4, 1/4]: sin is symmetric about a quarter and antisymmetric about a half.
            if (turns > 0.75)
                turns -= 1;
            else if (turns > 0.25)
                turns = 0.5 - turns;
            double x = turns * TwoPi, x2 = x * x;
            return x * (1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110 * (1 - x2 / 156))))));
        }
    }
}
