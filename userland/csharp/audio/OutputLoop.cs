using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The mixing thread. Every period (48 frames, 1 ms at 48 kHz) it wakes, reads the device's DMA position, and mixes
    /// every playing stream into the device's output ring up to <see cref="LeadFrames"/> ahead of it, then writes
    /// <see cref="GuardFrames"/> of silence past that, so a late wake-up plays silence rather than old samples; then it
    /// hands what the device captured to the capture streams (CaptureLoop). The DMA
    /// position passing the last frame written is an underrun (counted; writing resumes at the position). Latency probe:
    /// a client's last publish (its write index and clock) is followed to the output frame its last sample landed in,
    /// and the time the DMA position passes that frame is the latency. The thread is time-critical (ThreadSchedulingClass)
    /// while it plays: it runs before every normal thread as soon as its period's deadline wakes it.
    /// </summary>
    internal static unsafe class OutputLoop
    {
        public const int PeriodFrames = 48;
        public const ulong PeriodNanoseconds = 1_000_000;
        public const int LeadFrames = 720;    // 15 ms
        public const int GuardFrames = 960;   // 20 ms
        public const ulong DriverReadyBit = 1, DriverGoneBit = 2;

        public static ulong Underruns;
        public static LatencyHistogram* Latency;
        public static LatencyHistogram* Lateness;

        private static float* s_mix;
        private static byte* s_dma;
        private static AudioDeviceFacts* s_facts;
        private static uint s_ringFrames;
        private static ulong s_written;
        /// <summary>Where the silence written past s_written ends (only the part past it is new each period).</summary>
        private static ulong s_silenceEnd;
        // The latency probe: armed on a stream's publish, placed on an output frame once mixed, taken when played.
        private static int s_probeSlot;
        private static ulong s_probeIndex, s_probeNanoseconds, s_probeFrame;
        private static bool s_probeArmed, s_probePlaced;

        /// <summary>The Statistics reply (AudioServiceOperation): underruns; latency p50 and p99; wake-up lateness p99 and
        /// maximum (microseconds, two to a word); 'reset' starts the counts again after the reading (racy with the mixing
        /// thread by a period at most: figures, not accounts).</summary>
        public static Exo.Std.Ipc.Message Statistics(bool reset)
        {
            var reply = new Exo.Std.Ipc.Message(0, Volatile.Read(ref Underruns),
                Latency->Percentile(50) | Latency->Percentile(99) << 32, Lateness->Percentile(99) | Lateness->Maximum << 32);
            if (reset)
            {
                Volatile.Write(ref Underruns, 0);
                *Latency = default;
                *Lateness = default;
            }
            return reply;
        }

        public static bool Initialize()
        {
            s_mix = (float*)UserHeap.Allocate(2 * PeriodFrames * sizeof(float));
            Latency = (LatencyHistogram*)UserHeap.Allocate((nuint)sizeof(LatencyHistogram));
            Lateness = (LatencyHistogram*)UserHeap.Allocate((nuint)sizeof(LatencyHistogram));
            if (s_mix == null || Latency == null || Lateness == null)
                return false;
            *Latency = default;
            *Lateness = default;
            return true;
        }

        /// <summary>Plays for ever: waits for a driver, mixes until it goes, ends the streams, waits for the next.</summary>
        public static void Run(byte* dma, AudioDeviceFacts* facts, Notification own, Notification driver)
        {
            s_dma = dma;
            s_facts = facts;
            while (true)
            {
                while (Volatile.Read(ref facts->Magic) != AudioDeviceFacts.ExpectedMagic || Volatile.Read(ref facts->DriverGone) != 0)
                {
                    if (Volatile.Read(ref facts->DriverGone) != 0)
                        LetDriverGo(driver);
                    own.Wait(out _);
                }
                Console.WriteLine("audio: mixing into the device's output ring, 48 kHz stereo, 1 ms periods");
                Play(own);
                LetDriverGo(driver);
            }
        }

        // Every stream ends with Failed (its client sees the error), then the facts are cleared for the next driver.
        private static void LetDriverGo(Notification driver)
        {
            for (int i = 0; i < StreamTable.Capacity; i++)
                if (Volatile.Read(ref StreamTable.Slots[i].State) == StreamSlot.Playing)
                    StreamTable.End(StreamTable.Slots + i, AudioStreamState.Failed);
            Console.WriteLine("audio: the driver is gone: every stream ended with an error; waiting for its successor");
            *s_facts = default;
            driver.Signal(1);
        }

        private static void Play(Notification own)
        {
            s_ringFrames = s_facts->OutputRingBytes / AudioDmaLayout.BytesPerFrame;
            var position = new DmaPosition(s_facts->OutputRingBytes, AudioDmaLayout.BytesPerFrame, ReadPosition());
            // The device may be anywhere in its ring (a restarted service): writing starts at its frame.
            s_written = s_silenceEnd = position.Frames;
            // A predecessor that died left its last mix in the ring, which the device keeps looping: silence it all.
            short* ring = (short*)(s_dma + AudioDmaLayout.OutputRingOffset);
            for (uint i = 0; i < 2 * s_ringFrames; i++)
                ring[i] = 0;
            s_probeArmed = s_probePlaced = false;
            CaptureLoop.Start(s_dma, s_facts);
            // Time-critical from here (after the ring's silencing, a long burst): woken every period, it runs before every
            // normal thread (a CPU hog, a chain of Fusion calls) and stops again within tens of microseconds.
            Process.SetThreadSchedulingClass(Constants.SchedulingClassTimeCritical);
            ulong deadline = MonotonicClock.Nanoseconds + PeriodNanoseconds;
            while (Volatile.Read(ref s_facts->DriverGone) == 0)
            {
                Error error = own.WaitUntil(deadline, out ulong bits);
                ulong now = MonotonicClock.Nanoseconds;
                if (error == Error.TimedOut)
                    Lateness->Add((now - deadline) / 1000);
                else if (error != Error.None)
                    return;
                if ((bits & DriverGoneBit) != 0 || Volatile.Read(ref s_facts->DriverGone) != 0)
                    return;
                if (now >= deadline)
                    deadline = now - deadline > 10 * PeriodNanoseconds ? now + PeriodNanoseconds : deadline + PeriodNanoseconds;
                position.Update(ReadPosition());
                ulong played = position.Frames;
                if (played > s_written)
                {
                    Volatile.Write(ref Underruns, Underruns + 1);
                    s_written = played;
                }
                if (s_probePlaced && played >= s_probeFrame)
                {
                    Latency->Add((now - s_probeNanoseconds) / 1000);
                    s_probeArmed = s_probePlaced = false;
                }
                ulong target = played + LeadFrames;
                while (s_written < target)
                {
                    // A piece never straddles the ring's end.
                    ulong frames = target - s_written, untilEnd = s_ringFrames - s_written % s_ringFrames;
                    frames = frames < PeriodFrames ? frames : PeriodFrames;
                    MixPeriod((int)(frames < untilEnd ? frames : untilEnd), now);
                }
                WriteSilence();
                CaptureLoop.Deliver(now);
            }
        }

        private static uint ReadPosition() => Volatile.Read(ref *(uint*)(s_dma + s_facts->OutputPositionOffset));

        // Mixes 'frames' frames of every playing stream at s_written and advances it.
        private static void MixPeriod(int frames, ulong now)
        {
            OutputMix.Clear(s_mix, frames);
            for (int i = 0; i < StreamTable.Capacity; i++)
            {
                StreamSlot* slot = StreamTable.Slots + i;
                if (Volatile.Read(ref slot->State) != StreamSlot.Playing || slot->Capture)
                    continue;
                AudioStreamHeader* header = slot->Header;
                if (Volatile.Read(ref slot->AbandonGeneration) == slot->Generation)
                {
                    EndProbed(slot, i, AudioStreamState.Failed);   // a channel's client closed it: its samples are dropped
                    continue;
                }
                ulong writeIndex = Volatile.Read(ref header->WriteIndex);
                ulong readIndex = slot->Source.ReadIndex;
                if (writeIndex < readIndex || writeIndex - readIndex > AudioStreamLayout.RingBytes)
                {
                    StreamTable.End(slot, AudioStreamState.Failed);   // a client that lied about its write index
                    continue;
                }
                if (writeIndex != slot->LastWriteIndex)
                {
                    slot->LastWriteIndex = writeIndex;
                    slot->LastProgressNanoseconds = now;
                    if (!s_probeArmed)
                    {
                        s_probeArmed = true;
                        s_probeSlot = i;
                        s_probeIndex = writeIndex;
                        s_probeNanoseconds = Volatile.Read(ref header->WriteNanoseconds);
                    }
                }
                uint volume = Volatile.Read(ref header->Volume);
                slot->Source.Volume = volume > 2 * AudioStreamLayout.UnityVolume ? 2 * AudioStreamLayout.UnityVolume : volume;
                int made = slot->Source.MixInto(s_mix, frames, writeIndex);
                if (made < frames && Volatile.Read(ref header->Finished) == 0)
                    Volatile.Write(ref header->Starved, header->Starved + 1);
                if (s_probeArmed && !s_probePlaced && s_probeSlot == i && slot->Source.ReadIndex >= s_probeIndex)
                {
                    s_probePlaced = true;
                    s_probeFrame = s_written + (ulong)made;
                }
                Volatile.Write(ref header->ReadIndex, slot->Source.ReadIndex);
                if (slot->Source.ReadIndex != readIndex)
                    slot->Client.Signal(AudioServiceOperation.ConsumedBit);
                bool finished = Volatile.Read(ref header->Finished) != 0;
                if (finished && writeIndex - slot->Source.ReadIndex < (ulong)slot->Source.FrameBytes)
                    EndProbed(slot, i, AudioStreamState.Drained);
                else if (!finished && StreamTable.IsIdleTooLong(slot, now))
                    EndProbed(slot, i, AudioStreamState.Failed);
            }
            uint master = Volatile.Read(ref StreamTable.MasterVolume);
            ulong first = s_written % s_ringFrames;
            OutputMix.Finish(s_mix, frames, master, (short*)(s_dma + AudioDmaLayout.OutputRingOffset) + 2 * first);
            s_written += (ulong)frames;
        }

        private static void EndProbed(StreamSlot* slot, int index, uint state)
        {
            if (s_probeArmed && s_probeSlot == index && !s_probePlaced)
                s_probeArmed = false;
            StreamTable.End(slot, state);
        }

        // Silence from s_written to GuardFrames past it; what an earlier period already cleared is left.
        private static void WriteSilence()
        {
            short* ring = (short*)(s_dma + AudioDmaLayout.OutputRingOffset);
            ulong from = s_silenceEnd > s_written ? s_silenceEnd : s_written;
            s_silenceEnd = s_written + GuardFrames;
            for (ulong frame = from; frame < s_silenceEnd; frame++)
            {
                ulong index = frame % s_ringFrames;
                ring[2 * index] = 0;
                ring[2 * index + 1] = 0;
            }
        }
    }
}
