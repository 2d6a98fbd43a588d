using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Power;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux's reboot(2), for busybox's and procps' poweroff -f, reboot -f and halt -f: root only (EPERM), Linux's two
    /// magic numbers (EINVAL otherwise), then the command: power off (ACPI S5, else QEMU's exit device), restart (the
    /// ACPI reset register, else the keyboard controller), halt (powered off too: a halted emulator would only hang),
    /// Ctrl-Alt-Del on or off (accepted: the serial console has no such key). Like Linux, it does not sync: the
    /// caller does (busybox and systemd sync first); ringfs servers write each change before they answer anyway.
    /// </summary>
    public static unsafe class PowerCalls
    {
        private const uint Magic = 0xFEE1DEAD;
        private const uint SecondMagic1 = 672274793, SecondMagic2 = 85072278, SecondMagic3 = 369367448, SecondMagic4 = 537993216;
        private const uint Restart = 0x01234567, Halt = 0xCDEF0123, PowerOff = 0x4321FEDC, RestartWithCommand = 0xA1B2C3D4,
            ControlAltDeleteOn = 0x89ABCDEF, ControlAltDeleteOff = 0;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Reboot, &DoReboot, CallPath.Hybrid);
        }

        // reboot(magic, magic2, command, argument): the argument is RESTART2's command string (read, then unused).
        private static ulong DoReboot(RegisterFrame* frame)
        {
            if (LinuxProcess.Current.Credentials.EffectiveUserId != 0)
                return SystemCallResult.From(Error.NotPermitted);
            uint magic = (uint)frame->Argument0, magic2 = (uint)frame->Argument1, command = (uint)frame->Argument2;
            if (magic != Magic || (magic2 != SecondMagic1 && magic2 != SecondMagic2 && magic2 != SecondMagic3 && magic2 != SecondMagic4))
                return SystemCallResult.From(Error.Invalid);
            byte first;
            switch (command)
            {
                case ControlAltDeleteOn:
                case ControlAltDeleteOff:
                    return 0;
                case RestartWithCommand:
                    if (!UserMemory.CopyFromUser(&first, frame->Argument3, 1))
                        return SystemCallResult.From(Error.BadAddress);
                    Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: reboot(2): restarting");
                    MachinePower.Restart();
                    return 0;
                case Restart:
                    Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: reboot(2): restarting");
                    MachinePower.Restart();
                    return 0;
                case Halt:
                case PowerOff:
                    Exo.Kernel.Console.KernelConsole.WriteLine("posix_x: reboot(2): powering off");
                    MachinePower.PowerOff();
                    return 0;
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
        }
    }
}
