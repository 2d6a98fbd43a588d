using Exo.Kernel.Memory;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// The I/O APIC: routes legacy (ISA) interrupt lines to vectors. Its registers are reached through an index
    /// and a data window, so every access holds <see cref="s_lock"/> (masking interrupts): a driver's line is
    /// masked from an interrupt handler on one processor while another unmasks it for an acknowledgement.
    /// </summary>
    public static unsafe class IoApic
    {
        public const ulong DefaultAddress = 0xFEC00000;
        public const int IsaLines = 16;
        private static byte* s_registers;
        private static ulong s_physicalAddress;
        private static Sync.SpinLock s_lock;
        private static uint s_globalBase;
        private static int s_redirectionCount;

        // ISA IRQ -> (global system interrupt, flags) from the ACPI MADT's interrupt source overrides.
        private struct OverrideTable { public fixed uint GlobalInterrupt[16]; public fixed ushort Flags[16]; }
        private static OverrideTable s_overrides;

        public static bool IsInitialized => s_registers != null;
        public static int RedirectionCount => s_redirectionCount;
        /// <summary>Where its registers are (a page no driver may map).</summary>
        public static ulong PhysicalAddress => s_physicalAddress;

        public static void Initialize(ulong physicalAddress, uint globalBase)
        {
            s_lock.Rank = Sync.LockRank.IoApic;
            s_registers = (byte*)PhysicalMemory.ToVirtual(physicalAddress);
            s_physicalAddress = physicalAddress;
            s_globalBase = globalBase;
            s_redirectionCount = (int)((Read(1) >> 16) & 0xFF) + 1;
            for (int irq = 0; irq < IsaLines; irq++)
            {
                s_overrides.GlobalInterrupt[irq] = (uint)irq;
                s_overrides.Flags[irq] = 0;
            }
            for (int pin = 0; pin < s_redirectionCount; pin++)
                WriteRedirection(pin, 1UL << 16);   // masked
        }

        public static void SetOverride(int isaIrq, uint globalInterrupt, ushort flags)
        {
            if (isaIrq < 0 || isaIrq >= IsaLines)
                return;
            s_overrides.GlobalInterrupt[isaIrq] = globalInterrupt;
            s_overrides.Flags[isaIrq] = flags;
        }

        /// <summary>Delivers ISA IRQ 'isaIrq' as 'vector' to the local APIC with id 'apicId' ('masked': routed but held back).</summary>
        public static bool RouteIsaInterrupt(int isaIrq, int vector, uint apicId, bool masked = false)
        {
            int pin = PinOf(isaIrq);
            if (pin < 0)
                return false;
            ushort flags = s_overrides.Flags[isaIrq];
            ulong entry = (ulong)vector;
            if ((flags & 0x3) == 0x3) entry |= 1UL << 13;            // active low
            if (((flags >> 2) & 0x3) == 0x3) entry |= 1UL << 15;     // level triggered
            if (masked) entry |= MaskBit;
            entry |= (ulong)apicId << 56;
            s_lock.Enter();
            WriteRedirection(pin, entry);
            s_lock.Exit();
            return true;
        }

        /// <summary>Masks or unmasks ISA IRQ 'isaIrq''s pin (from interrupt handlers too: no allocation).</summary>
        public static void SetMasked(int isaIrq, bool masked)
        {
            int pin = PinOf(isaIrq);
            if (pin < 0)
                return;
            uint register = (uint)(0x10 + pin * 2);
            s_lock.Enter();
            uint low = Read(register);
            Write(register, masked ? low | (uint)MaskBit : low & ~(uint)MaskBit);
            s_lock.Exit();
        }

        /// <summary>
        /// ISA IRQ 'isaIrq''s redirection entry as the I/O APIC holds it (its vector, mask bit and destination
        /// APIC id); false if the line has no pin here.
        /// </summary>
        public static bool ReadRoute(int isaIrq, out int vector, out bool masked, out uint apicId)
        {
            vector = 0;
            masked = true;
            apicId = 0;
            int pin = PinOf(isaIrq);
            if (pin < 0)
                return false;
            s_lock.Enter();
            uint low = Read((uint)(0x10 + pin * 2));
            uint high = Read((uint)(0x10 + pin * 2 + 1));
            s_lock.Exit();
            vector = (int)(low & 0xFF);
            masked = (low & MaskBit) != 0;
            apicId = high >> 24;
            return true;
        }

        /// <summary>The global system interrupt ISA IRQ 'isaIrq' arrives on (after the MADT's overrides).</summary>
        public static uint GlobalInterruptOf(int isaIrq) => s_overrides.GlobalInterrupt[isaIrq];

        private const ulong MaskBit = 1UL << 16;

        // The I/O APIC pin of an ISA IRQ, or -1 if it has none here.
        private static int PinOf(int isaIrq)
        {
            if (s_registers == null || isaIrq < 0 || isaIrq >= IsaLines)
                return -1;
            int pin = (int)(s_overrides.GlobalInterrupt[isaIrq] - s_globalBase);
            return pin >= 0 && pin < s_redirectionCount ? pin : -1;
        }

        private static uint Read(uint register)
        {
            System.Threading.Volatile.Write(ref *(uint*)s_registers, register);
            return System.Threading.Volatile.Read(ref *(uint*)(s_registers + 0x10));
        }

        private static void Write(uint register, uint value)
        {
            System.Threading.Volatile.Write(ref *(uint*)s_registers, register);
            System.Threading.Volatile.Write(ref *(uint*)(s_registers + 0x10), value);
        }

        private static void WriteRedirection(int pin, ulong entry)
        {
            Write((uint)(0x10 + pin * 2), (uint)entry);
            Write((uint)(0x10 + pin * 2 + 1), (uint)(entry >> 32));
        }
    }
}
