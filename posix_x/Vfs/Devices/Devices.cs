namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Character devices by number, as Linux numbers them (major, minor): what opening a device node gives. The
    /// nodes live in /dev, a tmpfs made at boot (RootFileSystem), like Linux's devtmpfs.
    /// </summary>
    public static class Devices
    {
        public const int MemoryMajor = 1, TerminalMajor = 5, SerialMajor = 4;
        public const int Null = 3, Zero = 5, Full = 7, Random = 8, RandomNonBlocking = 9;
        public const int CurrentTerminal = 0, Console = 1, PseudoTerminalMultiplexer = 2;
        /// <summary>Unix 98 pseudo-terminal slaves, /dev/pts/N (136:N).</summary>
        public const int PseudoTerminalSlaveMajor = 136;
        public const int FirstSerial = 64;
        /// <summary>OSS's sound devices (major 14): /dev/dsp, minor 3.</summary>
        public const int SoundMajor = 14, Dsp = 3;
        /// <summary>/dev/exo/NAME, native services' channels (ServiceChannelDevices): a number from Linux's range for local use.</summary>
        public const int ServiceChannelMajor = 240;

        public static ulong Number(int major, int minor) => (ulong)((major << 8) | minor);
        public static int Major(ulong device) => (int)((device >> 8) & 0xFFF);
        public static int Minor(ulong device) => (int)(device & 0xFF);

        public static Error Open(Vnode node, int flags, out OpenFile file)
        {
            int major = Major(node.Device), minor = Minor(node.Device);
            file = null;
            if (major == MemoryMajor)
            {
                switch (minor)
                {
                    case Null: file = new MemoryDeviceFile(node, flags, MemoryDeviceFile.Kind.Null); return Error.None;
                    case Zero: file = new MemoryDeviceFile(node, flags, MemoryDeviceFile.Kind.Zero); return Error.None;
                    case Full: file = new MemoryDeviceFile(node, flags, MemoryDeviceFile.Kind.Full); return Error.None;
                    case Random:
                    case RandomNonBlocking: file = new MemoryDeviceFile(node, flags, MemoryDeviceFile.Kind.Random); return Error.None;
                }
            }
            else if (major == TerminalMajor && minor == CurrentTerminal)
            {
                // The caller's controlling terminal: a pseudo-terminal its session controls, else the console.
                Tty.PseudoTerminal controlling = Tty.PseudoTerminal.OfSession(KernelInterface.LinuxProcess.Current?.Session ?? 0);
                return controlling != null ? Tty.PseudoTerminal.OpenControlling(controlling, flags, out file)
                    : Tty.ConsoleTerminal.Open(node, flags, out file);
            }
            else if ((major == TerminalMajor && minor == Console) || (major == SerialMajor && minor == FirstSerial))
            {
                return Tty.ConsoleTerminal.Open(node, flags, out file);
            }
            else if (major == TerminalMajor && minor == PseudoTerminalMultiplexer)
            {
                return Tty.PseudoTerminal.OpenMaster(node, flags, out file);
            }
            else if (major == PseudoTerminalSlaveMajor)
            {
                return Tty.PseudoTerminal.OpenSlave(node, minor, flags, out file);
            }
            else if (major == SoundMajor && minor == Dsp)
            {
                return DspFile.Open(node, flags, out file);
            }
            else if (major == ServiceChannelMajor)
            {
                return ServiceChannelFile.Open(node, flags, minor, out file);
            }
            return Error.NoSuchDevice;
        }
    }
}
