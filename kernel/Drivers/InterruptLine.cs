using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// A legacy (ISA) interrupt line owned by a user-mode driver (ObjectType.Interrupt). Once bound to a
    /// notification, each interrupt masks the line at the I/O APIC and signals the notification's bits; the
    /// driver quiets its device (for the RTC: reads register C), then acknowledges, which unmasks the line.
    /// One object per line at a time (claiming a taken line is refused); the last reference masks the line
    /// and frees it. Line irq arrives on vector FirstVector + irq.
    /// </summary>
    public sealed unsafe class InterruptLine : KernelObject
    {
        public const int FirstVector = 0x50;

        public readonly int Irq;
        private Notification _notification;
        private ulong _bits;

        // The owner of each line. Read by the interrupt handler under the lock, so an object is never used
        // after Destroy took it out; the handler allocates nothing.
        private static Sync.SpinLock s_lock;
        private static readonly InterruptLine[] s_lines = new InterruptLine[InterruptLinePolicy.IsaLines];
        private static ulong s_delivered;

        /// <summary>Interrupts delivered to drivers since boot (for tests).</summary>
        public static ulong Delivered => s_delivered;

        private InterruptLine(int irq) { Irq = irq; }

        /// <summary>The vectors' handlers, once at boot.</summary>
        internal static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.InterruptLines;
            for (int irq = 0; irq < InterruptLinePolicy.IsaLines; irq++)
                InterruptDispatcher.Register(FirstVector + irq, &OnInterrupt);
        }

        /// <summary>Takes line 'irq' for a driver (masked until bound); null with the error if it may not (Busy: the
        /// line has an owner already).</summary>
        public static InterruptLine Claim(ulong irq, out Error error)
        {
            if (!InterruptLinePolicy.IsValid(irq) || !IoApic.IsInitialized)
            {
                error = Error.Invalid;
                return null;
            }
            if (IsKernelOwned((int)irq))
            {
                error = Error.AccessDenied;
                return null;
            }
            int index = (int)irq;
            InterruptLine line = new InterruptLine(index);
            s_lock.Enter();
            bool free = s_lines[index] == null;
            if (free && IoApic.RouteIsaInterrupt(index, FirstVector + index, LocalApic.Id, masked: true))
                s_lines[index] = line;
            else
                free = false;
            s_lock.Exit();
            if (!free)
            {
                Exo.Runtime.ObjectAllocator.Free(line);
                error = Error.Busy;
                return null;
            }
            error = Error.None;
            return line;
        }

        // The kernel's own lines, and any line the MADT routes to the same I/O APIC input as one of them.
        private static bool IsKernelOwned(int irq)
        {
            if (InterruptLinePolicy.IsKernelLine((ulong)irq))
                return true;
            uint input = IoApic.GlobalInterruptOf(irq);
            for (int other = 0; other < InterruptLinePolicy.IsaLines; other++)
                if (InterruptLinePolicy.IsKernelLine((ulong)other) && IoApic.GlobalInterruptOf(other) == input)
                    return true;
            return false;
        }

        /// <summary>Signals 'bits' of 'notification' on each interrupt (replacing an earlier binding) and unmasks the line.</summary>
        public void Bind(Notification notification, ulong bits)
        {
            notification.AddReference();
            s_lock.Enter();
            Notification previous = _notification;
            _notification = notification;
            _bits = bits;
            IoApic.SetMasked(Irq, false);
            s_lock.Exit();
            previous?.Release();
        }

        /// <summary>The driver has dealt with the interrupt: unmask the line (if bound) for the next one.</summary>
        public void Acknowledge()
        {
            s_lock.Enter();
            if (_notification != null)
                IoApic.SetMasked(Irq, false);
            s_lock.Exit();
        }

        private static void OnInterrupt(RegisterFrame* frame)
        {
            int irq = (int)frame->Vector - FirstVector;
            s_lock.Enter();
            IoApic.SetMasked(irq, true);   // until the driver acknowledges (a stray one on a free line stays masked)
            InterruptLine line = s_lines[irq];
            if (line != null && line._notification != null)
            {
                s_delivered++;
                line._notification.Signal(line._bits);
            }
            s_lock.Exit();
        }

        protected override void Destroy()
        {
            s_lock.Enter();
            IoApic.SetMasked(Irq, true);
            if (s_lines[Irq] == this)
                s_lines[Irq] = null;
            Notification notification = _notification;
            _notification = null;
            s_lock.Exit();
            notification?.Release();
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        /// <summary>How many lines drivers own now (for tests: zero once they are gone).</summary>
        public static int Owned
        {
            get
            {
                int count = 0;
                s_lock.Enter();
                for (int irq = 0; irq < InterruptLinePolicy.IsaLines; irq++)
                    if (s_lines[irq] != null)
                        count++;
                s_lock.Exit();
                return count;
            }
        }

        public override void WriteDetails()
        {
            Console.KernelConsole.Write("  irq ");
            Console.KernelConsole.WriteDecimal((ulong)Irq);
        }
    }
}
