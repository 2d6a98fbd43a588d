using System.Runtime.InteropServices;

namespace Exo.Protocols.Audio
{
    /// <summary>
    /// The header of one client stream's shared memory (AudioStreamLayout): a single-producer ring of sample bytes. The
    /// client writes samples at <see cref="WriteIndex"/> and publishes it; the audio service consumes them each 1 ms
    /// period and publishes <see cref="ReadIndex"/>. Indices count bytes from 0 and never wrap (the ring offset is the
    /// index modulo RingBytes). Each side's words sit on their own cache line.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = AudioStreamLayout.HeaderBytes)]
    public struct AudioStreamHeader
    {
        public const uint ExpectedMagic = 0x6D745341;   // "AStm"

        // Set by the service when it opens the stream.
        [FieldOffset(0)] public uint Magic;
        [FieldOffset(4)] public uint SampleRate;
        [FieldOffset(8)] public uint Channels;
        [FieldOffset(12)] public uint Format;   // AudioSampleFormat
        [FieldOffset(16)] public uint RingBytes;

        // The client's line.
        [FieldOffset(64)] public ulong WriteIndex;
        /// <summary>MonotonicClock nanoseconds of the client's last publish (the service's latency probe).</summary>
        [FieldOffset(72)] public ulong WriteNanoseconds;
        /// <summary>Per-client volume, 0..AudioStreamLayout.UnityVolume (4096 = as written).</summary>
        [FieldOffset(80)] public uint Volume;
        /// <summary>1 once the client has written its last sample: the service drains the ring and closes the stream.</summary>
        [FieldOffset(84)] public uint Finished;

        // The service's line.
        [FieldOffset(128)] public ulong ReadIndex;
        /// <summary>AudioStreamState: Open, Drained, or Failed (the service lost its device or is ending).</summary>
        [FieldOffset(136)] public uint State;
        /// <summary>Periods in which the stream had fewer samples than the period needed (padded with silence).</summary>
        [FieldOffset(140)] public uint Starved;
    }

    public static class AudioSampleFormat
    {
        public const uint Signed16 = 1, Float32 = 2;

        public static int BytesPerSample(uint format) => format == Signed16 ? 2 : format == Float32 ? 4 : 0;
    }

    public static class AudioStreamState
    {
        public const uint Open = 1, Drained = 2, Failed = 3;
    }

    /// <summary>A client stream's shared memory: the header, then the ring.</summary>
    public static class AudioStreamLayout
    {
        public const int HeaderBytes = 256;
        /// <summary>32 KiB: 170 ms of 48 kHz 16-bit stereo, 85 ms of float stereo.</summary>
        public const int RingBytes = 32768;
        public const int TotalBytes = HeaderBytes + RingBytes;
        public const uint UnityVolume = 4096;
    }

    /// <summary>
    /// Calls on the audio service's endpoint (name "audio"): Word0 the operation. Open: Word1 the rate (48000 or 44100),
    /// Word2 the channels (1, 2), Word3 the AudioSampleFormat, the message's handle a notification the service signals
    /// (bit 1) when it consumed samples; the reply's Word0 is 0 or an Error, its handle the stream's memory object.
    /// SetMasterVolume: Word1 0..2*UnityVolume. GetMasterVolume: the reply's Word1. Statistics (Word1 1: reset after): the
    /// reply's Word1 underruns, Word2 latency p50 | p99 << 32, Word3 wake-up lateness p99 | maximum << 32 (microseconds).
    /// </summary>
    public static class AudioServiceOperation
    {
        public const string ServiceName = "audio";
        public const ulong Open = 1, SetMasterVolume = 2, GetMasterVolume = 3, Statistics = 4;
        public const ulong ConsumedBit = 2;
    }
}
