namespace Exo.Protocols.Audio
{
    /// <summary>
    /// The audio device's DMA memory, shared by the driver (which points the controller at it) and the audio service
    /// (which writes samples into the output ring and reads the positions): the buffer descriptor lists, the DMA position
    /// buffer, then the output ring and the capture ring. 48 kHz, 16-bit stereo both ways.
    /// </summary>
    public static class AudioDmaLayout
    {
        public const int SampleRate = 48000;
        public const int Channels = 2;
        public const int BytesPerFrame = 4;
        public const int OutputDescriptorListOffset = 0;
        public const int CaptureDescriptorListOffset = 0x400;
        /// <summary>The controller writes each stream's position here (8 bytes per stream, every stream of the controller).</summary>
        public const int PositionBufferOffset = 0x800;
        public const int OutputRingOffset = 0x1000;
        /// <summary>4096 frames: 85 ms at 48 kHz, in <see cref="Descriptors"/> pieces that each raise a completion interrupt.</summary>
        public const int OutputRingBytes = 16384;
        public const int CaptureRingOffset = OutputRingOffset + OutputRingBytes;
        public const int CaptureRingBytes = 16384;
        public const int Descriptors = 4;
        public const int TotalBytes = CaptureRingOffset + CaptureRingBytes;
    }
}
