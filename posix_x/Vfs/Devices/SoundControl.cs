namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// OSS's ioctl requests and formats for /dev/dsp (Linux's uapi linux/soundcard.h, x86-64 values: _SIOWR('P', n, int)
    /// and the like) and audio_buf_info, SNDCTL_DSP_GETOSPACE's and GETISPACE's answer.
    /// </summary>
    public static class SoundControl
    {
        public const uint Reset = 0x00005000, Sync = 0x00005001, Speed = 0xC0045002, Stereo = 0xC0045003,
            GetBlockSize = 0xC0045004, SetFormat = 0xC0045005, Channels = 0xC0045006, Post = 0x00005008,
            GetFormats = 0x8004500B, GetOutputSpace = 0x8010500C, GetInputSpace = 0x8010500D, NonBlock = 0x0000500E, GetCapabilities = 0x8004500F;
        /// <summary>SOUND_PCM_READ_RATE (_SIOR('P', 2, int)): the rate, read only.</summary>
        public const uint ReadRate = 0x80045002;

        public const int FormatQuery = 0x00000000, FormatSigned16LittleEndian = 0x00000010;
        /// <summary>DSP_CAP_TRIGGER and friends are not offered: a revision of 1 and nothing else.</summary>
        public const int Capabilities = 1;
    }

    /// <summary>audio_buf_info: free space in fragments and bytes.</summary>
    public struct AudioBufferInfo
    {
        public int Fragments, FragmentsTotal, FragmentSize, Bytes;
    }
}
