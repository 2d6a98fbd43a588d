using System.Threading;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;
using Exo.Protocols.Audio;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// The kernel's end of one stream to the audio service over its service channel (Exo.Protocols.Audio.AudioChannelLayout):
    /// what /dev/dsp writes through (a playback stream) or reads from (a capture stream). The kernel is the only client of the channel's memory (it reaches it through the
    /// direct map, page by page) and keeps its own write index (capture: read index); what the service writes (read or
    /// capture write index, state) is read once and checked, so a broken service gives EIO, never a fault or a hang: every
    /// wait is bounded by the service's progress (<see cref="StallMilliseconds"/> without consumption, or without captured
    /// samples, ends it, as AudioStream's does). Not thread-safe:
    /// its owner (DspFile) serializes the calls. Blocks: never call with a spin lock held.
    /// </summary>
    public sealed unsafe class AudioChannelClient
    {
        /// <summary>How long the service may take to answer the stream's request.</summary>
        public const ulong AnswerTimeoutMilliseconds = 2000;
        /// <summary>A stream whose samples the service stops taking for this long has lost its service.</summary>
        public const ulong StallMilliseconds = 1000;
        /// <summary>How long one wait sleeps before looking again (the service's death signals the channel, a stall nothing).</summary>
        private const ulong WaitSliceMilliseconds = 50;
        private const ulong PageBytes = 4096;

        private readonly ServiceChannel _channel;
        private readonly AudioStreamHeader* _header;
        private ulong _written;
        /// <summary>Capture: the bytes taken from the ring (the client's read index).</summary>
        private ulong _read;

        private AudioChannelClient(ServiceChannel channel)
        {
            _channel = channel;
            _header = (AudioStreamHeader*)((byte*)PhysicalMemory.ToVirtual(channel.Memory.FrameAt(0)) + AudioChannelLayout.HeaderOffset);
        }

        /// <summary>
        /// Asks the audio service for a stream ('format' an AudioSampleFormat, 'direction' an AudioStreamDirection): NoDevice without an audio service, Busy when
        /// it refuses (every stream taken), InputOutput when it does not answer, Interrupted by a signal.
        /// </summary>
        public static Error Open(uint rate, uint channels, uint format, uint direction, out AudioChannelClient client)
        {
            client = null;
            byte* name = stackalloc byte[AudioChannelLayout.Name.Length];
            for (int i = 0; i < AudioChannelLayout.Name.Length; i++)
                name[i] = (byte)AudioChannelLayout.Name[i];
            Error error = ServiceChannels.ConnectByName(name, AudioChannelLayout.Name.Length, out ServiceChannel channel);
            if (error != Error.None)
                return error == Error.OutOfMemory ? error : Error.NoDevice;
            var made = new AudioChannelClient(channel);
            AudioStreamHeader* header = made._header;
            header->SampleRate = rate;
            header->Channels = channels;
            header->Format = format;
            header->Direction = direction;
            Volatile.Write(ref header->Magic, AudioChannelLayout.RequestMagic);
            if (!ServiceChannels.Ring(channel))
            {
                made.Close();
                return Error.NoDevice;
            }
            ulong giveUp = Cpu.ReadTimeStampCounter() + AnswerTimeoutMilliseconds * (SystemClock.TscFrequency / 1000);
            while (true)
            {
                uint state = Volatile.Read(ref header->State);
                if (state == AudioStreamState.Open && Volatile.Read(ref header->Magic) == AudioStreamHeader.ExpectedMagic)
                    break;
                error = state == AudioStreamState.Failed ? Error.Busy
                    : channel.HasServerEnded || Cpu.ReadTimeStampCounter() > giveUp ? Error.InputOutput
                    : made.WaitSlice();
                if (error != Error.None)
                {
                    made.Close();
                    return error;
                }
            }
            client = made;
            return Error.None;
        }

        /// <summary>Bytes the ring can take now (0 when the stream is broken).</summary>
        public int Space => Consumed(out ulong read) ? (int)(AudioStreamLayout.RingBytes - (_written - read)) : 0;

        /// <summary>
        /// Copies up to 'count' bytes from 'buffer' into the ring, waiting for room unless 'nonBlocking' (then WouldBlock
        /// when none is free): what was copied before an interruption, a bad address or a nonblocking stop counts as done.
        /// InputOutput when the service ended the stream or stopped consuming.
        /// </summary>
        public Error Write(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            ulong lastRead = 0, lastMoved = Cpu.ReadTimeStampCounter();
            while (done < count)
            {
                if (!IsPlaying || !Consumed(out ulong read))
                    return done > 0 ? Error.None : Error.InputOutput;
                ulong space = AudioStreamLayout.RingBytes - (_written - read);
                if (space == 0)
                {
                    if (nonBlocking)
                        return done > 0 ? Error.None : Error.WouldBlock;
                    Error error = WaitForProgress(read, ref lastRead, ref lastMoved);
                    if (error != Error.None)
                        return done > 0 ? Error.None : error;
                    continue;
                }
                ulong piece = count - done < space ? count - done : space;
                if (!CopyIntoRing(buffer, done, piece))
                    return done > 0 ? Error.None : Error.BadAddress;
                _written += piece;
                Volatile.Write(ref _header->WriteNanoseconds, SystemClock.UptimeNanoseconds);
                Volatile.Write(ref _header->WriteIndex, _written);
                done += piece;
            }
            return Error.None;
        }

        /// <summary>Capture: bytes ready to read now (0 when the stream is broken; at most the ring's capacity).</summary>
        public int Captured
        {
            get
            {
                if (!Captures(out ulong written))
                    return 0;
                ulong ready = written - _read;
                return (int)(ready < AudioStreamLayout.CaptureCapacityBytes ? ready : AudioStreamLayout.CaptureCapacityBytes);
            }
        }

        /// <summary>Capture: frames the service wrote over before they were read (the ring was full).</summary>
        public ulong OverrunFrames => Volatile.Read(ref _header->OverrunFrames);

        /// <summary>
        /// Capture: copies up to 'count' captured bytes into 'buffer', waiting for them unless 'nonBlocking' (then what is
        /// there, WouldBlock when nothing is), as OSS's read fills the whole count when blocking. What was copied before an
        /// interruption, a bad address or a nonblocking stop counts as done. Bytes past the ring's capacity that were not
        /// read in time (CaptureCapacityBytes) are skipped: the service counted them. InputOutput when the service ended the stream or
        /// stopped capturing.
        /// </summary>
        public Error Read(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            ulong lastWritten = 0, lastMoved = Cpu.ReadTimeStampCounter();
            while (done < count)
            {
                if (!IsPlaying || !Captures(out ulong written))
                    return done > 0 ? Error.None : Error.InputOutput;
                if (written - _read > AudioStreamLayout.CaptureCapacityBytes)
                    _read = written - AudioStreamLayout.CaptureCapacityBytes;   // the oldest were given up
                ulong ready = written - _read;
                if (ready == 0)
                {
                    if (nonBlocking)
                        return done > 0 ? Error.None : Error.WouldBlock;
                    Error error = WaitForProgress(written, ref lastWritten, ref lastMoved);
                    if (error != Error.None)
                        return done > 0 ? Error.None : error;
                    continue;
                }
                ulong piece = count - done < ready ? count - done : ready;
                if (!CopyFromRing(buffer, done, piece))
                    return done > 0 ? Error.None : Error.BadAddress;
                // The service may have written over the start of the copy meanwhile: then it is taken again from past that.
                if (!Captures(out ulong after))
                    return done > 0 ? Error.None : Error.InputOutput;
                if (after - _read > AudioStreamLayout.CaptureCapacityBytes)
                    continue;
                _read += piece;
                Volatile.Write(ref _header->CaptureReadIndex, _read);
                done += piece;
            }
            return Error.None;
        }

        /// <summary>Says no more samples come and waits until the service has played every one (Drained); InputOutput, Interrupted.</summary>
        public Error Drain()
        {
            Volatile.Write(ref _header->Finished, 1u);
            ulong lastRead = 0, lastMoved = Cpu.ReadTimeStampCounter();
            while (true)
            {
                uint state = Volatile.Read(ref _header->State);
                if (state == AudioStreamState.Drained)
                    return Error.None;
                if (state != AudioStreamState.Open || !Consumed(out ulong read))
                    return Error.InputOutput;
                Error error = WaitForProgress(read, ref lastRead, ref lastMoved);
                if (error != Error.None)
                    return error;
            }
        }

        /// <summary>Lets the channel go: the service ends a stream still playing and drops what it had not played.</summary>
        public void Close()
        {
            ServiceChannels.CloseClient(_channel);
            _channel.Release();
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        private bool IsPlaying => Volatile.Read(ref _header->State) == AudioStreamState.Open && !_channel.HasServerEnded;

        // The service's read index, checked against ours (false: a service that lies).
        private bool Consumed(out ulong read)
        {
            read = Volatile.Read(ref _header->ReadIndex);
            return read <= _written && _written - read <= AudioStreamLayout.RingBytes;
        }

        // Capture: the service's write index, checked against ours (false: a service that lies: behind our read index).
        private bool Captures(out ulong written)
        {
            written = Volatile.Read(ref _header->CaptureWriteIndex);
            return written >= _read;
        }

        // One wait for the service's signal; InputOutput once the service's index ('index': the read index of a playback
        // stream, the capture write index of a capture stream) has not moved for StallMilliseconds.
        private Error WaitForProgress(ulong index, ref ulong lastIndex, ref ulong lastMoved)
        {
            ulong now = Cpu.ReadTimeStampCounter();
            if (index != lastIndex)
            {
                lastIndex = index;
                lastMoved = now;
            }
            else if (now - lastMoved > StallMilliseconds * (SystemClock.TscFrequency / 1000))
                return Error.InputOutput;
            return WaitSlice();
        }

        // Sleeps until the service signals or a slice passes; Interrupted by a signal or a kill.
        private Error WaitSlice()
        {
            using (InterruptMask.Enter())
            {
                Exo.Kernel.Scheduler.Scheduler.ArmTimeout(Cpu.ReadTimeStampCounter() + WaitSliceMilliseconds * (SystemClock.TscFrequency / 1000));
                Error waited = _channel.ClientDoorbell.Take(true, out _);
                bool timedOut = Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                return waited == Error.Interrupted && !timedOut ? Error.Interrupted : Error.None;
            }
        }

        // 'count' bytes from offset 'from' of 'buffer' to the ring at the write index, page piece by page piece.
        private bool CopyIntoRing(IoBuffer buffer, ulong from, ulong count) => CopyWithRing(buffer, from, count, _written, intoRing: true);

        // Capture: 'count' bytes of the ring at the read index to offset 'to' of 'buffer'.
        private bool CopyFromRing(IoBuffer buffer, ulong to, ulong count) => CopyWithRing(buffer, to, count, _read, intoRing: false);

        // Copies between 'buffer' (from its offset 'from') and the ring (from index 'index'), page piece by page piece.
        private bool CopyWithRing(IoBuffer buffer, ulong from, ulong count, ulong index, bool intoRing)
        {
            ulong ringAt = index % AudioStreamLayout.RingBytes;
            while (count > 0)
            {
                ulong offset = AudioChannelLayout.RingOffset + ringAt;
                ulong piece = PageBytes - offset % PageBytes;
                ulong untilRingEnd = AudioStreamLayout.RingBytes - ringAt;
                piece = piece < untilRingEnd ? piece : untilRingEnd;
                piece = piece < count ? piece : count;
                byte* target = (byte*)PhysicalMemory.ToVirtual(_channel.Memory.FrameAt((int)(offset / PageBytes))) + offset % PageBytes;
                if (!(intoRing ? buffer.CopyOut(from, target, piece) : buffer.CopyIn(from, target, piece)))
                    return false;
                from += piece;
                count -= piece;
                ringAt = (ringAt + piece) % AudioStreamLayout.RingBytes;
            }
            return true;
        }
    }
}
