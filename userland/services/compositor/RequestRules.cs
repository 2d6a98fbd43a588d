using Exo.Protocols.Compositor;

namespace Exo.Compositor.Scene
{
    /// <summary>
    /// The checks on what a client asks for (its channel is untrusted memory: each value is copied out once, then checked
    /// here before use). Each returns a CompositorProblem, None when the request is sound.
    /// </summary>
    public static class RequestRules
    {
        public const int BytesPerPixel = 4;

        /// <summary>A buffer of width x height pixels, 'stride' bytes a line, at 'offset' of a buffer area of 'areaBytes'.</summary>
        public static uint CheckBuffer(uint offset, int width, int height, uint stride, ulong areaBytes)
        {
            if (width <= 0 || height <= 0 || width > CompositorLayout.MaximumSurfaceWidth || height > CompositorLayout.MaximumSurfaceHeight)
                return CompositorProblem.BadBuffer;
            if (stride < (ulong)width * BytesPerPixel || (stride & 3) != 0 || (offset & 3) != 0)
                return CompositorProblem.BadBuffer;
            ulong end = offset + (ulong)stride * (ulong)(height - 1) + (ulong)width * BytesPerPixel;
            return end > areaBytes ? CompositorProblem.BadBuffer : CompositorProblem.None;
        }

        /// <summary>A damaged rectangle inside a buffer of width x height.</summary>
        public static uint CheckDamage(Rectangle damage, int width, int height)
            => damage.Width <= 0 || damage.Height <= 0 || !new Rectangle(0, 0, width, height).Contains(damage)
                ? CompositorProblem.BadDamage : CompositorProblem.None;

        /// <summary>A surface id: 1 to 2^31 - 1.</summary>
        public static bool IsSurfaceId(uint surface) => surface != 0 && surface <= int.MaxValue;

        /// <summary>A title's bytes: printable ASCII up to the first 0 (or all of them); its length, or -1.</summary>
        public static unsafe int TitleLength(byte* title, int capacity)
        {
            int length = 0;
            while (length < capacity && title[length] != 0)
            {
                if (title[length] < 0x20 || title[length] > 0x7E)
                    return -1;
                length++;
            }
            return length;
        }
    }

    /// <summary>
    /// Counts a client's requests in one-second windows: more than the limit in a window is a flood (the client is
    /// disconnected; its requests would otherwise take the compositor's time from the others).
    /// </summary>
    public struct FloodGuard
    {
        public const ulong WindowNanoseconds = 1_000_000_000;

        private ulong _windowStart;
        private int _count;

        /// <summary>Counts one request at 'now'; false when the window's count passes 'limit'.</summary>
        public bool Admit(ulong now, int limit)
        {
            if (now - _windowStart >= WindowNanoseconds)
            {
                _windowStart = now;
                _count = 0;
            }
            return ++_count <= limit;
        }
    }
}
