using System.Runtime.InteropServices;

namespace Exo.Protocols.Compositor
{
    /// <summary>
    /// The toplevel windows as the compositor tells the panel's client (CompositorLayout.WindowListOffset): this header,
    /// then Count <see cref="WindowListEntry"/> records in the order the windows were made. Written under a sequence
    /// lock: Sequence is odd while the compositor writes, and a reader copies the list, then checks that Sequence is even
    /// and unchanged (else it reads again). A WindowsChanged event follows each write.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = Bytes)]
    public struct WindowListHeader
    {
        public const int Bytes = 16;
        [FieldOffset(0)] public uint Sequence;
        [FieldOffset(4)] public uint Count;
    }

    /// <summary>WindowListEntry.State's bits.</summary>
    public static class WindowListState
    {
        public const uint Focused = 1, Minimised = 2, Maximised = 4;
    }

    /// <summary>One window: its serial (never reused while the compositor runs), its state, its title (ASCII).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Bytes)]
    public unsafe struct WindowListEntry
    {
        public const int Bytes = 48;
        /// <summary>Where Title starts (native programs reach it through a pointer: their core library has no fixed buffers).</summary>
        public const int TitleOffset = 12;
        [FieldOffset(0)] public uint Serial;
        [FieldOffset(4)] public uint State;
        [FieldOffset(8)] public uint TitleLength;
        [FieldOffset(TitleOffset)] public fixed byte Title[CompositorLayout.MaximumTitleBytes];
    }
}
