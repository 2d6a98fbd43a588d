using System;
using System.Runtime.InteropServices;
using Exo.Audio.Mixing;
using Xunit;

namespace Exo.Audio.HostTests
{
    /// <summary>The capture service's copy from the device's ring into a client's, and its overrun count.</summary>
    public unsafe class CaptureConversionTests
    {
        private const uint DeviceFrames = 8;
        private const ulong RingSamples = 12;

        // A device ring whose frame f holds (1000 + f, -1000 - f) (left, right).
        private static short* Device()
        {
            short* device = (short*)NativeMemory.AllocZeroed(DeviceFrames * 2 * sizeof(short));
            for (int f = 0; f < DeviceFrames; f++)
            {
                device[2 * f] = (short)(1000 + f);
                device[2 * f + 1] = (short)(-1000 - f);
            }
            return device;
        }

        [Fact]
        public void StereoFramesAreCopiedAsTheyAre()
        {
            short* device = Device();
            short* ring = (short*)NativeMemory.AllocZeroed((nuint)(RingSamples * sizeof(short)));
            try
            {
                CaptureConversion.Copy(device, DeviceFrames, 2, ring, RingSamples, 0, 2, 3);
                Assert.Equal(new short[] { 1002, -1002, 1003, -1003, 1004, -1004 }, new ReadOnlySpan<short>(ring, 6).ToArray());
            }
            finally { NativeMemory.Free(device); NativeMemory.Free(ring); }
        }

        [Fact]
        public void MonoIsTheMeanOfTheTwoChannelsRoundedDown()
        {
            short* device = (short*)NativeMemory.AllocZeroed(DeviceFrames * 2 * sizeof(short));
            short* ring = (short*)NativeMemory.AllocZeroed((nuint)(RingSamples * sizeof(short)));
            try
            {
                short[] frames = { 100, 200, -3, 0, 32767, 32767, -32768, -32768, 1, -2 };
                for (int i = 0; i < frames.Length; i++)
                    device[i] = frames[i];
                CaptureConversion.Copy(device, DeviceFrames, 0, ring, RingSamples, 0, 1, 5);
                Assert.Equal(new short[] { 150, -2, 32767, -32768, -1 }, new ReadOnlySpan<short>(ring, 5).ToArray());
            }
            finally { NativeMemory.Free(device); NativeMemory.Free(ring); }
        }

        [Fact]
        public void BothRingsWrap()
        {
            short* device = Device();
            short* ring = (short*)NativeMemory.AllocZeroed((nuint)(RingSamples * sizeof(short)));
            try
            {
                // Device frames 6, 7, 0, 1 (first = 14 wraps twice round 8 frames) into the client ring at sample 10 of 12.
                CaptureConversion.Copy(device, DeviceFrames, 14, ring, RingSamples, 10 * sizeof(short), 2, 4);
                Assert.Equal(new short[] { 1006, -1006 }, new[] { ring[10], ring[11] });
                Assert.Equal(new short[] { 1007, -1007, 1000, -1000, 1001, -1001 }, new ReadOnlySpan<short>(ring, 6).ToArray());
                Assert.Equal(0, ring[6]);
            }
            finally { NativeMemory.Free(device); NativeMemory.Free(ring); }
        }

        [Fact]
        public void NothingIsLostWhileTheClientIsWithinTheRing()
        {
            ulong lostUpTo = 0;
            Assert.Equal(0ul, CaptureConversion.NewlyLostFrames(read: 0, ref lostUpTo, end: 4096, capacity: 4096, frameBytes: 4));
            Assert.Equal(0ul, lostUpTo);
        }

        [Fact]
        public void LostFramesAreCountedOnceEach()
        {
            ulong lostUpTo = 0;
            // A client that never reads: each write past the ring gives up what it overwrites, and only that.
            Assert.Equal(256ul, CaptureConversion.NewlyLostFrames(0, ref lostUpTo, 4096 + 1024, 4096, 4));
            Assert.Equal(1024ul, lostUpTo);
            Assert.Equal(256ul, CaptureConversion.NewlyLostFrames(0, ref lostUpTo, 4096 + 2048, 4096, 4));
            Assert.Equal(0ul, CaptureConversion.NewlyLostFrames(0, ref lostUpTo, 4096 + 2048, 4096, 4));
            // It reads past what was lost: frames before its read index were not counted again.
            Assert.Equal(128ul, CaptureConversion.NewlyLostFrames(2560, ref lostUpTo, 2560 + 4096 + 512, 4096, 4));
            Assert.Equal(3072ul, lostUpTo);
            // Mono frames are two bytes.
            ulong monoLost = 0;
            Assert.Equal(50ul, CaptureConversion.NewlyLostFrames(0, ref monoLost, 4096 + 100, 4096, 2));
        }
    }
}
