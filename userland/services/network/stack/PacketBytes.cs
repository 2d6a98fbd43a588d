namespace Exo.Network
{
    /// <summary>Copies, comparisons and fills of packet bytes (no allocation; the areas do not overlap).</summary>
    internal static unsafe class PacketBytes
    {
        public static void Copy(byte* from, byte* to, int count)
        {
            if (count > 0)
                System.Buffer.MemoryCopy(from, to, count, count);
        }

        public static bool Same(byte* a, byte* b, int count)
        {
            for (int i = 0; i < count; i++)
                if (a[i] != b[i])
                    return false;
            return true;
        }

        public static void Zero(byte* to, int count)
        {
            for (int i = 0; i < count; i++)
                to[i] = 0;
        }
    }
}
