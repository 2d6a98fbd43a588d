namespace Exo.Abi
{
    /// <summary>The facts SystemCallNumber.FramebufferQuery gives about the boot loader's framebuffer, one per call.</summary>
    public enum FramebufferField : ulong
    {
        Address = 0,
        Pitch = 1,
        Width = 2,
        Height = 3,
        BitsPerPixel = 4,
        /// <summary>The multiboot2 framebuffer type: 0 indexed colour, 1 direct RGB, 2 EGA text.</summary>
        Type = 5,
    }
}
