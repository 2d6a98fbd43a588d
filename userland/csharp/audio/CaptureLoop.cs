using System.Threading;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// Capture, on the mixing thread after each period's mix: the frames the device has written into its capture ring
    /// since the last period (up to its DMA position: what lies below it is whole) are converted into every capture
    /// stream's ring (48 kHz 16-bit; stereo as the ADC gives it, mono as the mean of its two channels). A client's ring is
    /// written whatever the client has read, a chunk (CaptureChunkBytes) at a time: what it had not read past the ring's
    /// capacity (CaptureCapacityBytes) is lost, oldest first, and counted in its OverrunFrames, so a client that stops
    /// reading never holds up the mixer or another client. A service later than
    /// <see cref="MostFramesPerPeriod"/> skips ahead (the device may be writing over the oldest frames) and counts it in
    /// <see cref="DeviceOverruns"/>. No allocation: it runs every millisecond.
    /// </summary>
    internal static unsafe class CaptureLoop
    {
        /// <summary>The most device frames taken in one period: half the device's ring (42 ms), so the device, writing
        /// ahead of its position, cannot reach what is being copied.</summary>
        private const uint MostFramesPerPeriod = AudioDmaLayout.CaptureRingBytes / AudioDmaLayout.BytesPerFrame / 2;

        /// <summary>Periods in which the service was too late to take every frame the device captured.</summary>
        public static ulong DeviceOverruns;

        private static bool s_running;
        private static byte* s_dma;
        private static AudioDeviceFacts* s_facts;
        private static DmaPosition s_position;
        /// <summary>The device frames already handed to the streams (a count that never wraps, as the position's).</summary>
        private static ulong s_taken;

        public static void Start(byte* dma, AudioDeviceFacts* facts)
        {
            s_dma = dma;
            s_facts = facts;
            s_running = facts->CaptureRunning != 0;
            s_position = new DmaPosition(AudioDmaLayout.CaptureRingBytes, AudioDmaLayout.BytesPerFrame, ReadPosition());
            s_taken = s_position.Frames;
        }

        public static void Deliver(ulong now)
        {
            s_position.Update(ReadPosition());
            ulong available = s_position.Frames;
            if (available - s_taken > MostFramesPerPeriod)
            {
                Volatile.Write(ref DeviceOverruns, DeviceOverruns + 1);
                s_taken = available - MostFramesPerPeriod;
            }
            uint frames = (uint)(available - s_taken);
            for (int i = 0; i < StreamTable.Capacity; i++)
            {
                StreamSlot* slot = StreamTable.Slots + i;
                if (Volatile.Read(ref slot->State) == StreamSlot.Playing && slot->Capture)
                    Feed(slot, frames, now);
            }
            s_taken = available;
        }

        private static uint ReadPosition() => Volatile.Read(ref *(uint*)(s_dma + s_facts->CapturePositionOffset));

        // 'frames' device frames from s_taken into one stream's ring, or the stream ended (closed, abandoned, idle, lied).
        private static void Feed(StreamSlot* slot, uint frames, ulong now)
        {
            AudioStreamHeader* header = slot->Header;
            if (Volatile.Read(ref slot->AbandonGeneration) == slot->Generation || !s_running)
            {
                StreamTable.End(slot, AudioStreamState.Failed);   // a channel's client closed it, or the codec has no input
                return;
            }
            if (Volatile.Read(ref header->Finished) != 0)
            {
                StreamTable.End(slot, AudioStreamState.Drained);   // the client's close
                return;
            }
            ulong read = Volatile.Read(ref header->CaptureReadIndex), written = slot->CaptureWritten;
            if (read > written)
            {
                StreamTable.End(slot, AudioStreamState.Failed);   // a client that lied about its read index
                return;
            }
            if (read != slot->LastCaptureRead || written - read < AudioStreamLayout.CaptureCapacityBytes)
            {
                // A client keeping up (or having read lately) is alive; one with a full ring that does not read is not.
                slot->LastCaptureRead = read;
                slot->LastProgressNanoseconds = now;
            }
            else if (StreamTable.IsIdleTooLong(slot, now))
            {
                StreamTable.End(slot, AudioStreamState.Failed);
                return;
            }
            if (frames == 0)
                return;
            uint channels = header->Channels;
            uint frameBytes = channels * sizeof(short), chunkFrames = AudioStreamLayout.CaptureChunkBytes / frameBytes;
            for (uint from = 0; from < frames; from += chunkFrames)
            {
                uint piece = frames - from < chunkFrames ? frames - from : chunkFrames;
                ulong end = written + piece * frameBytes;
                // The client's oldest unread frames are given up: counted once each.
                ulong lost = CaptureConversion.NewlyLostFrames(read, ref slot->CaptureLostUpTo, end, AudioStreamLayout.CaptureCapacityBytes, frameBytes);
                if (lost != 0)
                    Volatile.Write(ref header->OverrunFrames, header->OverrunFrames + lost);
                Convert(header, channels, written, s_taken + from, piece);
                written = end;
                slot->CaptureWritten = end;
                Volatile.Write(ref header->CaptureWriteIndex, end);
            }
            slot->Client.Signal(AudioServiceOperation.ConsumedBit);
        }

        // The device's frames from 'first' (a device frame count) into the stream's ring at 'written'.
        private static void Convert(AudioStreamHeader* header, uint channels, ulong written, ulong first, uint frames)
            => CaptureConversion.Copy((short*)(s_dma + AudioDmaLayout.CaptureRingOffset),
                AudioDmaLayout.CaptureRingBytes / AudioDmaLayout.BytesPerFrame, first,
                (short*)((byte*)header + AudioStreamLayout.HeaderBytes), AudioStreamLayout.RingBytes / sizeof(short), written,
                channels, frames);
    }
}
