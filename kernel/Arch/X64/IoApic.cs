using Exo.Kernel.Memory;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>The I/O APIC: routes legacy (ISA) interrupt lines to vectors on the boot CPU.</summary>
    public static unsafe class IoApic
    {
        public const ulong DefaultAddress = 0xFEC00000;
        private static byte* s_registers;
        private static uint s_globalBase;
        private static int s_redirectionCount;

        // ISA IRQ -> (global system interrupt, flags) from the ACPI MADT's interrupt source overrides.
        private struct OverrideTable { public fixed uint GlobalInterrupt[16]; public fixed ushort Flags[16]; }
        private static OverrideTable s_overrides;

        public static bool IsInitialized => s_registers != null;
        public static int RedirectionCount => s_redirectionCount;

        public static void Initialize(ulong physicalAddress, uint globalBase)
        {
            s_registers = (byte*)PhysicalMemory.ToVirtual(physicalAddress);
            s_globalBase = globalBase;
            s_redirectionCount = (int)((Read(1) >> 16) & 0xFF) + 1;
            for (int irq = 0; irq < 16; irq++)
            {
                s_overrides.GlobalInterrupt[irq] = (uint)irq;
                s_overrides.Flags[irq] = 0;
            }
            for (int pin = 0; pin < s_redirectionCount; pin++)
                WriteRedirection(pin, 1UL << 16);   // masked
        }

        public static void SetOverride(int isaIrq, uint globalInterrupt, ushort flags)
        {
            if (isaIrq < 0 || isaIrq >= 16)
                return;
            s_overrides.GlobalInterrupt[isaIrq] = globalInterrupt;
            s_overrides.Flags[isaIrq] = flags;
        }

        /// <summary>Delivers ISA IRQ 'isaIrq' as 'vector' to the local APIC with id 'apicId'.</summary>
        public static bool RouteIsaInterrupt(int isaIrq, int vector, uint apicId)
        {
            int pin = (int)(s_overrides.GlobalInterrupt[isaIrq] - s_globalBase);
            if (pin < 0 || pin >= s_redirectionCount)
                return false;
            ushort flags = s_overrides.Flags[isaIrq];
            ulong entry = (ulong)vector;
            if ((flags & 0x3) == 0x3) entry |= 1UL << 13;            // active low
            if (((flags >> 2) & 0x3) == 0x3) entry |= 1UL << 15;     // level triggered
            entry |= (ulong)apicId << 56;
            WriteRedirection(pin, entry);
            return true;
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
