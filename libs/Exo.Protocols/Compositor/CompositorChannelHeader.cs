using System.Runtime.InteropServices;

namespace Exo.Protocols.Compositor
{
    /// <summary>
    /// The first bytes of a compositor channel's payload (CompositorLayout.HeaderOffset), written by the compositor: the
    /// screen's size, the events it dropped because the client's event ring was full (a client that does not read its
    /// events loses them; nobody waits for it), and why it disconnected the client (a CompositorProblem, 0 while connected).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = CompositorLayout.HeaderBytes)]
    public struct CompositorChannelHeader
    {
        public const uint ExpectedMagic = 0x706D6F43;   // "Comp"
        public const uint CurrentVersion = 1;

        [FieldOffset(0)] public uint Magic;
        [FieldOffset(4)] public uint Version;
        [FieldOffset(8)] public uint ScreenWidth;
        [FieldOffset(12)] public uint ScreenHeight;
        [FieldOffset(16)] public uint EventsDropped;
        [FieldOffset(20)] public uint Problem;
        /// <summary>The request that was refused (its index since the connection began), with Problem.</summary>
        [FieldOffset(24)] public ulong ProblemRequest;
    }
}
