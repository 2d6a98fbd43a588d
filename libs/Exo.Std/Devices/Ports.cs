using System.Runtime.InteropServices;

namespace Exo.Std.Devices
{
    /// <summary>IN and OUT on single bytes, for the ports this process enabled (IoPortRange.Enable); others fault.</summary>
    public static class Ports
    {
        [DllImport("*", EntryPoint = "ExoStdInByte"), SuppressGCTransition]
        private static extern byte InByteNative(ushort port);

        [DllImport("*", EntryPoint = "ExoStdOutByte"), SuppressGCTransition]
        private static extern void OutByteNative(ushort port, byte value);

        public static byte InByte(ushort port) => InByteNative(port);

        public static void OutByte(ushort port, byte value) => OutByteNative(port, value);
    }
}
