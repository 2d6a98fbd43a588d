using System.Runtime.InteropServices;

namespace Exo.Kernel.Diagnostics
{
    /// <summary>
    /// Address-to-name lookup over the symbol table embedded at link time: count, then sorted
    /// (address, name offset) pairs, then NUL-terminated names.
    /// </summary>
    public static unsafe class KernelSymbols
    {
        [DllImport("*", EntryPoint = "ExoGetKernelSymbols"), SuppressGCTransition]
        private static extern ulong* GetTable();

        /// <summary>Finds the symbol containing 'address'; returns its name (NUL-terminated) and start, or null.</summary>
        public static byte* Find(ulong address, out ulong symbolStart)
        {
            symbolStart = 0;
            ulong* table = GetTable();
            if (table == null || table[0] == 0)
                return null;
            ulong count = table[0];
            ulong* entries = table + 1;
            byte* names = (byte*)(entries + 2 * count);
            if (address < entries[0])
                return null;
            // Last entry whose address is <= the one asked for.
            ulong low = 0, high = count - 1;
            while (low < high)
            {
                ulong middle = (low + high + 1) / 2;
                if (entries[2 * middle] <= address) low = middle; else high = middle - 1;
            }
            symbolStart = entries[2 * low];
            return names + entries[2 * low + 1];
        }

        /// <summary>Exact match only: used to name a type from its MethodTable address.</summary>
        public static byte* FindExact(ulong address)
        {
            byte* name = Find(address, out ulong start);
            return start == address ? name : null;
        }
    }
}
