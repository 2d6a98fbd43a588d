namespace Exo.Audio.Mixing
{
    /// <summary>
    /// One client stream as the mixer reads it: a ring of interleaved samples (16-bit signed or 32-bit float, mono or
    /// stereo) at the client's rate, and the resampler's state. The resampler interpolates linearly between the two input
    /// frames around each output frame's position, which advances by Rate/48000 input frames (32.32 fixed point) per
    /// output frame; at 48 kHz that is exactly one, and the output is the input one frame later.
    /// </summary>
    public unsafe struct StreamSource
    {
        public const uint OutputRate = 48000;
        public const uint UnityVolume = 4096;

        public byte* Ring;
        /// <summary>A power of two, a multiple of every frame size.</summary>
        public uint RingBytes;
        public uint Format;   // AudioSampleFormat values: 1 signed 16-bit, 2 float
        public int Channels;
        public uint Rate;
        public uint Volume;
        /// <summary>The byte index of the next input frame to read (the client's ring counts bytes, never wrapping).</summary>
        public ulong ReadIndex;
        // The resampler: the frames either side of the output position, and the position's fraction (of 2^32).
        public float CurrentLeft, CurrentRight, NextLeft, NextRight;
        public ulong Fraction;
        public ulong Step;
        public bool Primed;

        public int FrameBytes => Channels * (Format == 1 ? 2 : 4);

        /// <summary>A stream ready to read from 'ring' at index 0; false for a format the mixer does not take.</summary>
        public static bool TryCreate(byte* ring, uint ringBytes, uint format, int channels, uint rate, out StreamSource source)
        {
            source = default;
            if ((format != 1 && format != 2) || (channels != 1 && channels != 2) || (rate != 48000 && rate != 44100)
                || ringBytes == 0 || (ringBytes & (ringBytes - 1)) != 0 || ringBytes < 64)
                return false;
            source.Ring = ring;
            source.RingBytes = ringBytes;
            source.Format = format;
            source.Channels = channels;
            source.Rate = rate;
            source.Volume = UnityVolume;
            source.Step = ((ulong)rate << 32) / OutputRate;
            return true;
        }

        /// <summary>
        /// Adds up to 'frames' output frames of this stream into 'mix' (interleaved stereo, 16-bit units) from the input
        /// between ReadIndex and 'writeIndex', scaled by Volume; returns the frames it could make (fewer when the client has
        /// not written enough: the rest of the period stays as it was, silence from this stream).
        /// </summary>
        public int MixInto(float* mix, int frames, ulong writeIndex)
        {
            int frameBytes = FrameBytes;
            ulong available = (writeIndex - ReadIndex) / (ulong)frameBytes;
            if (!Primed)
            {
                if (available < 2)
                    return 0;
                ReadFrame(out CurrentLeft, out CurrentRight);
                ReadFrame(out NextLeft, out NextRight);
                available -= 2;
                Primed = true;
            }
            // A position left past the frames read (the client ran dry mid-period) catches up first.
            CatchUp(ref available);
            if (Fraction >> 32 != 0)
                return 0;
            float gain = Volume / (float)UnityVolume;
            int made = 0;
            while (made < frames)
            {
                float t = (uint)Fraction * (1.0f / 4294967296.0f);
                mix[2 * made] += (CurrentLeft + (NextLeft - CurrentLeft) * t) * gain;
                mix[2 * made + 1] += (CurrentRight + (NextRight - CurrentRight) * t) * gain;
                made++;
                Fraction += Step;
                CatchUp(ref available);
                if (Fraction >> 32 != 0)
                    break;   // the client has not written the next frame yet
            }
            return made;
        }

        private void CatchUp(ref ulong available)
        {
            while (Fraction >> 32 != 0 && available > 0)
            {
                CurrentLeft = NextLeft;
                CurrentRight = NextRight;
                ReadFrame(out NextLeft, out NextRight);
                available--;
                Fraction -= 1UL << 32;
            }
        }

        private void ReadFrame(out float left, out float right)
        {
            byte* frame = Ring + (ReadIndex & (RingBytes - 1));
            if (Format == 1)
            {
                left = ((short*)frame)[0];
                right = Channels == 2 ? ((short*)frame)[1] : left;
            }
            else
            {
                left = FloatSample(((float*)frame)[0]);
                right = Channels == 2 ? FloatSample(((float*)frame)[1]) : left;
            }
            ReadIndex += (ulong)FrameBytes;
        }

        // A float sample (nominally -1..1) in 16-bit units, clamped (infinities too); NaN compares false both ways: silence.
        private static float FloatSample(float value)
        {
            if (value >= 1.0f)
                return 32767.0f;
            if (value <= -1.0f)
                return -32767.0f;
            return value > -1.0f ? value * 32767.0f : 0;
        }
    }
}
