using Exo.Kernel.Memory;

namespace Exo.Kernel.Acpi
{
    /// <summary>
    /// Finds ACPI tables: the root pointer (from the boot loader, else the BIOS areas), then RSDT or XSDT,
    /// checking every checksum. Tables are read in place through the direct map.
    /// </summary>
    public static unsafe class AcpiTables
    {
        private static byte* s_root;            // RSDT or XSDT
        private static bool s_extended;         // XSDT: 64-bit entries
        private static int s_revision;

        public static bool IsAvailable => s_root != null;
        public static int Revision => s_revision;

        public static bool Initialize(byte* rsdpFromBootLoader, int rsdpLength)
        {
            byte* rsdp = null;
            if (rsdpFromBootLoader != null && rsdpLength >= 20 && IsRsdp(rsdpFromBootLoader))
                rsdp = rsdpFromBootLoader;
            if (rsdp == null)
            {
                ushort ebdaSegment = *(ushort*)PhysicalMemory.ToVirtual(0x40E);
                rsdp = ScanForRsdp((ulong)ebdaSegment << 4, 1024);
                if (rsdp == null)
                    rsdp = ScanForRsdp(0xE0000, 0x20000);
            }
            if (rsdp == null)
                return false;
            s_revision = rsdp[15];
            ulong xsdt = s_revision >= 2 ? *(ulong*)(rsdp + 24) : 0;
            if (xsdt != 0 && Checksum((byte*)PhysicalMemory.ToVirtual(xsdt), TableLength((byte*)PhysicalMemory.ToVirtual(xsdt))) == 0)
            {
                s_root = (byte*)PhysicalMemory.ToVirtual(xsdt);
                s_extended = true;
            }
            else
            {
                byte* rsdt = (byte*)PhysicalMemory.ToVirtual(*(uint*)(rsdp + 16));
                if (Checksum(rsdt, TableLength(rsdt)) != 0)
                    return false;
                s_root = rsdt;
                s_extended = false;
            }
            return true;
        }

        /// <summary>The table with the 4-character signature, checksum verified, or null.</summary>
        public static byte* Find(string signature)
        {
            if (s_root == null)
                return null;
            uint length = TableLength(s_root);
            int entrySize = s_extended ? 8 : 4;
            for (uint offset = 36; offset + entrySize <= length; offset += (uint)entrySize)
            {
                ulong physical = s_extended ? *(ulong*)(s_root + offset) : *(uint*)(s_root + offset);
                byte* table = (byte*)PhysicalMemory.ToVirtual(physical);
                if (HasSignature(table, signature) && Checksum(table, TableLength(table)) == 0)
                    return table;
            }
            return null;
        }

        public static uint TableLength(byte* table) => *(uint*)(table + 4);

        public static bool HasSignature(byte* table, string signature)
        {
            for (int i = 0; i < 4; i++)
                if (table[i] != signature[i])
                    return false;
            return true;
        }

        private static byte* ScanForRsdp(ulong start, ulong length)
        {
            if (start == 0)
                return null;
            for (ulong address = start; address < start + length; address += 16)
            {
                byte* candidate = (byte*)PhysicalMemory.ToVirtual(address);
                if (IsRsdp(candidate))
                    return candidate;
            }
            return null;
        }

        private static bool IsRsdp(byte* candidate)
        {
            string signature = "RSD PTR ";
            for (int i = 0; i < 8; i++)
                if (candidate[i] != signature[i])
                    return false;
            return Checksum(candidate, 20) == 0;
        }

        public static byte Checksum(byte* data, uint length)
        {
            if (length > 1 << 20)
                return 1;
            byte sum = 0;
            for (uint i = 0; i < length; i++)
                sum += data[i];
            return sum;
        }
    }
}
