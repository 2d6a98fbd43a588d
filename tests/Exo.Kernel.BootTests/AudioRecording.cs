namespace Exo.Kernel.BootTests;

/// <summary>
/// What the audio boot tests read in QEMU's wav recording (48 kHz 16-bit stereo, a 44-byte header): the channels, the
/// segments louder than silence, and a tone's level, frequency and phase from block to block (10 ms blocks, ten cycles of
/// 1 kHz: a dropped or repeated sample turns the phase by 2 pi / 48).
/// </summary>
internal static class AudioRecording
{
    public const int Rate = 48000;
    public const int Block = 480;
    public const double HalfScale = 16383;

    public static short[] Channel(byte[] file, int channel)
    {
        const int header = 44;
        int frames = (file.Length - header) / 4;
        var samples = new short[frames];
        for (int i = 0; i < frames; i++)
            samples[i] = BitConverter.ToInt16(file, header + 4 * i + 2 * channel);
        return samples;
    }

    // Runs of 10 ms blocks louder than an RMS of 100 (half scale is 11,585), as sample ranges.
    public static List<(int Start, int End)> Segments(short[] samples)
    {
        var segments = new List<(int, int)>();
        int start = -1;
        for (int block = 0; block + 1 <= samples.Length / Block; block++)
        {
            double sum = 0;
            for (int i = block * Block; i < (block + 1) * Block; i++)
                sum += (double)samples[i] * samples[i];
            bool loud = Math.Sqrt(sum / Block) > 100;
            if (loud && start < 0)
                start = block * Block;
            else if (!loud && start >= 0)
            {
                segments.Add((start, block * Block));
                start = -1;
            }
        }
        if (start >= 0)
            segments.Add((start, samples.Length / Block * Block));
        return segments;
    }

    public static void ExpectLength((int Start, int End) segment, double seconds, string what)
    {
        double length = (segment.End - segment.Start) / (double)Rate;
        Assert.True(Math.Abs(length - seconds) <= 0.03, $"{what}: {length:F3} s, expected {seconds} s");
    }

    // A 1 kHz half-scale sine on both channels: its length, its level in every inner block (from 'settleBlocks' in), and its
    // phase from block to block (constant when no sample is dropped or repeated).
    public static void CheckSteadyTone(short[] left, short[] right, (int Start, int End) segment, double seconds, string what, int settleBlocks = 1)
    {
        ExpectLength(segment, seconds, what);
        string? problem = SteadyToneProblem(left, right, segment, settleBlocks);
        Assert.True(problem == null, $"{what}: {problem}");
    }

    public static string? SteadyToneProblem(short[] left, short[] right, (int Start, int End) segment, int settleBlocks)
    {
        for (int block = segment.Start + settleBlocks * Block; block + 2 * Block <= segment.End; block += Block)
        {
            double amplitude = Amplitude(left, block, Block, 1000);
            if (Math.Abs(amplitude - HalfScale) >= HalfScale * 0.01)
                return $"amplitude {amplitude:F0} at {block / (double)Rate:F3} s";
            if (left[block] != right[block])
                return $"the channels differ at {block / (double)Rate:F3} s";
        }
        int jumps = PhaseJumps(left, (segment.Start + (settleBlocks - 1) * Block, segment.End));
        return jumps == 0 ? null : $"{jumps} blocks where the phase jumped (a dropped or repeated sample)";
    }

    public static int PhaseJumps(short[] samples, (int Start, int End) segment)
    {
        int jumps = 0;
        double previous = double.NaN;
        for (int block = segment.Start + Block; block + 2 * Block <= segment.End; block += Block)
        {
            double phase = Phase(samples, block, Block, 1000);
            if (!double.IsNaN(previous))
            {
                double change = Math.IEEERemainder(phase - previous, 2 * Math.PI);
                if (Math.Abs(change) > 0.05)   // one sample is 0.13 rad
                    jumps++;
            }
            previous = phase;
        }
        return jumps;
    }

    public static double PeakFrequency(short[] samples, int start, int length, double from, double to)
    {
        double best = from, bestAmplitude = -1;
        for (double f = from; f <= to; f += 2)
        {
            double amplitude = Amplitude(samples, start, length, f);
            if (amplitude > bestAmplitude)
            {
                bestAmplitude = amplitude;
                best = f;
            }
        }
        return best;
    }

    public static double Amplitude(short[] samples, int start, int length, double frequency)
    {
        Demodulate(samples, start, length, frequency, out double re, out double im);
        return 2 * Math.Sqrt(re * re + im * im) / length;
    }

    public static double Phase(short[] samples, int start, int length, double frequency)
    {
        Demodulate(samples, start, length, frequency, out double re, out double im);
        return Math.Atan2(im, re);
    }

    // Phases relative to the recording's start, so a steady tone's phase is the same in every block.
    public static void Demodulate(short[] samples, int start, int length, double frequency, out double re, out double im)
    {
        re = im = 0;
        for (int i = start; i < start + length; i++)
        {
            double phase = 2 * Math.PI * frequency * i / Rate;
            re += samples[i] * Math.Cos(phase);
            im += samples[i] * Math.Sin(phase);
        }
    }
}
