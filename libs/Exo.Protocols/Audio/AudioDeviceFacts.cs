using System.Runtime.InteropServices;

namespace Exo.Protocols.Audio
{
    /// <summary>
    /// The first page of an audio-device channel (driver to service): what the driver set the output stream up as,
    /// written before <see cref="Magic"/>. The service mixes straight into the stream's DMA ring (AudioDmaLayout) and reads
    /// the device's DMA position there: no copy between them. The device manager sets <see cref="DriverGone"/> when the
    /// driver ended. Naturally aligned words, read and written whole (Volatile).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct AudioDeviceFacts
    {
        public const uint ExpectedMagic = 0x64754145;   // "EAud"

        [FieldOffset(0)] public uint Magic;
        /// <summary>Set to 1 by the device manager when the driver ended: the DMA position will not move again.</summary>
        [FieldOffset(4)] public uint DriverGone;
        [FieldOffset(8)] public uint SampleRate;
        [FieldOffset(12)] public uint Channels;
        [FieldOffset(16)] public uint BitsPerSample;
        /// <summary>Bytes of the output ring at AudioDmaLayout.OutputRingOffset (a multiple of the frame size).</summary>
        [FieldOffset(20)] public uint OutputRingBytes;
        /// <summary>1 when the codec has an input (hda-duplex): the capture ring at AudioDmaLayout.CaptureRingOffset runs.</summary>
        [FieldOffset(24)] public uint CaptureRunning;
        [FieldOffset(28)] public uint CodecAddress;
        /// <summary>The DAC and output pin the widget walk chose (node ids).</summary>
        [FieldOffset(32)] public uint Converter;
        [FieldOffset(36)] public uint Pin;
        /// <summary>Offsets in the DMA memory of the output's and capture's position words (the device writes them).</summary>
        [FieldOffset(40)] public uint OutputPositionOffset;
        [FieldOffset(44)] public uint CapturePositionOffset;
        /// <summary>Interrupts the driver took (buffer completions), a liveness count.</summary>
        [FieldOffset(64)] public ulong Interrupts;
    }
}
