namespace Exo.Audio.Mixing
{
    /// <summary>The mix's last step: master volume, clamping to 16 bits with rounding, into the device's ring.</summary>
    public static unsafe class OutputMix
    {
        public static void Clear(float* mix, int frames)
        {
            for (int i = 0; i < 2 * frames; i++)
                mix[i] = 0;
        }

        /// <summary>Writes 'frames' stereo frames of 'mix' times master/UnityVolume as 16-bit samples to 'output'.</summary>
        public static void Finish(float* mix, int frames, uint master, short* output)
        {
            float gain = master / (float)StreamSource.UnityVolume;
            for (int i = 0; i < 2 * frames; i++)
            {
                float value = mix[i] * gain;
                value = value > 32767.0f ? 32767.0f : value < -32768.0f ? -32768.0f : value;
                output[i] = (short)(value >= 0 ? (int)(value + 0.5f) : -(int)(-value + 0.5f));
            }
        }
    }
}
