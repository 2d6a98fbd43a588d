using Exo.Kernel.Memory;
using Exo.Kernel.Sync;
using Exo.Protocols.Audio;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// An open /dev/dsp (OSS, char 14:3): 16-bit little-endian samples written to the audio service, which mixes them
    /// (docs/audio.md). The rate (48000 or 44100), channels (1, 2) and format (AFMT_S16_LE only) are set by ioctl and
    /// fixed by the first write, which opens the stream (AudioChannelClient over the service's channel); write blocks
    /// while the service's ring is full (back-pressure; O_NONBLOCK: EAGAIN). SNDCTL_DSP_SPEED answers the nearest rate
    /// the service plays, as OSS drivers do; other bad values (channels, formats, a change while the stream plays: EBUSY)
    /// are EINVAL. SNDCTL_DSP_SYNC and the last close play what was written (drain), then end the stream;
    /// SNDCTL_DSP_RESET ends it at once, dropping what was queued; either way the next write opens a new stream and the
    /// values may change again. Opened for reading (O_RDONLY, O_RDWR) it captures too: the first read opens a capture stream
    /// (48 kHz only: SPEED answers 48000 on such a file), read blocks until the count is filled (O_NONBLOCK: what is there,
    /// EAGAIN if nothing), a reader that falls a ring behind loses the oldest samples (the service counts them), and
    /// SYNC and RESET end it too (the next read opens a new one). One call at a time per open file (a sleeping lock).
    /// </summary>
    public sealed unsafe class DspFile : OpenFile
    {
        public const int DefaultRate = 48000, OtherRate = 44100;
        /// <summary>The fragment GETOSPACE and GETBLKSIZE speak of (the service's ring is RingBytes, in fragments of this).</summary>
        public const int FragmentBytes = 4096;

        private readonly Semaphore _turn = new Semaphore(1);
        private AudioChannelClient _stream;
        /// <summary>The capture stream (opened by the first read of a file opened for reading).</summary>
        private AudioChannelClient _capture;
        private int _rate = DefaultRate, _channels = 2;

        private DspFile(Vnode node, int flags) : base(node, flags) { }

        public static Error Open(Vnode node, int flags, out OpenFile file)
        {
            file = new DspFile(node, flags);
            return Error.None;
        }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (!CanRead)
                return Error.BadHandle;   // EBADF (the VFS checks it first)
            _turn.Wait();
            Error error = Error.None;
            if (_capture == null)
                error = AudioChannelClient.Open((uint)_rate, (uint)_channels, AudioSampleFormat.Signed16, AudioStreamDirection.Capture, out _capture);
            if (error == Error.None)
                error = _capture.Read(buffer, count, NonBlocking, out done);
            _turn.Release();
            return error;
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            _turn.Wait();
            Error error = Error.None;
            if (_stream == null)
                error = AudioChannelClient.Open((uint)_rate, (uint)_channels, AudioSampleFormat.Signed16, AudioStreamDirection.Playback, out _stream);
            if (error == Error.None)
                error = _stream.Write(buffer, count, NonBlocking, out done);
            _turn.Release();
            return error;
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }

        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }

        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }

        public override Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            _turn.Wait();
            Error error = Answer(request, argument);
            _turn.Release();
            return error;
        }

        private Error Answer(uint request, ulong argument)
        {
            int value = 0;
            switch (request)
            {
                case SoundControl.Reset:
                    EndStream(drain: false);
                    EndCapture();
                    return Error.None;
                case SoundControl.Sync:
                case SoundControl.Post:
                    if (request == SoundControl.Post)
                        return Error.None;
                    EndCapture();   // as Linux's OSS emulation, SYNC drops what was captured
                    return EndStream(drain: true);
                case SoundControl.NonBlock:
                    Flags |= OpenFlags.NonBlocking;
                    return Error.None;
                case SoundControl.Speed:
                    if (!ReadArgument(argument, out value))
                        return Error.BadAddress;
                    if (value <= 0)
                        return Error.Invalid;
                    // The nearest rate the service plays (OSS drivers answer what they chose); capture has one rate.
                    bool other = value < (DefaultRate + OtherRate) / 2 && !CanRead;
                    return Set(ref _rate, other ? OtherRate : DefaultRate, argument);
                case SoundControl.Channels:
                    if (!ReadArgument(argument, out value))
                        return Error.BadAddress;
                    return value == 1 || value == 2 ? Set(ref _channels, value, argument) : Error.Invalid;
                case SoundControl.Stereo:
                    if (!ReadArgument(argument, out value))
                        return Error.BadAddress;
                    if (value != 0 && value != 1)
                        return Error.Invalid;
                    Error error = Set(ref _channels, value + 1, argument);
                    return error == Error.None ? WriteArgument(argument, value) : error;
                case SoundControl.SetFormat:
                    if (!ReadArgument(argument, out value))
                        return Error.BadAddress;
                    if (value != SoundControl.FormatQuery && value != SoundControl.FormatSigned16LittleEndian)
                        return Error.Invalid;
                    return WriteArgument(argument, SoundControl.FormatSigned16LittleEndian);
                case SoundControl.GetFormats:
                    return WriteArgument(argument, SoundControl.FormatSigned16LittleEndian);
                case SoundControl.ReadRate:
                    return WriteArgument(argument, _rate);
                case SoundControl.GetBlockSize:
                    return WriteArgument(argument, FragmentBytes);
                case SoundControl.GetCapabilities:
                    return WriteArgument(argument, SoundControl.Capabilities);
                case SoundControl.GetOutputSpace:
                    if (!CanWrite)
                        return Error.Invalid;   // as Linux: no playback stream on this file
                    return WriteSpace(argument, _stream != null ? _stream.Space : AudioStreamLayout.RingBytes, AudioStreamLayout.RingBytes);
                case SoundControl.GetInputSpace:
                    if (!CanRead)
                        return Error.Invalid;   // no capture stream on this file
                    return WriteSpace(argument, _capture != null ? _capture.Captured : 0, AudioStreamLayout.CaptureCapacityBytes);
                default:
                    return Error.NotATerminal;   // ENOTTY, as Linux for a request the device does not know
            }
        }

        // audio_buf_info for 'bytes' of a ring holding 'totalBytes' (free for GETOSPACE, captured for GETISPACE).
        private static Error WriteSpace(ulong argument, int bytes, int totalBytes)
        {
            var info = new AudioBufferInfo
            {
                Fragments = bytes / FragmentBytes,
                FragmentsTotal = totalBytes / FragmentBytes,
                FragmentSize = FragmentBytes,
                Bytes = bytes,
            };
            return UserMemory.CopyToUser(argument, &info, (ulong)sizeof(AudioBufferInfo)) ? Error.None : Error.BadAddress;
        }

        // A stream value set to 'wanted' and answered: EBUSY when a stream runs with another value (fixed by its first
        // write or read).
        private Error Set(ref int field, int wanted, ulong argument)
        {
            if ((_stream != null || _capture != null) && field != wanted)
                return Error.Busy;
            field = wanted;
            return WriteArgument(argument, wanted);
        }

        private static bool ReadArgument(ulong argument, out int value)
        {
            int read = 0;
            bool copied = UserMemory.CopyFromUser(&read, argument, sizeof(int));
            value = read;
            return copied;
        }

        private static Error WriteArgument(ulong argument, int value)
            => UserMemory.CopyToUser(argument, &value, sizeof(int)) ? Error.None : Error.BadAddress;

        // Ends the stream, after playing what was written if 'drain'; the next write opens a new one.
        private Error EndStream(bool drain)
        {
            if (_stream == null)
                return Error.None;
            Error error = drain ? _stream.Drain() : Error.None;
            if (error == Error.Interrupted)
                return error;   // the stream stays: SYNC may be called again
            _stream.Close();
            _stream = null;
            return error;
        }

        // Ends the capture stream, dropping what was not read; the next read opens a new one.
        private void EndCapture()
        {
            if (_capture == null)
                return;
            _capture.Close();
            _capture = null;
        }

        /// <summary>Always writable (opened for writing) and readable (opened for reading): poll runs without the file's
        /// lock, so it cannot look at a stream that SYNC, RESET or another thread's call may be letting go; a write or read
        /// may still wait (or, nonblocking, be EAGAIN; GETOSPACE and GETISPACE say how much).</summary>
        public override PollEvents Poll() => (CanWrite ? PollEvents.Out : PollEvents.None) | (CanRead ? PollEvents.In : PollEvents.None);

        public override bool Pollable => true;

        /// <summary>The last close plays what was written (bounded by the service's progress), then lets the stream go.</summary>
        protected override void Destroy()
        {
            EndCapture();
            EndStream(drain: true);
            if (_stream != null)
            {
                _stream.Close();   // interrupted (a kill): what was queued is dropped
                _stream = null;
            }
            Exo.Runtime.ObjectAllocator.Free(_turn.Waiters);   // nobody waits: this was the last reference
            Exo.Runtime.ObjectAllocator.Free(_turn);
            base.Destroy();
        }
    }
}
