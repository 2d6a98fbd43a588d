using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Console
{
    /// <summary>
    /// The 16550 UART on COM1: polled output, interrupt-driven input into a fixed ring buffer.
    /// </summary>
    public static unsafe class SerialPort
    {
        public const ushort Com1 = 0x3F8;
        public const int Irq = 4;
        private const int ReceiveBufferSize = 1024;   // power of two

        private static byte* s_receiveBuffer;          // fixed storage in .bss, see Initialize
        private static uint s_receiveHead;             // written by the interrupt handler
        private static uint s_receiveTail;             // read by the shell
        private static ulong s_droppedBytes;
        private static bool s_present;
        // Input events (a byte buffered, the monitor key) and the threads waiting for one: the kernel shell sleeps
        // here instead of polling the UART between other threads' turns (a poll and a Yield at every switch).
        private static int s_inputEvents;
        private static Scheduler.WaitQueue s_inputWaiters;

        private struct ReceiveStorage { public fixed byte Bytes[ReceiveBufferSize]; }
        private static ReceiveStorage s_storage;

        public static bool IsPresent => s_present;
        public static ulong DroppedBytes => s_droppedBytes;

        public static void Initialize()
        {
            fixed (byte* storage = s_storage.Bytes)
                s_receiveBuffer = storage;
            Cpu.OutByte(Com1 + 1, 0x00);    // no interrupts while configuring
            Cpu.OutByte(Com1 + 3, 0x80);    // DLAB on
            Cpu.OutByte(Com1 + 0, 0x01);    // divisor 1: 115200 baud
            Cpu.OutByte(Com1 + 1, 0x00);
            Cpu.OutByte(Com1 + 3, 0x03);    // 8 bits, no parity, one stop bit
            Cpu.OutByte(Com1 + 2, 0xC7);    // FIFO on, cleared, 14-byte threshold
            Cpu.OutByte(Com1 + 4, 0x0B);    // DTR, RTS, OUT2 (routes the interrupt line)
            // Loopback self-test: a UART that is not there reads back 0xFF.
            Cpu.OutByte(Com1 + 4, 0x1E);
            Cpu.OutByte(Com1 + 0, 0xAE);
            s_present = Cpu.InByte(Com1 + 0) == 0xAE;
            Cpu.OutByte(Com1 + 4, 0x0F);
        }

        /// <summary>Input comes by interrupt from now on (the IRQ is routed to HandleInterrupt): readers may sleep in <see cref="WaitForInput"/>.</summary>
        public static void EnableReceiveInterrupt()
        {
            s_inputWaiters ??= new Scheduler.WaitQueue();
            Cpu.OutByte(Com1 + 1, 0x01);
        }

        /// <summary>Counts input events (a byte for the kernel shell, the monitor key): read it before looking for input, then wait with it.</summary>
        public static int InputEvents => System.Threading.Volatile.Read(ref s_inputEvents);

        /// <summary>
        /// Sleeps until an input event after 'seen' (InputEvents read before the caller found no input), or at most
        /// PollMilliseconds (an edge lost, or no receive interrupt at all: then it only sleeps). Kernel threads only.
        /// </summary>
        public static void WaitForInput(int seen)
        {
            Scheduler.WaitQueue waiters = s_inputWaiters;
            if (waiters == null)
            {
                Scheduler.Scheduler.Sleep(PollMilliseconds);
                return;
            }
            using (Sync.InterruptMask.Enter())
            {
                Scheduler.Scheduler.ArmTimeout(Cpu.ReadTimeStampCounter() + PollMilliseconds * (Time.SystemClock.TscFrequency / 1000));
                waiters.Lock.Enter();
                if (System.Threading.Volatile.Read(ref s_inputEvents) == seen)
                    Scheduler.Scheduler.BlockOnLockedInterruptibly(waiters);   // releases the lock
                else
                    waiters.Lock.Exit();
                Scheduler.Scheduler.DisarmTimeout();
            }
        }

        /// <summary>How long a reader sleeps at most without an input event.</summary>
        private const ulong PollMilliseconds = 100;

        public static void Write(byte value)
        {
            if (!s_present)
                return;
            // Wait for the transmit holding register; bounded so that a wedged UART cannot hang the kernel.
            for (int spin = 0; spin < 100000 && (Cpu.InByte(Com1 + 5) & 0x20) == 0; spin++)
                Cpu.Pause();
            Cpu.OutByte(Com1, value);
        }

        private static delegate*<byte, void> s_inputConsumer;
        private static bool s_monitor;

        /// <summary>Ctrl-]: switches serial input between the console's program and the kernel shell (the monitor).</summary>
        public const byte MonitorKey = 0x1D;

        /// <summary>The kernel shell has the input (Ctrl-] was pressed while a program had it).</summary>
        public static bool InMonitor => s_monitor;

        /// <summary>
        /// Hands every received byte to 'consumer' (in the interrupt handler, interrupts masked; it must not block
        /// or allocate) instead of the kernel shell's buffer: POSIX-X's console terminal while a program has it
        /// open. Null gives input back to the kernel shell.
        /// </summary>
        public static void SetInputConsumer(delegate*<byte, void> consumer) => s_inputConsumer = consumer;

        // 1 while a processor drains the UART: the interrupt on one processor and the kernel shell's poll (TryRead) on
        // another would otherwise both read it and both store at the same head, losing a byte (seen at 2 processors
        // as a typed command with a letter missing).
        private static int s_draining;

        /// <summary>Interrupt handler: drains the UART into the ring buffer (or the input consumer); bytes beyond the buffer's room are counted.</summary>
        public static void HandleInterrupt()
        {
            // One drainer at a time; one that finds another at work leaves the bytes to it, and the drainer looks
            // again after letting go, so a byte that arrived meanwhile is not left behind (the interrupt is an edge).
            int before = System.Threading.Volatile.Read(ref s_inputEvents);
            do
            {
                if (System.Threading.Interlocked.CompareExchange(ref s_draining, 1, 0) != 0)
                    return;
                Drain();
                System.Threading.Volatile.Write(ref s_draining, 0);
            }
            while ((Cpu.InByte(Com1 + 5) & 0x01) != 0);
            if (System.Threading.Volatile.Read(ref s_inputEvents) != before)
                s_inputWaiters?.WakeAll();
        }

        private static void Drain()
        {
            while ((Cpu.InByte(Com1 + 5) & 0x01) != 0)
            {
                byte value = Cpu.InByte(Com1);
                if (value == MonitorKey)
                {
                    s_monitor = !s_monitor;
                    s_inputEvents++;
                    continue;
                }
                delegate*<byte, void> consumer = s_inputConsumer;
                if (consumer != null && !s_monitor)
                {
                    consumer(value);
                    continue;
                }
                if (s_receiveHead - s_receiveTail >= ReceiveBufferSize)
                {
                    s_droppedBytes++;
                    continue;
                }
                s_receiveBuffer[s_receiveHead & (ReceiveBufferSize - 1)] = value;
                s_receiveHead++;
                s_inputEvents++;
            }
        }

        /// <summary>Takes one received byte, or returns -1 when none is waiting.</summary>
        public static int TryRead()
        {
            if (s_receiveTail == s_receiveHead)
            {
                // Also poll, so that input works before interrupts are enabled.
                if ((Cpu.InByte(Com1 + 5) & 0x01) == 0)
                    return -1;
                bool enabled = Cpu.InterruptsEnabled;
                Cpu.DisableInterrupts();
                HandleInterrupt();
                if (enabled) Cpu.EnableInterrupts();
                if (s_receiveTail == s_receiveHead)
                    return -1;
            }
            byte value = s_receiveBuffer[s_receiveTail & (ReceiveBufferSize - 1)];
            s_receiveTail++;
            return value;
        }
    }
}
