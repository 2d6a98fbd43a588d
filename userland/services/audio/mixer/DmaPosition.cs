namespace Exo.Audio.Mixing
{
    /// <summary>
    /// The device's play position as a frame count that never wraps, from the DMA position (a byte offset in the cyclic
    /// buffer) read at least once per trip round it: each read adds the distance from the last one, modulo the buffer.
    /// </summary>
    public struct DmaPosition
    {
        public uint RingBytes;
        public uint FrameBytes;
        public uint LastOffset;
        public ulong Frames;

        public DmaPosition(uint ringBytes, uint frameBytes, uint offset)
        {
            RingBytes = ringBytes;
            FrameBytes = frameBytes;
            LastOffset = offset % ringBytes;
            Frames = LastOffset / frameBytes;
            LastOffset -= LastOffset % frameBytes;
        }

        /// <summary>Advances by a new reading of the DMA position; returns the frames played since the last.</summary>
        public uint Update(uint offset)
        {
            offset %= RingBytes;
            uint moved = (offset + RingBytes - LastOffset) % RingBytes;
            LastOffset = offset;
            Frames += moved / FrameBytes;
            // A reading inside a frame (the device moves in bytes) leaves the remainder for the next one.
            LastOffset -= moved % FrameBytes;
            return moved / FrameBytes;
        }
    }
}
