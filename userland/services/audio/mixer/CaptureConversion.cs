namespace Exo.Audio.Mixing
{
    /// <summary>
    /// Capture's two pieces of logic, kept apart from the service's rings so that the host tests reach them: copying the
    /// device's 16-bit stereo frames into a client's ring (stereo as they are, mono as the mean of the two channels,
    /// rounded down), and counting the frames a client that fell a ring behind loses, once each.
    /// </summary>
    public static unsafe class CaptureConversion
    {
        /// <summary>
        /// Copies 'frames' device frames from device frame 'first' (a count that never wraps; the device ring holds
        /// 'deviceFrames') into 'ring' ('ringSamples' 16-bit samples) at byte index 'written' (which never wraps), as
        /// 'channels' 1 or 2. Both rings wrap sample by sample, so a frame may straddle neither end unaligned.
        /// </summary>
        public static void Copy(short* device, uint deviceFrames, ulong first, short* ring, ulong ringSamples, ulong written,
                                uint channels, uint frames)
        {
            ulong at = written / sizeof(short);
            for (uint frame = 0; frame < frames; frame++)
            {
                ulong from = 2 * ((first + frame) % deviceFrames);
                int left = device[from], right = device[from + 1];
                if (channels == 2)
                {
                    ring[at % ringSamples] = (short)left;
                    ring[(at + 1) % ringSamples] = (short)right;
                    at += 2;
                }
                else
                {
                    ring[at % ringSamples] = (short)((left + right) >> 1);
                    at++;
                }
            }
        }

        /// <summary>
        /// Writing up to byte index 'end' into a ring of 'capacity' bytes that the client has read up to 'read': the frames
        /// given up that were not counted before ('lostUpTo', the byte index counted to so far, moves on). 0 if none.
        /// </summary>
        public static ulong NewlyLostFrames(ulong read, ref ulong lostUpTo, ulong end, ulong capacity, uint frameBytes)
        {
            if (end - read <= capacity)
                return 0;
            ulong lostFrom = read > lostUpTo ? read : lostUpTo;
            ulong lostTo = end - capacity;
            if (lostTo <= lostFrom)
                return 0;
            lostUpTo = lostTo;
            return (lostTo - lostFrom) / frameBytes;
        }
    }
}
