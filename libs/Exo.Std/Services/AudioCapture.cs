using System.Threading;
using Exo.Abi;
using Exo.Protocols.Audio;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;

namespace Exo.Std.Services
{
    /// <summary>
    /// A native program's capture stream from the audio service (AudioServiceOperation.OpenCapture): 48 kHz 16-bit, mono or
    /// stereo, from the codec's input. The service writes captured samples into a ring in memory shared with it every
    /// millisecond whether or not the program reads: one that falls the ring's capacity (CaptureCapacityBytes: 149 ms of
    /// stereo, 298 ms of mono) behind loses the oldest samples, counted in <see cref="OverrunFrames"/>. Read blocks until it has what was asked for; PeerGone when the
    /// service ended the stream (its driver went) or captured nothing for <see cref="StallNanoseconds"/> (it died).
    /// </summary>
    public unsafe struct AudioCapture
    {
        public const ulong StallNanoseconds = 1_000_000_000;
        private const ulong WaitSliceNanoseconds = 50_000_000;

        private MemoryObject _memory;
        private Notification _captured;
        private AudioStreamHeader* _header;
        private byte* _ring;
        private int _frameBytes;

        public int FrameBytes => _frameBytes;

        /// <summary>Opens a capture stream: 'channels' 1 or 2 (mono is the mean of the input's two); 48 kHz, Signed16.</summary>
        public static Error Open(Endpoint service, uint channels, out AudioCapture capture)
        {
            capture = default;
            Error error = AudioStream.Request(service, AudioServiceOperation.OpenCapture, AudioStreamLayout.CaptureRate, channels,
                AudioSampleFormat.Signed16, out capture._memory, out capture._captured, out byte* shared);
            if (error != Error.None)
                return error;
            capture._header = (AudioStreamHeader*)shared;
            capture._ring = shared + AudioStreamLayout.HeaderBytes;
            capture._frameBytes = (int)channels * sizeof(short);
            return Error.None;
        }

        /// <summary>Captured bytes waiting to be read (at most the ring).</summary>
        public int Available
        {
            get
            {
                ulong ready = Volatile.Read(ref _header->CaptureWriteIndex) - _header->CaptureReadIndex;
                return (int)(ready < AudioStreamLayout.CaptureCapacityBytes ? ready : AudioStreamLayout.CaptureCapacityBytes);
            }
        }

        /// <summary>Frames the service wrote over before this program read them.</summary>
        public ulong OverrunFrames => Volatile.Read(ref _header->OverrunFrames);

        /// <summary>
        /// Copies 'length' captured bytes (whole frames) into 'samples', waiting for them. PeerGone when the service ended
        /// the stream or stopped capturing; Invalid for a length not in whole frames.
        /// </summary>
        public Error Read(byte* samples, int length)
        {
            if (length < 0 || length % _frameBytes != 0)
                return Error.Invalid;
            int done = 0;
            ulong lastWritten = Volatile.Read(ref _header->CaptureWriteIndex), lastMoved = MonotonicClock.Nanoseconds;
            while (done < length)
            {
                if (Volatile.Read(ref _header->State) != AudioStreamState.Open)
                    return Error.PeerGone;
                ulong read = _header->CaptureReadIndex, written = Volatile.Read(ref _header->CaptureWriteIndex);
                if (written - read > AudioStreamLayout.CaptureCapacityBytes)
                    read = written - AudioStreamLayout.CaptureCapacityBytes;   // the oldest were given up (the service counted them)
                if (written == read)
                {
                    _captured.WaitUntil(MonotonicClock.Nanoseconds + WaitSliceNanoseconds, out _);
                    ulong now = MonotonicClock.Nanoseconds;
                    if (Volatile.Read(ref _header->CaptureWriteIndex) != lastWritten)
                    {
                        lastWritten = Volatile.Read(ref _header->CaptureWriteIndex);
                        lastMoved = now;
                    }
                    else if (now - lastMoved > StallNanoseconds)
                        return Error.PeerGone;
                    continue;
                }
                int piece = length - done < (int)(written - read) ? length - done : (int)(written - read);
                int at = (int)(read & (AudioStreamLayout.RingBytes - 1));
                int first = piece < AudioStreamLayout.RingBytes - at ? piece : AudioStreamLayout.RingBytes - at;
                System.Buffer.MemoryCopy(_ring + at, samples + done, first, first);
                System.Buffer.MemoryCopy(_ring, samples + done + first, piece - first, piece - first);
                // The service may have written over the start of the copy meanwhile: then it is taken again past that.
                if (Volatile.Read(ref _header->CaptureWriteIndex) - read > AudioStreamLayout.CaptureCapacityBytes)
                    continue;
                Volatile.Write(ref _header->CaptureReadIndex, read + (ulong)piece);
                done += piece;
            }
            return Error.None;
        }

        /// <summary>Ends the stream (the service drops what was not read) and lets its memory go.</summary>
        public void Close()
        {
            if (_header != null)
            {
                Volatile.Write(ref _header->Finished, 1u);
                VirtualMemory.Unmap(_header, AudioStreamLayout.TotalBytes);
            }
            _memory.Close();
            _captured.Close();
            this = default;
        }
    }
}
