using System;
using System.Runtime.InteropServices;
using Exo.Audio.Mixing;
using Xunit;

namespace Exo.Audio.HostTests
{
    public unsafe class MixerTests
    {
        private const uint RingBytes = 32768;

        // A stream over a fresh ring filled by 'write' (which returns the bytes written).
        private sealed class Ring : IDisposable
        {
            public readonly byte* Memory = (byte*)NativeMemory.AllocZeroed(RingBytes);
            public ulong WriteIndex;
            public void Dispose() => NativeMemory.Free(Memory);

            public void WriteShort(short value) { *(short*)(Memory + (WriteIndex & (RingBytes - 1))) = value; WriteIndex += 2; }
            public void WriteFloat(float value) { *(float*)(Memory + (WriteIndex & (RingBytes - 1))) = value; WriteIndex += 4; }
        }

        private static StreamSource Source(Ring ring, uint format, int channels, uint rate)
        {
            Assert.True(StreamSource.TryCreate(ring.Memory, RingBytes, format, channels, rate, out StreamSource source));
            return source;
        }

        [Fact]
        public void SixteenBitStereoAt48kPassesThroughExactly()
        {
            using var ring = new Ring();
            for (int i = 0; i < 200; i++) { ring.WriteShort((short)(i * 100 - 9000)); ring.WriteShort((short)(-i * 7)); }
            StreamSource source = Source(ring, 1, 2, 48000);
            float* mix = stackalloc float[2 * 48];
            short* output = stackalloc short[2 * 48];
            for (int period = 0; period < 4; period++)
            {
                OutputMix.Clear(mix, 48);
                Assert.Equal(48, source.MixInto(mix, 48, ring.WriteIndex));
                OutputMix.Finish(mix, 48, StreamSource.UnityVolume, output);
                for (int i = 0; i < 48; i++)
                {
                    int frame = period * 48 + i;
                    Assert.Equal((short)(frame * 100 - 9000), output[2 * i]);
                    Assert.Equal((short)(-frame * 7), output[2 * i + 1]);
                }
            }
        }

        [Fact]
        public void TwoStreamsAddAndVolumesScale()
        {
            using var first = new Ring();
            using var second = new Ring();
            for (int i = 0; i < 100; i++) { first.WriteShort(1000); first.WriteShort(-1000); second.WriteShort(300); }
            StreamSource a = Source(first, 1, 2, 48000), b = Source(second, 1, 1, 48000);
            a.Volume = StreamSource.UnityVolume / 2;
            float* mix = stackalloc float[2 * 48];
            short* output = stackalloc short[2 * 48];
            OutputMix.Clear(mix, 48);
            a.MixInto(mix, 48, first.WriteIndex);
            b.MixInto(mix, 48, second.WriteIndex);
            OutputMix.Finish(mix, 48, StreamSource.UnityVolume * 2, output);   // master doubles
            Assert.Equal(2 * (500 + 300), output[0]);
            Assert.Equal(2 * (-500 + 300), output[1]);
        }

        [Fact]
        public void SumsClampAtSixteenBits()
        {
            using var first = new Ring();
            using var second = new Ring();
            for (int i = 0; i < 10; i++) { first.WriteShort(30000); second.WriteShort(-30000); }
            for (int i = 0; i < 10; i++) { first.WriteShort(30000); second.WriteShort(-30000); }
            StreamSource a = Source(first, 1, 1, 48000), b = Source(second, 1, 1, 48000);
            float* mix = stackalloc float[2 * 4];
            short* output = stackalloc short[2 * 4];
            OutputMix.Clear(mix, 4);
            a.MixInto(mix, 4, first.WriteIndex);
            a.Volume = StreamSource.UnityVolume;
            OutputMix.Finish(mix, 4, StreamSource.UnityVolume * 2, output);
            Assert.Equal(short.MaxValue, output[0]);
            OutputMix.Clear(mix, 4);
            b.MixInto(mix, 4, second.WriteIndex);
            OutputMix.Finish(mix, 4, StreamSource.UnityVolume * 2, output);
            Assert.Equal(short.MinValue, output[0]);
        }

        [Fact]
        public void FloatSamplesScaleToSixteenBitsAndNanIsSilence()
        {
            using var ring = new Ring();
            ring.WriteFloat(0.5f); ring.WriteFloat(float.NaN);
            ring.WriteFloat(-1.0f); ring.WriteFloat(float.PositiveInfinity);
            ring.WriteFloat(0); ring.WriteFloat(0);
            StreamSource source = Source(ring, 2, 2, 48000);
            float* mix = stackalloc float[2 * 2];
            short* output = stackalloc short[2 * 2];
            OutputMix.Clear(mix, 2);
            Assert.Equal(2, source.MixInto(mix, 2, ring.WriteIndex));
            OutputMix.Finish(mix, 2, StreamSource.UnityVolume, output);
            Assert.Equal(16384, output[0]);
            Assert.Equal(0, output[1]);
            Assert.Equal(-32767, output[2]);
            Assert.Equal(32767, output[3]);
        }

        [Fact]
        public void AStarvedStreamMakesOnlyTheFramesItHasAndResumes()
        {
            using var ring = new Ring();
            for (int i = 0; i < 30; i++) { ring.WriteShort((short)i); ring.WriteShort((short)i); }
            StreamSource source = Source(ring, 1, 2, 48000);
            float* mix = stackalloc float[2 * 48];
            OutputMix.Clear(mix, 48);
            int made = source.MixInto(mix, 48, ring.WriteIndex);
            Assert.Equal(29, made);   // the last frame written waits for its successor (the interpolation's right side)
            OutputMix.Clear(mix, 48);
            Assert.Equal(0, source.MixInto(mix, 48, ring.WriteIndex));
            for (int i = 30; i < 100; i++) { ring.WriteShort((short)i); ring.WriteShort((short)i); }
            OutputMix.Clear(mix, 48);
            Assert.Equal(48, source.MixInto(mix, 48, ring.WriteIndex));
            Assert.Equal(29, mix[0]);   // no frame dropped or repeated across the gap
            Assert.Equal(76, mix[2 * 47]);
        }

        [Fact]
        public void BadFormatsAreRefused()
        {
            using var ring = new Ring();
            Assert.False(StreamSource.TryCreate(ring.Memory, RingBytes, 3, 2, 48000, out _));
            Assert.False(StreamSource.TryCreate(ring.Memory, RingBytes, 1, 3, 48000, out _));
            Assert.False(StreamSource.TryCreate(ring.Memory, RingBytes, 1, 2, 22050, out _));
            Assert.False(StreamSource.TryCreate(ring.Memory, 1000, 1, 2, 48000, out _));
        }

        [Fact]
        public void A44kSineKeepsItsFrequencyAt48kAndConsumesInputAtItsRate()
        {
            using var ring = new Ring();
            const int outputFrames = 4800;
            StreamSource source = Source(ring, 1, 1, 44100);
            float* mix = stackalloc float[2 * 48];
            var left = new double[outputFrames];
            int produced = 0, written = 0;
            while (produced < outputFrames)
            {
                while (ring.WriteIndex - source.ReadIndex < RingBytes - 2)
                {
                    ring.WriteShort((short)Math.Round(10000 * Math.Sin(2 * Math.PI * 1000 * written / 44100.0)));
                    written++;
                }
                OutputMix.Clear(mix, 48);
                int made = source.MixInto(mix, 48, ring.WriteIndex);
                Assert.Equal(48, made);
                for (int i = 0; i < made && produced < outputFrames; i++)
                    left[produced++] = mix[2 * i];
            }
            // Input consumed: 4800 output frames at 44100/48000 input frames each (2 primed ahead).
            ulong consumed = source.ReadIndex / 2;
            Assert.InRange((double)consumed, 4410 - 2, 4410 + 3);
            // The output is a 1 kHz sine at 48 kHz: compare against the best-fitting one.
            double best = Spectrum.Frequency(left, 48000);
            Assert.InRange(best, 999.0, 1001.0);
            Assert.True(Spectrum.ResidualRatio(left, 48000, 1000) < 0.01, "linear interpolation keeps the sine within 1%");
        }

        [Fact]
        public void DmaPositionCountsFramesAcrossWraps()
        {
            var position = new DmaPosition(16384, 4, 0);
            Assert.Equal(1000u, position.Update(4000));
            Assert.Equal(3096u + 100u, position.Update(400 - 0 + 12384 - 12384 + 400 - 400));  // 4000 -> 400: wrapped
            Assert.Equal(4196UL, position.Frames);
            Assert.Equal(0u, position.Update(402));   // inside a frame: kept for the next reading
            Assert.Equal(1u, position.Update(404));
        }

        [Fact]
        public void DmaPositionStartsAtTheRingFrameTheDeviceIsOn()
        {
            // A service started while the device runs (after a restart) must write where the device reads: the count
            // modulo the ring is the ring frame.
            var position = new DmaPosition(16384, 4, 9002);
            Assert.Equal(2250UL, position.Frames);
            Assert.Equal(10u, position.Update(9042));
            Assert.Equal(2260UL % 4096, position.Frames % 4096);
            Assert.Equal(4096u - 2260u + 5u, position.Update(20));   // wrapped to frame 5
            Assert.Equal(5UL, position.Frames % 4096);
        }

        [Fact]
        public void HistogramPercentilesAreBucketEdges()
        {
            var histogram = new LatencyHistogram();
            Assert.Equal(0UL, histogram.Percentile(50));
            for (int i = 0; i < 99; i++)
                histogram.Add(1000);
            histogram.Add(50_000);
            Assert.Equal(1024UL, histogram.Percentile(50));
            Assert.Equal(1024UL, histogram.Percentile(99));
            Assert.Equal(50_048UL, histogram.Percentile(100));
            histogram.Add(10_000_000);   // past the last bucket
            Assert.Equal(10_000_000UL, histogram.Maximum);
        }
    }

    /// <summary>Frequency and fit of a sampled sine by least squares, for the tests.</summary>
    internal static class Spectrum
    {
        public static double Frequency(double[] samples, int rate)
        {
            double best = 0, bestPower = -1;
            for (double f = 900; f <= 1100; f += 0.25)
            {
                double power = Power(samples, rate, f);
                if (power > bestPower) { bestPower = power; best = f; }
            }
            return best;
        }

        private static double Power(double[] samples, int rate, double frequency)
        {
            double re = 0, im = 0;
            for (int i = 0; i < samples.Length; i++)
            {
                double phase = 2 * Math.PI * frequency * i / rate;
                re += samples[i] * Math.Cos(phase);
                im += samples[i] * Math.Sin(phase);
            }
            return re * re + im * im;
        }

        /// <summary>RMS of what is left after subtracting the best sine of 'frequency', over the signal's RMS.</summary>
        public static double ResidualRatio(double[] samples, int rate, double frequency)
        {
            double re = 0, im = 0, energy = 0;
            for (int i = 0; i < samples.Length; i++)
            {
                double phase = 2 * Math.PI * frequency * i / rate;
                re += samples[i] * Math.Cos(phase);
                im += samples[i] * Math.Sin(phase);
                energy += samples[i] * samples[i];
            }
            double a = 2 * re / samples.Length, b = 2 * im / samples.Length, residual = 0;
            for (int i = 0; i < samples.Length; i++)
            {
                double phase = 2 * Math.PI * frequency * i / rate;
                double e = samples[i] - (a * Math.Cos(phase) + b * Math.Sin(phase));
                residual += e * e;
            }
            return Math.Sqrt(residual / energy);
        }
    }
}
