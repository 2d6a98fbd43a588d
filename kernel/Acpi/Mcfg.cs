namespace Exo.Kernel.Acpi
{
    /// <summary>
    /// The ACPI MCFG table: where PCI Express's memory-mapped configuration space (ECAM) lies. Each entry after
    /// the 44-byte header is 16 bytes: base address (8), segment group (2), first and last bus (1 each), 4
    /// reserved. The kernel uses segment 0 only.
    /// </summary>
    public static unsafe class Mcfg
    {
        private const int EntriesOffset = 44;
        private const int EntrySize = 16;

        /// <summary>Segment 0's ECAM window: base address (of bus 0, even when the first bus is not 0) and its bus range.</summary>
        public static bool FindSegmentZero(out ulong baseAddress, out int firstBus, out int lastBus)
        {
            baseAddress = 0;
            firstBus = lastBus = 0;
            byte* table = AcpiTables.Find("MCFG");
            if (table == null)
                return false;
            uint length = AcpiTables.TableLength(table);
            for (uint offset = EntriesOffset; offset + EntrySize <= length; offset += EntrySize)
            {
                byte* entry = table + offset;
                if (*(ushort*)(entry + 8) != 0)
                    continue;
                firstBus = entry[10];
                lastBus = entry[11];
                baseAddress = *(ulong*)entry;
                return lastBus >= firstBus && baseAddress != 0;
            }
            return false;
        }
    }
}
