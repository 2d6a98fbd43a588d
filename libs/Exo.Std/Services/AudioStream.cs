using System.Threading;
using Exo.Abi;
using Exo.Protocols.Audio;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;

namespace Exo.Std.Services
{
    public struct AudioStatistics
    {
        public ulong Underruns;
        public uint LatencyP50, LatencyP99, LatenessP99, LatenessMaximum;

        /// <summary>"underruns U, latency p50 X us, p99 Y us, wake-up lateness p99 Z us, max W us".</summary>
        public void Write()
        {
            Console.Write("underruns ");
            Console.Write(Underruns);
            Console.Write(", latency p50 ");
            Console.Write(LatencyP50);
            Console.Write(" us, p99 ");
            Console.Write(LatencyP99);
            Console.Write(" us, wake-up lateness p99 ");
            Console.Write(LatenessP99);
            Console.Write(" us, max ");
            Console.Write(LatenessMaximum);
            Console.Write(" us");
        }
    }

    /// <summary>
    /// A native program's stream to the audio service ("audio" in the name service): samples written into a ring in memory
    /// shared with the service (no copy through the kernel), consumed by its mixer every millisecond. Write blocks while
    /// the ring is full (back-pressure: the service's signal wakes it). A stream the service ended (its driver went) gives
    /// PeerGone; a service that stopped consuming for <see cref="StallNanoseconds"/> (it died) gives PeerGone too.
    /// </summary>
    public unsafe struct AudioStream
    {
        public const ulong StallNanoseconds = 1_000_000_000;
        private const ulong WaitSliceNanoseconds = 50_000_000;

        private MemoryObject _memory;
        private Notification _consumed;
        private AudioStreamHeader* _header;
        private byte* _ring;
        private int _frameBytes;

        public AudioStreamHeader* Header => _header;
        public int FrameBytes => _frameBytes;

        /// <summary>The service's endpoint through the name service, retried for 'waitNanoseconds' (it may be starting).</summary>
        public static Error Connect(NameService names, ulong waitNanoseconds, out Endpoint service)
        {
            ulong until = MonotonicClock.Nanoseconds + waitNanoseconds;
            while (true)
            {
                Error error = names.Lookup(AudioServiceOperation.ServiceName, out service);
                if (error != Error.NotFound || MonotonicClock.Nanoseconds >= until)
                    return error;
                Notification.Create(out Notification pause);
                pause.WaitUntil(MonotonicClock.Nanoseconds + WaitSliceNanoseconds, out _);
                pause.Close();
            }
        }

        /// <summary>Opens a stream: 'rate' 48000 or 44100, 'channels' 1 or 2, 'format' an AudioSampleFormat.</summary>
        public static Error Open(Endpoint service, uint rate, uint channels, uint format, out AudioStream stream)
        {
            stream = default;
            Error error = Request(service, AudioServiceOperation.Open, rate, channels, format, out stream._memory, out stream._consumed, out byte* shared);
            if (error != Error.None)
                return error;
            stream._header = (AudioStreamHeader*)shared;
            stream._ring = shared + AudioStreamLayout.HeaderBytes;
            stream._frameBytes = (int)channels * AudioSampleFormat.BytesPerSample(format);
            return Error.None;
        }

        /// <summary>
        /// Asks the service for a stream's memory ('operation' Open or OpenCapture) and maps it: the memory object, the
        /// notification the service signals, the mapping (header, then ring). Nothing is kept on an error.
        /// </summary>
        internal static Error Request(Endpoint service, ulong operation, uint rate, uint channels, uint format,
            out MemoryObject memory, out Notification signalled, out byte* shared)
        {
            memory = default;
            shared = null;
            Error error = Notification.Create(out signalled);
            if (error != Error.None)
                return error;
            error = signalled.Duplicate(Rights.Signal | Rights.Grant, out Notification forService);
            if (error != Error.None)
            {
                signalled.Close();
                return error;
            }
            var message = new Message(operation, rate, channels, format);
            message.Handle = forService.Handle;
            message.MoveHandle = true;
            error = service.Call(ref message);
            if (error == Error.None)
                error = SystemCall.ErrorOf((long)message.Word0);
            if (error == Error.None)
            {
                memory = new MemoryObject(message.Handle);
                error = memory.Map(true, out shared);
                if (error == Error.None)
                    return Error.None;
                memory.Close();
                memory = default;
            }
            signalled.Close();
            signalled = default;
            return error;
        }

        /// <summary>Bytes the ring can take now.</summary>
        public int Space => (int)(AudioStreamLayout.RingBytes - (_header->WriteIndex - Volatile.Read(ref _header->ReadIndex)));

        /// <summary>Samples waiting in the ring for the mixer, in bytes.</summary>
        public int Queued => (int)(_header->WriteIndex - Volatile.Read(ref _header->ReadIndex));

        /// <summary>
        /// Copies 'length' bytes (whole frames) into the ring, waiting for room as the mixer consumes; returns when all are
        /// in. PeerGone when the service ended the stream or stopped consuming; Invalid for a length not in whole frames.
        /// </summary>
        public Error Write(byte* samples, int length)
        {
            if (length < 0 || length % _frameBytes != 0)
                return Error.Invalid;
            int done = 0;
            Progress progress = StartProgress();
            while (done < length)
            {
                if (Volatile.Read(ref _header->State) != AudioStreamState.Open)
                    return Error.PeerGone;
                int space = Space;
                if (space == 0)
                {
                    if (!WaitForProgress(ref progress))
                        return Error.PeerGone;
                    continue;
                }
                int piece = length - done < space ? length - done : space;
                ulong write = _header->WriteIndex;
                for (int i = 0; i < piece; i++)
                    _ring[(write + (ulong)i) & (AudioStreamLayout.RingBytes - 1)] = samples[done + i];
                Volatile.Write(ref _header->WriteNanoseconds, MonotonicClock.Nanoseconds);
                Volatile.Write(ref _header->WriteIndex, write + (ulong)piece);
                done += piece;
            }
            return Error.None;
        }

        /// <summary>Waits until the queued samples are at most 'bytes' (a client keeping its latency low), or PeerGone.</summary>
        public Error WaitUntilQueuedAtMost(int bytes)
        {
            Progress progress = StartProgress();
            while (Queued > bytes)
            {
                if (Volatile.Read(ref _header->State) != AudioStreamState.Open)
                    return Error.PeerGone;
                if (!WaitForProgress(ref progress))
                    return Error.PeerGone;
            }
            return Error.None;
        }

        /// <summary>This stream's volume, 0..2*UnityVolume (UnityVolume plays the samples as written).</summary>
        public void SetVolume(uint volume) => Volatile.Write(ref _header->Volume, volume);

        /// <summary>Says no more samples come and waits until the mixer has taken every one (Drained), or PeerGone.</summary>
        public Error Finish()
        {
            Volatile.Write(ref _header->Finished, 1u);
            Progress progress = StartProgress();
            while (true)
            {
                uint state = Volatile.Read(ref _header->State);
                if (state == AudioStreamState.Drained)
                    return Error.None;
                if (state != AudioStreamState.Open)
                    return Error.PeerGone;
                if (!WaitForProgress(ref progress))
                    return Error.PeerGone;
            }
        }

        // Whether the mixer still consumes: the read index and when it last moved.
        private struct Progress { public ulong LastRead, LastMoved; }

        private Progress StartProgress() => new Progress { LastRead = Volatile.Read(ref _header->ReadIndex), LastMoved = MonotonicClock.Nanoseconds };

        // Sleeps one slice or until the mixer consumes; false when it has not consumed for StallNanoseconds (a service gone).
        private bool WaitForProgress(ref Progress progress)
        {
            _consumed.WaitUntil(MonotonicClock.Nanoseconds + WaitSliceNanoseconds, out _);
            ulong read = Volatile.Read(ref _header->ReadIndex);
            ulong now = MonotonicClock.Nanoseconds;
            if (read != progress.LastRead)
            {
                progress.LastRead = read;
                progress.LastMoved = now;
                return true;
            }
            return now - progress.LastMoved <= StallNanoseconds;
        }

        public void Close()
        {
            if (_header != null)
                VirtualMemory.Unmap(_header, AudioStreamLayout.TotalBytes);
            _memory.Close();
            _consumed.Close();
            this = default;
        }

        /// <summary>The service's master volume (0..2*UnityVolume), set.</summary>
        public static Error SetMasterVolume(Endpoint service, uint volume) => Simple(service, AudioServiceOperation.SetMasterVolume, volume, out _);

        public static Error GetMasterVolume(Endpoint service, out uint volume)
        {
            Error error = Simple(service, AudioServiceOperation.GetMasterVolume, 0, out Message reply);
            volume = (uint)reply.Word1;
            return error;
        }

        /// <summary>The service's figures since the last reset: underruns (the DMA position passed the mix), latency p50 and
        /// p99 (client write to the DMA position passing it) and wake-up lateness p99 and maximum, in microseconds;
        /// 'reset' starts them again.</summary>
        public static Error Statistics(Endpoint service, bool reset, out AudioStatistics statistics)
        {
            Error error = Simple(service, AudioServiceOperation.Statistics, reset ? 1UL : 0, out Message reply);
            statistics.Underruns = reply.Word1;
            statistics.LatencyP50 = (uint)reply.Word2;
            statistics.LatencyP99 = (uint)(reply.Word2 >> 32);
            statistics.LatenessP99 = (uint)reply.Word3;
            statistics.LatenessMaximum = (uint)(reply.Word3 >> 32);
            return error;
        }

        private static Error Simple(Endpoint service, ulong operation, ulong argument, out Message reply)
        {
            reply = new Message(operation, argument);
            Error error = service.Call(ref reply);
            return error != Error.None ? error : SystemCall.ErrorOf((long)reply.Word0);
        }
    }
}
