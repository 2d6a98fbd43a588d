using System.Threading;
using Exo.Abi;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The client streams, shared by the service's two threads: the server thread claims a free slot (Free to Opening),
    /// fills it and publishes it (Playing); from then on only the mixing thread touches it, and it frees the slot (back to
    /// Free) when the stream ends: drained, failed, or left idle by its client past <see cref="IdleNanoseconds"/> (a client
    /// that died without saying so).
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
    }

    internal static unsafe class StreamTable
    {
        public const int Capacity = 16;
        /// <summary>A stream whose client neither writes nor finishes for this long is ended (its client is gone).</summary>
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

        /// <summary>A free slot claimed for the server thread, or null when every slot holds a stream.</summary>
        public static StreamSlot* Claim()
        {
            for (int i = 0; i < Capacity; i++)
                if (Interlocked.CompareExchange(ref Slots[i].State, StreamSlot.Opening, StreamSlot.Free) == StreamSlot.Free)
                    return Slots + i;
            return null;
        }

        /// <summary>Ends a stream (the mixing thread): its state told to the client, which is woken; the slot freed.</summary>
        public static void End(StreamSlot* slot, uint state)
        {
            Volatile.Write(ref slot->Header->State, state);
            slot->Client.Signal(AudioServiceOperation.ConsumedBit);
            slot->Client.Close();
            VirtualMemory.Unmap(slot->Header, AudioStreamLayout.TotalBytes);
            slot->Memory.Close();
            Volatile.Write(ref slot->State, StreamSlot.Free);
        }
    }
}
