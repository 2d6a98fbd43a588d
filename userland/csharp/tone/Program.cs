using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Protocols.Audio;

namespace Tone
{
    /// <summary>
    /// tone: plays a sine through the audio service. "tone FREQUENCY MILLISECONDS [RATE [FORMAT [CHANNELS [PERCENT]]]]"
    /// (RATE 48000 or 44100, FORMAT 1 16-bit or 2 float, CHANNELS 1 or 2, PERCENT of full scale, default 50);
    /// "tone sweep FROM TO MILLISECONDS" sweeps linearly (phase continuous). It writes as fast as the service takes the
    /// samples (the ring's back-pressure paces it), then waits for the stream to drain and prints what it played, how
    /// long it took, and the service's figures (underruns, latency).
    /// </summary>
    public static unsafe class Program
    {
        private const int ChunkFrames = 480;
        private const ulong ConnectNanoseconds = 20_000_000_000;

        public static int Main()
        {
            bool sweep = Process.ArgumentIs(1, "sweep");
            int first = sweep ? 2 : 1;
            ulong from, to = 0, milliseconds;
            if (!Process.TryParseArgument(first, out from) || (sweep && !Process.TryParseArgument(first + 1, out to))
                || !Process.TryParseArgument(sweep ? first + 2 : first + 1, out milliseconds))
            {
                Console.WriteLine("usage: tone FREQUENCY MILLISECONDS [RATE [FORMAT [CHANNELS [PERCENT]]]] | tone sweep FROM TO MILLISECONDS");
                return 1;
            }
            if (!sweep)
                to = from;
            int optional = sweep ? first + 3 : first + 2;
            ulong rate = 48000, format = AudioSampleFormat.Signed16, channels = 2, percent = 50;
            Process.TryParseArgument(optional, out rate);
            if (rate == 0) rate = 48000;
            if (!Process.TryParseArgument(optional + 1, out format)) format = AudioSampleFormat.Signed16;
            if (!Process.TryParseArgument(optional + 2, out channels)) channels = 2;
            if (!Process.TryParseArgument(optional + 3, out percent) || percent > 100) percent = 50;

            Error error = AudioStream.Connect(new NameService(new Endpoint(Process.StartupHandle(0))), ConnectNanoseconds, out Endpoint service);
            if (error != Error.None)
                return Fail("cannot find the audio service", error);
            error = AudioStream.Open(service, (uint)rate, (uint)channels, (uint)format, out AudioStream stream);
            if (error != Error.None)
                return Fail("the audio service refused the stream", error);
            ulong total = rate * milliseconds / 1000;
            byte* chunk = stackalloc byte[ChunkFrames * 8];
            double amplitude = (long)percent / 100.0, phase = 0, rateValue = (long)rate, fromValue = (long)from, toValue = (long)to, totalValue = (long)total;
            ulong start = MonotonicClock.Nanoseconds;
            for (ulong frame = 0; frame < total && error == Error.None;)
            {
                int frames = total - frame < ChunkFrames ? (int)(total - frame) : ChunkFrames;
                for (int i = 0; i < frames; i++)
                {
                    double value = amplitude * Sine.OfTurns(phase);
                    double frequency = fromValue + (toValue - fromValue) * (long)(frame + (ulong)i) / totalValue;
                    phase += frequency / rateValue;
                    phase -= (long)phase;
                    WriteSample(chunk, i, (int)channels, (uint)format, value);
                }
                error = stream.Write(chunk, frames * stream.FrameBytes);
                frame += (ulong)frames;
            }
            if (error == Error.None)
                error = stream.Finish();
            ulong elapsed = (MonotonicClock.Nanoseconds - start) / 1_000_000;
            uint starved = stream.Header->Starved;
            stream.Close();
            if (error != Error.None)
                return Fail("the stream ended", error);
            AudioStream.Statistics(service, false, out AudioStatistics statistics);
            Console.Write("tone: played ");
            Console.Write(total);
            Console.Write(" frames in ");
            Console.Write(elapsed);
            Console.Write(" ms, starved ");
            Console.Write(starved);
            Console.Write(" periods; service: ");
            statistics.Write();
            Console.WriteLine();
            return 0;
        }

        private static void WriteSample(byte* chunk, int frame, int channels, uint format, double value)
        {
            for (int c = 0; c < channels; c++)
            {
                if (format == AudioSampleFormat.Float32)
                    ((float*)chunk)[frame * channels + c] = (float)value;
                else
                {
                    double scaled = value * 32767;
                    ((short*)chunk)[frame * channels + c] = (short)(scaled >= 0 ? (int)(scaled + 0.5) : -(int)(-scaled + 0.5));
                }
            }
        }

        private static int Fail(string what, Error error)
        {
            Console.Write("tone: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
