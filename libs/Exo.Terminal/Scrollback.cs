using System;

namespace Exo.Terminal
{
    /// <summary>
    /// The lines scrolled off the top of the main screen, oldest first, in a ring of at most <see cref="Capacity"/> lines
    /// (the oldest is dropped when it is full). The alternate screen (full-screen programs) never adds to it.
    /// </summary>
    public sealed class Scrollback
    {
        /// <summary>The line limit when none is given.</summary>
        public const int DefaultCapacity = 10_000;
        /// <summary>The largest limit accepted (a 1000-column line is ~12 KB: this bounds the memory at ~1.2 GB worst case).</summary>
        public const int MaxCapacity = 100_000;

        private readonly TerminalLine[] lines;
        private int start;

        public Scrollback(int capacity)
        {
            lines = new TerminalLine[Math.Clamp(capacity, 0, MaxCapacity)];
        }

        public int Capacity => lines.Length;
        public int Count { get; private set; }

        /// <summary>Line 'index' (0 = oldest).</summary>
        public TerminalLine this[int index]
        {
            get
            {
                if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
                return lines[(start + index) % lines.Length];
            }
        }

        /// <summary>Adds 'line' as the newest; returns the line dropped to make room (for reuse), or null.</summary>
        public TerminalLine Push(TerminalLine line)
        {
            if (lines.Length == 0)
                return line;
            if (Count < lines.Length)
            {
                lines[(start + Count) % lines.Length] = line;
                Count++;
                return null;
            }
            TerminalLine dropped = lines[start];
            lines[start] = line;
            start = (start + 1) % lines.Length;
            return dropped;
        }

        /// <summary>Takes the newest line back (the screen grew taller), or null when empty.</summary>
        public TerminalLine PopNewest()
        {
            if (Count == 0)
                return null;
            Count--;
            int slot = (start + Count) % lines.Length;
            TerminalLine line = lines[slot];
            lines[slot] = null;
            return line;
        }

        public void Clear()
        {
            Array.Clear(lines);
            start = 0;
            Count = 0;
        }
    }
}
