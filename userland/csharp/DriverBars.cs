using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;

namespace Exo.Drivers.Virtio
{
    /// <summary>
    /// A driver's BARs as the device manager hands them over: the command line names each BAR's index from argument
    /// 'firstArgument' on, and startup handle 1 + i is the physical range of the i-th one named. Each is mapped into
    /// 'mapped' at its index (6 entries; the unnamed ones null).
    /// </summary>
    internal static unsafe class DriverBars
    {
        public const int MaximumBars = 6;

        public static bool Map(int firstArgument, int bars, byte** mapped)
        {
            for (int i = 0; i < MaximumBars; i++)
                mapped[i] = null;
            for (int i = 0; i < bars; i++)
            {
                Process.TryGetArgument(firstArgument + i, out byte* bar, out int length);
                int index = length == 1 ? bar[0] - '0' : -1;
                if (index < 0 || index >= MaximumBars || new PhysicalRange(Process.StartupHandle(1 + i)).Map(0, true, out mapped[index]) != Error.None)
                    return false;
            }
            return true;
        }
    }
}
