using System.Threading;

namespace Exo.Kernel.Console
{
    /// <summary>
    /// What the kernel and programs print, on its way to the serial port. Writers append whole pieces to a
    /// ring under a short lock (a copy, nothing more), so a line appended in one piece is never split by
    /// another processor's output; the port itself, polled and slow, is written with no lock held, by one
    /// drainer at a time: the writer that finds nobody draining becomes the drainer and empties the ring,
    /// including what others append meanwhile. A full ring makes a writer wait for room (output is never
    /// dropped). A panic writes straight to the port (<see cref="WriteDirect"/>).
    /// </summary>
    public static unsafe class ConsoleOutput
    {
        private const int Capacity = 64 * 1024;   // power of two
        private const int DrainChunk = 256;

        private struct RingStorage { public fixed byte Bytes[Capacity]; }
        private static RingStorage s_ring;
        private static ulong s_head, s_tail;       // bytes appended / taken out, ever (under s_lock)
        private static Sync.SpinLock s_lock;
        private static int s_draining;             // 1 while a writer empties the ring to the port
        private static bool s_direct;              // a panic: bypass the ring

        /// <summary>Before the first write (locks get their rank from their owner, not from an initializer).</summary>
        public static void Initialize() => s_lock.Rank = Sync.LockRank.ConsoleOutput;

        /// <summary>Appends 'count' bytes as one piece, then drains the ring unless another writer is draining it.</summary>
        public static void Write(byte* bytes, int count)
        {
            if (s_direct)
            {
                WriteDirect(bytes, count);
                return;
            }
            while (count > 0)
            {
                int appended = Append(bytes, count);
                bytes += appended;
                count -= appended;
                if (count > 0 || Volatile.Read(ref s_draining) == 0)
                    Drain();
                if (count > 0 && appended == 0)
                    Arch.X64.Cpu.Pause();   // full, and another processor is draining: wait for room
            }
        }

        private static int Append(byte* bytes, int count)
        {
            using (s_lock.Hold())
            {
                ulong room = Capacity - (s_head - s_tail);
                int taken = (ulong)count < room ? count : (int)room;
                byte* ring = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_ring);
                for (int i = 0; i < taken; i++)
                    ring[(s_head + (ulong)i) & (Capacity - 1)] = bytes[i];
                s_head += (ulong)taken;
                return taken;
            }
        }

        // Empties the ring to the port unless another writer already does; loops until it finds the ring empty
        // after giving up the drainer's role, so that no byte appended meanwhile is left behind.
        private static void Drain()
        {
            byte* chunk = stackalloc byte[DrainChunk];
            Sync.LockOrder.CheckNoneHeld();
            while (Interlocked.CompareExchange(ref s_draining, 1, 0) == 0)
            {
                int taken;
                while ((taken = Take(chunk)) > 0)
                    for (int i = 0; i < taken; i++)
                        SerialPort.Write(chunk[i]);
                Volatile.Write(ref s_draining, 0);
                if (IsEmpty)
                    return;
            }
        }

        private static int Take(byte* chunk)
        {
            using (s_lock.Hold())
            {
                ulong available = s_head - s_tail;
                int taken = available < DrainChunk ? (int)available : DrainChunk;
                byte* ring = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_ring);
                for (int i = 0; i < taken; i++)
                    chunk[i] = ring[(s_tail + (ulong)i) & (Capacity - 1)];
                s_tail += (ulong)taken;
                return taken;
            }
        }

        private static bool IsEmpty => Volatile.Read(ref s_head) == Volatile.Read(ref s_tail);

        /// <summary>
        /// From now on every write goes straight to the port, after what the ring still holds (a panic: the
        /// report must come out even if a lock holder or the drainer is stuck). No lock is taken.
        /// </summary>
        public static void SwitchToDirect()
        {
            s_direct = true;
            byte* ring = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_ring);
            for (ulong position = Volatile.Read(ref s_tail); position != Volatile.Read(ref s_head); position++)
                SerialPort.Write(ring[position & (Capacity - 1)]);
            s_tail = s_head;
        }

        private static void WriteDirect(byte* bytes, int count)
        {
            for (int i = 0; i < count; i++)
                SerialPort.Write(bytes[i]);
        }
    }
}
