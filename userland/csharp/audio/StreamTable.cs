using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The client streams, shared by the service's threads: a server thread (StreamServer for the endpoint, ChannelServer
    /// for service channels) claims a free slot (Free to Opening), fills it and publishes it (Playing); from then on only
    /// the mixing thread touches it (OutputLoop for playback, CaptureLoop for capture), and it frees the slot (back to
    /// Free) when the stream ends: drained, failed, left idle by its client past <see cref="IdleNanoseconds"/> (a client that died without saying so), or abandoned (a channel's
    /// client closed it: ChannelServer sets <see cref="AbandonGeneration"/> to the slot's generation).
    /// </summary>
    internal unsafe struct StreamSlot
    {
        public const int Free = 0, Opening = 1, Playing = 2;

        public int State;
        public AudioStreamHeader* Header;
        public MemoryObject Memory;
        public Notification Client;
        public StreamSource Source;
        public ulong LastProgressNanoseconds;
        public ulong LastWriteIndex;
        /// <summary>Counts the slot's streams (set by the claimer): an abandon request names the stream it means.</summary>
        public ulong Generation;
        /// <summary>ChannelServer's request to end the stream of this generation at once (its client closed the channel).</summary>
        public ulong AbandonGeneration;
        /// <summary>Whether the slot's stream owns its memory and client handles (Open's) or borrows them (a channel's:
        /// ChannelServer closes the connection once the stream has ended).</summary>
        public bool OwnsMemory;
        /// <summary>A capture stream (CaptureLoop feeds it; the mixer passes it by).</summary>
        public bool Capture;
        /// <summary>Capture: the service's own write index (what it publishes, never read back from shared memory).</summary>
        public ulong CaptureWritten;
        /// <summary>Capture: the write index up to which lost bytes are already counted in OverrunFrames.</summary>
        public ulong CaptureLostUpTo;
        /// <summary>Capture: the client's read index when it last moved (an idle client is gone).</summary>
        public ulong LastCaptureRead;
    }

    internal static unsafe class StreamTable
    {
        public const int Capacity = 16;
        /// <summary>A stream whose client neither writes (capture: reads) nor finishes for this long is ended (its client is gone).</summary>
        public const ulong IdleNanoseconds = 5_000_000_000;

        public static StreamSlot* Slots;
        /// <summary>The master volume, 0..UnityVolume*2 (set by the server thread, read by the mixer).</summary>
        public static uint MasterVolume;

        public static bool Initialize()
        {
            MasterVolume = AudioStreamLayout.UnityVolume;
            Slots = (StreamSlot*)UserHeap.Allocate((nuint)(sizeof(StreamSlot) * Capacity));
            if (Slots == null)
                return false;
            for (int i = 0; i < Capacity; i++)
                Slots[i] = default;
            return true;
        }

        /// <summary>A free slot claimed for a server thread (its generation moved on), or null when every slot holds a stream.</summary>
        public static StreamSlot* Claim()
        {
            for (int i = 0; i < Capacity; i++)
                if (Interlocked.CompareExchange(ref Slots[i].State, StreamSlot.Opening, StreamSlot.Free) == StreamSlot.Free)
                {
                    Volatile.Write(ref Slots[i].Generation, Slots[i].Generation + 1);
                    return Slots + i;
                }
            return null;
        }

        /// <summary>Publishes a claimed slot filled for 'header''s stream (its ring right after the header).</summary>
        public static void Publish(StreamSlot* slot, AudioStreamHeader* header, MemoryObject memory, Notification client, bool ownsMemory)
        {
            slot->Header = header;
            slot->Memory = memory;
            slot->Client = client;
            slot->OwnsMemory = ownsMemory;
            slot->Capture = header->Direction == AudioStreamDirection.Capture;
            slot->CaptureWritten = slot->CaptureLostUpTo = slot->LastCaptureRead = 0;
            header->CaptureReadIndex = header->CaptureWriteIndex = header->OverrunFrames = 0;
            if (!slot->Capture)
                StreamSource.TryCreate((byte*)header + AudioStreamLayout.HeaderBytes, AudioStreamLayout.RingBytes, header->Format,
                (int)header->Channels, header->SampleRate, out slot->Source);
            slot->LastProgressNanoseconds = MonotonicClock.Nanoseconds;
            slot->LastWriteIndex = 0;
            Volatile.Write(ref header->State, AudioStreamState.Open);
            Volatile.Write(ref header->Magic, AudioStreamHeader.ExpectedMagic);
            Volatile.Write(ref slot->State, StreamSlot.Playing);
        }

        /// <summary>
        /// Has the stream's client made no progress for <see cref="IdleNanoseconds"/>? 'now' is the mixing thread's clock,
        /// read at its wake-up: a stream opened since by the request thread (on another processor) has a later stamp and is
        /// new, not idle (the unsigned difference would wrap and end it at once).
        /// </summary>
        public static bool IsIdleTooLong(StreamSlot* slot, ulong now)
        {
            ulong last = Volatile.Read(ref slot->LastProgressNanoseconds);
            return now > last && now - last > IdleNanoseconds;
        }

        /// <summary>Ends a stream (the mixing thread): its state told to the client, which is woken; the slot freed.</summary>
        public static void End(StreamSlot* slot, uint state)
        {
            Volatile.Write(ref slot->Header->State, state);
            slot->Client.Signal(AudioServiceOperation.ConsumedBit);
            if (slot->OwnsMemory)
            {
                slot->Client.Close();
                VirtualMemory.Unmap(slot->Header, AudioStreamLayout.TotalBytes);
                slot->Memory.Close();
            }
            Volatile.Write(ref slot->State, StreamSlot.Free);
        }
    }
}
