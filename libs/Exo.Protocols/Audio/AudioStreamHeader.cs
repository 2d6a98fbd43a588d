using System.Runtime.InteropServices;

namespace Exo.Protocols.Audio
{
    /// <summary>
    /// The header of one client stream's shared memory (AudioStreamLayout): a single-producer ring of sample bytes. A
    /// playback stream: the client writes samples at <see cref="WriteIndex"/> and publishes it; the audio service consumes
    /// them each 1 ms period and publishes <see cref="ReadIndex"/>. A capture stream (<see cref="Direction"/> Capture) runs
    /// the other way: the service writes captured samples at <see cref="CaptureWriteIndex"/> every period, whatever the
    /// client has read, publishing the index after every AudioStreamLayout.CaptureChunkBytes at most. A client holds
    /// CaptureCapacityBytes (the ring less one chunk, which the service may be writing): what it has not read past that
    /// is lost, oldest first, and the service counts it in <see cref="OverrunFrames"/> (it never waits for a client). The
    /// client takes samples from <see cref="CaptureReadIndex"/> and, after copying, checks that the service has not
    /// written over what it copied (the copy is good only from CaptureWriteIndex - CaptureCapacityBytes on). Indices count bytes from 0 and never wrap (the ring
    /// offset is the index modulo RingBytes). Each side's words sit on their own cache line.
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
        /// <summary>AudioStreamDirection (a channel's client writes it with its request; Open and OpenCapture set it).</summary>
        [FieldOffset(20)] public uint Direction;

        // The client's line.
        [FieldOffset(64)] public ulong WriteIndex;
        /// <summary>MonotonicClock nanoseconds of the client's last publish (the service's latency probe).</summary>
        [FieldOffset(72)] public ulong WriteNanoseconds;
        /// <summary>Per-client volume, 0..AudioStreamLayout.UnityVolume (4096 = as written).</summary>
        [FieldOffset(80)] public uint Volume;
        /// <summary>1 once the client has written its last sample: the service drains the ring and closes the stream.</summary>
        [FieldOffset(84)] public uint Finished;
        /// <summary>Capture: the bytes the client has taken from the ring.</summary>
        [FieldOffset(88)] public ulong CaptureReadIndex;

        // The service's line.
        [FieldOffset(128)] public ulong ReadIndex;
        /// <summary>AudioStreamState: Open, Drained, or Failed (the service lost its device or is ending).</summary>
        [FieldOffset(136)] public uint State;
        /// <summary>Periods in which the stream had fewer samples than the period needed (padded with silence).</summary>
        [FieldOffset(140)] public uint Starved;
        /// <summary>Capture: the bytes the service has written into the ring (whole frames).</summary>
        [FieldOffset(144)] public ulong CaptureWriteIndex;
        /// <summary>Capture: frames written over before the client read them (its ring was full).</summary>
        [FieldOffset(152)] public ulong OverrunFrames;
    }

    public static class AudioStreamDirection
    {
        public const uint Playback = 0, Capture = 1;
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
        /// <summary>Capture: the most bytes the service writes into a client's ring before publishing its write index.</summary>
        public const int CaptureChunkBytes = 4096;
        /// <summary>Capture: what a client's ring holds for it (the ring less the chunk the service may be writing).</summary>
        public const int CaptureCapacityBytes = RingBytes - CaptureChunkBytes;
        /// <summary>The one rate a capture stream offers: the ADC's, taken without resampling.</summary>
        public const uint CaptureRate = 48000;

        /// <summary>Whether a capture stream can be made with these values (OpenCapture's and a channel's check).</summary>
        public static bool IsCaptureFormat(uint rate, uint channels, uint format)
            => rate == CaptureRate && (channels == 1 || channels == 2) && format == AudioSampleFormat.Signed16;
    }

    /// <summary>
    /// Calls on the audio service's endpoint (name "audio"): Word0 the operation. Open: Word1 the rate (48000 or 44100),
    /// Word2 the channels (1, 2), Word3 the AudioSampleFormat, the message's handle a notification the service signals
    /// (bit 1) when it consumed samples; the reply's Word0 is 0 or an Error, its handle the stream's memory object.
    /// SetMasterVolume: Word1 0..2*UnityVolume. GetMasterVolume: the reply's Word1. Statistics (Word1 1: reset after): the
    /// reply's Word1 underruns, Word2 latency p50 | p99 << 32, Word3 wake-up lateness p99 | maximum << 32 (microseconds).
    /// OpenCapture: as Open, for a capture stream (Direction Capture): 48000 Hz only (the codec's ADC rate), 1 or 2
    /// channels (mono is the mean of the ADC's two), Signed16 only; the service signals the notification (ConsumedBit)
    /// when it wrote captured samples. Its client ends it by setting Finished (the service answers Drained).
    /// </summary>
    public static class AudioServiceOperation
    {
        public const string ServiceName = "audio";
        public const ulong Open = 1, SetMasterVolume = 2, GetMasterVolume = 3, Statistics = 4, OpenCapture = 5;
        public const ulong ConsumedBit = 2;
    }
}
