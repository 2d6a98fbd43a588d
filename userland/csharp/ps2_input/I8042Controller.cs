using Exo.Std.Devices;

namespace Ps2Input
{
    /// <summary>
    /// The i8042 keyboard controller through ports 0x60 (data) and 0x64 (status and commands), polled: every wait is
    /// bounded (<see cref="PollLimit"/> status reads), so a missing device makes a command fail instead of hanging.
    /// </summary>
    internal static class I8042Controller
    {
        public const ushort DataPort = 0x60, CommandPort = 0x64;
        public const byte StatusOutputFull = 0x01, StatusInputFull = 0x02, StatusAuxiliaryData = 0x20;
        public const byte Acknowledge = 0xFA;
        private const int PollLimit = 200_000;

        private const byte ReadConfiguration = 0x20, WriteConfiguration = 0x60, DisableAuxiliary = 0xA7, EnableAuxiliary = 0xA8,
            DisableKeyboard = 0xAD, EnableKeyboard = 0xAE, WriteToAuxiliary = 0xD4;
        // The configuration byte: interrupts of both ports, their clocks (a set bit stops one), set 2 to set 1 translation.
        private const byte KeyboardInterrupt = 0x01, AuxiliaryInterrupt = 0x02, KeyboardClockOff = 0x10, AuxiliaryClockOff = 0x20,
            Translation = 0x40;
        private const int FlushLimit = 64;

        public static byte Status => Ports.InByte(CommandPort);

        /// <summary>Both ports off, whatever is waiting read away, then both interrupts, both clocks and translation on
        /// (set 1 codes whatever set the keyboard speaks), and both ports on again. False if the controller does not answer.</summary>
        public static bool Initialize()
        {
            if (!Command(DisableKeyboard) || !Command(DisableAuxiliary))
                return false;
            for (int i = 0; i < FlushLimit && (Status & StatusOutputFull) != 0; i++)
                Ports.InByte(DataPort);
            if (!Command(ReadConfiguration) || !Read(out byte configuration))
                return false;
            configuration = (byte)((configuration | KeyboardInterrupt | AuxiliaryInterrupt | Translation) & ~(KeyboardClockOff | AuxiliaryClockOff));
            return Command(WriteConfiguration) && Write(configuration) && Command(EnableKeyboard) && Command(EnableAuxiliary);
        }

        /// <summary>Sends 'value' to the keyboard and reads its acknowledgement (polled: before the interrupts are bound).</summary>
        public static bool KeyboardCommand(byte value) => Write(value) && ReadAcknowledge();

        /// <summary>Sends 'value' to the mouse (through the controller's 0xD4) and reads its acknowledgement.</summary>
        public static bool MouseCommand(byte value) => Command(WriteToAuxiliary) && Write(value) && ReadAcknowledge();

        /// <summary>Sends 'value' to the keyboard without waiting for its answer (the interrupt handler skips acknowledgements).</summary>
        public static bool SendToKeyboard(byte value) => Write(value);

        public static bool Read(out byte value)
        {
            for (int i = 0; i < PollLimit; i++)
                if ((Status & StatusOutputFull) != 0)
                {
                    value = Ports.InByte(DataPort);
                    return true;
                }
            value = 0;
            return false;
        }

        private static bool ReadAcknowledge() => Read(out byte answer) && answer == Acknowledge;

        private static bool Command(byte command) => WaitInputEmpty() && Send(CommandPort, command);

        private static bool Write(byte value) => WaitInputEmpty() && Send(DataPort, value);

        private static bool Send(ushort port, byte value)
        {
            Ports.OutByte(port, value);
            return true;
        }

        private static bool WaitInputEmpty()
        {
            for (int i = 0; i < PollLimit; i++)
                if ((Status & StatusInputFull) == 0)
                    return true;
            return false;
        }
    }
}
