using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Acpi
{
    /// <summary>The MADT ("APIC" table): processors, I/O APICs and ISA interrupt overrides.</summary>
    public static unsafe class Madt
    {
        public const int ProcessorCapacity = 64;
        private struct ApicIdTable { public fixed byte Ids[ProcessorCapacity]; }
        private static ApicIdTable s_processorApicIds;
        private static int s_processorCount;
        private static ulong s_ioApicAddress;
        private static uint s_ioApicGlobalBase;
        private static int s_overrideCount;

        public static int ProcessorCount => s_processorCount;
        public static int OverrideCount => s_overrideCount;
        public static ulong IoApicAddress => s_ioApicAddress;
        public static byte ProcessorApicId(int index) => s_processorApicIds.Ids[index];

        /// <summary>Reads the MADT; configures the I/O APIC and its overrides. Returns false without one.</summary>
        public static bool Initialize()
        {
            byte* table = AcpiTables.Find("APIC");
            if (table == null)
                return false;
            uint length = AcpiTables.TableLength(table);
            for (uint offset = 44; offset + 2 <= length;)
            {
                byte type = table[offset];
                byte entryLength = table[offset + 1];
                if (entryLength < 2 || offset + entryLength > length)
                    break;
                byte* entry = table + offset;
                switch (type)
                {
                    case 0:   // processor local APIC: usable if enabled or online-capable
                        if ((*(uint*)(entry + 4) & 3) != 0 && s_processorCount < ProcessorCapacity)
                            s_processorApicIds.Ids[s_processorCount++] = entry[3];
                        break;
                    case 1:   // I/O APIC: the first one serves the ISA lines
                        if (s_ioApicAddress == 0)
                        {
                            s_ioApicAddress = *(uint*)(entry + 4);
                            s_ioApicGlobalBase = *(uint*)(entry + 8);
                        }
                        break;
                }
                offset += entryLength;
            }
            if (s_ioApicAddress == 0)
                return false;
            IoApic.Initialize(s_ioApicAddress, s_ioApicGlobalBase);
            for (uint offset = 44; offset + 2 <= length;)
            {
                byte entryLength = table[offset + 1];
                if (entryLength < 2 || offset + entryLength > length)
                    break;
                if (table[offset] == 2 && table[offset + 2] == 0)   // interrupt source override, ISA bus
                {
                    IoApic.SetOverride(table[offset + 3], *(uint*)(table + offset + 4), *(ushort*)(table + offset + 8));
                    s_overrideCount++;
                }
                offset += entryLength;
            }
            return true;
        }
    }
}
