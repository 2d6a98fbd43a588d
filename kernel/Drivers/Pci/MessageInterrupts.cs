using Exo.Kernel.Arch.X64;
using Exo.Kernel.Ipc;

namespace Exo.Kernel.Drivers.Pci
{
    /// <summary>
    /// The vectors the kernel gives PCI functions' MSI-X entries and MSI messages: <see cref="VectorCount"/> of them from
    /// <see cref="FirstVector"/> (an explicit limit, Busy when all are taken), each delivered to the bootstrap
    /// processor as a fixed, edge-triggered message. The kernel writes the message address and data itself
    /// (PciDevice.BindMessageInterrupt), so a driver can raise only its own vectors. Each interrupt signals the
    /// bits of the notification bound to its vector (no allocation, no masking: a message is an edge, and the
    /// driver reads its device's state after each wake-up).
    /// </summary>
    public static unsafe class MessageInterrupts
    {
        public const int FirstVector = 0x60;
        public const int VectorCount = 32;
        /// <summary>MSI-X entries one function may have bound at once (MSI: one message).</summary>
        public const int MaximumPerFunction = 8;
        private const uint MessageAddressBase = 0xFEE00000;

        private static Sync.SpinLock s_lock;
        private static readonly bool[] s_taken = new bool[VectorCount];
        private static readonly Notification[] s_notifications = new Notification[VectorCount];
        private static readonly ulong[] s_bits = new ulong[VectorCount];
        private static uint s_destination;
        private static ulong s_delivered;

        /// <summary>Message-signalled interrupts delivered to drivers since boot (for tests).</summary>
        public static ulong Delivered => s_delivered;

        /// <summary>The address every message is written to: the bootstrap processor's local APIC.</summary>
        public static uint MessageAddress => MessageAddressBase | s_destination << 12;

        public static uint MessageData(int vector) => (uint)(FirstVector + vector);   // fixed delivery, edge

        internal static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.MessageInterrupts;
            s_destination = LocalApic.Id;
            for (int vector = 0; vector < VectorCount; vector++)
                InterruptDispatcher.Register(FirstVector + vector, &OnInterrupt);
        }

        /// <summary>Takes a free vector and binds it to 'bits' of 'notification'; -1 if every vector is taken.</summary>
        public static int Allocate(Notification notification, ulong bits)
        {
            notification.AddReference();
            using (s_lock.Hold())
            {
                for (int vector = 0; vector < VectorCount; vector++)
                {
                    if (s_taken[vector])
                        continue;
                    s_taken[vector] = true;
                    s_notifications[vector] = notification;
                    s_bits[vector] = bits;
                    return vector;
                }
            }
            notification.Release();
            return -1;
        }

        /// <summary>Binds a vector already taken to other bits or another notification.</summary>
        public static void Rebind(int vector, Notification notification, ulong bits)
        {
            notification.AddReference();
            Notification previous;
            using (s_lock.Hold())
            {
                previous = s_notifications[vector];
                s_notifications[vector] = notification;
                s_bits[vector] = bits;
            }
            previous?.Release();
        }

        /// <summary>Gives a vector back (its function's entry is masked or its MSI disabled first, so no message comes after).</summary>
        public static void Free(int vector)
        {
            Notification previous;
            using (s_lock.Hold())
            {
                previous = s_notifications[vector];
                s_notifications[vector] = null;
                s_taken[vector] = false;
            }
            previous?.Release();
        }

        /// <summary>How many vectors are taken (for tests: zero once the drivers are gone).</summary>
        public static int Taken
        {
            get
            {
                int count = 0;
                using (s_lock.Hold())
                    for (int vector = 0; vector < VectorCount; vector++)
                        if (s_taken[vector])
                            count++;
                return count;
            }
        }

        private static void OnInterrupt(RegisterFrame* frame)
        {
            int vector = (int)frame->Vector - FirstVector;
            using (s_lock.Hold())
            {
                Notification notification = s_notifications[vector];
                if (notification != null)
                {
                    s_delivered++;
                    notification.Signal(s_bits[vector]);
                }
            }
        }
    }
}
