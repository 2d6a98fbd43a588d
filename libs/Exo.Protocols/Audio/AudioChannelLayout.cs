namespace Exo.Protocols.Audio
{
    /// <summary>
    /// A stream over a service channel (Exo.Protocols.Channels.ServiceChannelLayout): how a Linux program's /dev/dsp
    /// (POSIX-X, in the kernel) reaches the audio service, which listens under <see cref="Name"/> besides answering its
    /// endpoint. The channel's payload (past the kernel's 64-byte header) is an <see cref="AudioStreamHeader"/> and the
    /// ring after it, as a stream's memory from Open is. The client asks for its stream by writing SampleRate, Channels
    /// and Format into the header, then Magic = <see cref="RequestMagic"/>, and ringing; the service reads the request
    /// once, answers with State Open (Magic = ExpectedMagic, RingBytes, Volume set) or Failed (bad values, no free
    /// stream) and rings back (AudioServiceOperation.ConsumedBit, as it does when it consumes). From then on it is a
    /// stream like any other; the client's close of the channel ends it at once (queued samples dropped), so a client
    /// that wants its samples played says Finished and waits for Drained first.
    /// </summary>
    public static class AudioChannelLayout
    {
        public const string Name = "audio";
        public const uint RequestMagic = 0x71655241;   // "AReq"
        /// <summary>Where the stream's header starts: past the kernel's channel header.</summary>
        public const int HeaderOffset = Channels.ServiceChannelLayout.HeaderSize;
        /// <summary>Where the ring starts.</summary>
        public const int RingOffset = HeaderOffset + AudioStreamLayout.HeaderBytes;
        /// <summary>The channel's size: header, stream header and ring, in whole pages.</summary>
        public const ulong ChannelBytes = (RingOffset + AudioStreamLayout.RingBytes + 4095) & ~4095UL;
    }
}
