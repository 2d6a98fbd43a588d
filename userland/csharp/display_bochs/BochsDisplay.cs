using System.Threading;
using Exo.Abi;
using Exo.Protocols.Display;

namespace DisplayBochs
{
    /// <summary>
    /// The Bochs VBE ("DISPI") interface of QEMU's std-vga and bochs-display, through their MMIO BAR (BAR 2): the DISPI
    /// registers as 16-bit words at 0x500, and (std-vga only) the VGA ports 0x3C0-0x3DF at 0x400. A mode is the linear
    /// framebuffer in BAR 0 at 32 bits per pixel, one line after the other (pitch = width * 4).
    /// </summary>
    internal unsafe struct BochsDisplay
    {
        private const int DispiOffset = 0x500, VgaPortsOffset = 0x400;
        private const int IndexId = 0, IndexWidth = 1, IndexHeight = 2, IndexBitsPerPixel = 3, IndexEnable = 4,
            IndexVirtualWidth = 6, IndexVirtualHeight = 7, IndexXOffset = 8, IndexYOffset = 9, IndexVideoMemory64K = 10;
        private const ushort Enabled = 0x01, LinearFramebuffer = 0x40;
        /// <summary>The interface versions that have a linear framebuffer and 32 bits per pixel.</summary>
        private const ushort FirstVersion = 0xB0C2, LastVersion = 0xB0C5;
        private const int AttributeIndexPort = 0x3C0, InputStatusPort = 0x3DA;
        /// <summary>The attribute controller's "palette address source" bit: without it a VGA shows nothing.</summary>
        private const byte PaletteAddressSource = 0x20;

        private byte* _registers;
        private bool _vga;

        public ushort Version;
        public ulong VideoMemoryBytes;

        /// <summary>Checks the interface's version; 'vga' says the device has the VGA ports too (std-vga, not bochs-display).</summary>
        public Error Start(byte* registers, bool vga, ulong framebufferBarBytes)
        {
            _registers = registers;
            _vga = vga;
            Version = Read(IndexId);
            if (Version < FirstVersion || Version > LastVersion)
                return Error.NotSupported;
            VideoMemoryBytes = (ulong)Read(IndexVideoMemory64K) << 16;
            if (VideoMemoryBytes == 0 || VideoMemoryBytes > framebufferBarBytes)
                VideoMemoryBytes = framebufferBarBytes;
            return Error.None;
        }

        /// <summary>Sets 'width' x 'height' at 32 bits per pixel (Invalid: outside DisplayModes' limits; NoSpace: too big
        /// for the video memory).</summary>
        public Error SetMode(uint width, uint height)
        {
            if (!DisplayModes.IsSupported(width, height))
                return Error.Invalid;
            if (DisplayModes.FramebufferBytes(width, height) > VideoMemoryBytes)
                return Error.NoSpace;
            Write(IndexEnable, 0);
            Write(IndexBitsPerPixel, (ushort)DisplayModes.BitsPerPixel);
            Write(IndexWidth, (ushort)width);
            Write(IndexHeight, (ushort)height);
            Write(IndexVirtualWidth, (ushort)width);
            Write(IndexVirtualHeight, (ushort)height);
            Write(IndexXOffset, 0);
            Write(IndexYOffset, 0);
            Write(IndexEnable, Enabled | LinearFramebuffer);
            if (_vga)
            {
                // Reading the input status resets the attribute controller's index/data flip-flop to "index".
                Volatile.Read(ref _registers[VgaPortsOffset + InputStatusPort - AttributeIndexPort]);
                Volatile.Write(ref _registers[VgaPortsOffset], PaletteAddressSource);
            }
            return Read(IndexWidth) == width && Read(IndexHeight) == height ? Error.None : Error.NotSupported;
        }

        private ushort Read(int index) => Volatile.Read(ref *(ushort*)(_registers + DispiOffset + index * 2));

        private void Write(int index, ushort value) => Volatile.Write(ref *(ushort*)(_registers + DispiOffset + index * 2), value);
    }
}
