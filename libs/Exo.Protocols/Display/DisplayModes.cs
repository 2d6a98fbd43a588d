namespace Exo.Protocols.Display
{
    /// <summary>The modes the display drivers offer: 32 bits per pixel, from 1024x768 to 1920x1080 (explicit limits).</summary>
    public static class DisplayModes
    {
        public const uint MinimumWidth = 1024, MinimumHeight = 768;
        public const uint MaximumWidth = 1920, MaximumHeight = 1080;
        public const uint BitsPerPixel = 32;
        public const uint BytesPerPixel = BitsPerPixel / 8;

        /// <summary>A mode within the limits, its width a multiple of 8 (as the Bochs VBE interface wants).</summary>
        public static bool IsSupported(uint width, uint height)
            => width >= MinimumWidth && width <= MaximumWidth && height >= MinimumHeight && height <= MaximumHeight && (width & 7) == 0;

        /// <summary>The bytes a mode's framebuffer takes at the natural pitch.</summary>
        public static ulong FramebufferBytes(uint width, uint height) => (ulong)width * height * BytesPerPixel;
    }
}
