using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Power
{
    /// <summary>
    /// QEMU's isa-debug-exit device (port 0xF4): QEMU exits with status (value &lt;&lt; 1) | 1.
    /// The values are the contract with the host tools (docs/serial-protocols.md).
    /// </summary>
    public static class QemuDebugExit
    {
        public const uint Success = 0x00;        // QEMU status 1
        public const uint TestsFailed = 0x01;    // QEMU status 3
        public const uint Panic = 0x20;          // QEMU status 65
        private const ushort Port = 0xF4;

        /// <summary>Exits QEMU when the device is present; otherwise returns and the caller halts.</summary>
        public static void Exit(uint value) => Cpu.OutDword(Port, value);
    }
}
