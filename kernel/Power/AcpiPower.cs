using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Time;

namespace Exo.Kernel.Power
{
    /// <summary>
    /// Shutdown (ACPI S5) and reboot (the FADT reset register, then the keyboard controller). The S5 sleep
    /// type comes from the \_S5 package in the DSDT, read from its AML bytes.
    /// </summary>
    public static unsafe class AcpiPower
    {
        private static uint s_pm1aControl, s_pm1bControl;
        private static uint s_smiCommand;
        private static byte s_acpiEnable;
        private static ushort s_sleepTypeA, s_sleepTypeB;
        private static bool s_canShutdown;
        private static byte s_resetSpace, s_resetValue;
        private static ulong s_resetAddress;
        private static bool s_hasResetRegister;

        public static bool CanShutdown => s_canShutdown;

        public static void Initialize()
        {
            byte* fadt = AcpiTables.Find("FACP");
            if (fadt == null)
                return;
            uint length = AcpiTables.TableLength(fadt);
            s_smiCommand = *(uint*)(fadt + 48);
            s_acpiEnable = fadt[52];
            s_pm1aControl = *(uint*)(fadt + 64);
            s_pm1bControl = *(uint*)(fadt + 68);
            if (length >= 129 && (*(uint*)(fadt + 112) & (1 << 10)) != 0)
            {
                s_hasResetRegister = true;
                s_resetSpace = fadt[116];
                s_resetAddress = *(ulong*)(fadt + 120);
                s_resetValue = fadt[128];
            }
            ReservePorts();
            ulong dsdtPhysical = length >= 148 && *(ulong*)(fadt + 140) != 0 ? *(ulong*)(fadt + 140) : *(uint*)(fadt + 40);
            if (dsdtPhysical == 0 || s_pm1aControl == 0)
                return;
            byte* dsdt = (byte*)PhysicalMemory.ToVirtual(dsdtPhysical);
            if (!AcpiTables.HasSignature(dsdt, "DSDT"))
                return;
            s_canShutdown = FindSleepTypes(dsdt, AcpiTables.TableLength(dsdt));
        }

        // The ports this class drives are the kernel's: no driver may be given them (Drivers.IoPortPolicy).
        private static void ReservePorts()
        {
            bool reserved = true;
            if (s_pm1aControl != 0) reserved &= Drivers.IoPortPolicy.Reserve((int)s_pm1aControl, 2);
            if (s_pm1bControl != 0) reserved &= Drivers.IoPortPolicy.Reserve((int)s_pm1bControl, 2);
            if (s_smiCommand != 0) reserved &= Drivers.IoPortPolicy.Reserve((int)s_smiCommand, 1);
            if (s_hasResetRegister && s_resetSpace == 1) reserved &= Drivers.IoPortPolicy.Reserve((int)s_resetAddress, 1);
            if (!reserved)
                Console.KernelConsole.WriteLine("warning: an ACPI port could not be reserved from drivers");
        }

        /// <summary>Finds "_S5_" followed by a package and reads its first two integers.</summary>
        private static bool FindSleepTypes(byte* aml, uint length)
        {
            for (uint i = 36; i + 8 < length; i++)
            {
                if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_')
                    continue;
                // A name object (NameOp, optionally with a root prefix) then PackageOp.
                if (!(aml[i - 1] == 0x08 || (aml[i - 2] == 0x08 && aml[i - 1] == '\\')))
                    continue;
                uint position = i + 4;
                if (aml[position] != 0x12)
                    continue;
                position++;
                position += (uint)((aml[position] >> 6) & 3) + 1;   // package length encoding
                position++;                                          // element count
                if (!ReadInteger(aml, ref position, length, out s_sleepTypeA))
                    return false;
                if (!ReadInteger(aml, ref position, length, out s_sleepTypeB))
                    s_sleepTypeB = 0;
                return true;
            }
            return false;
        }

        private static bool ReadInteger(byte* aml, ref uint position, uint length, out ushort value)
        {
            value = 0;
            if (position >= length)
                return false;
            byte op = aml[position];
            if (op == 0x0A) { value = aml[position + 1]; position += 2; return true; }   // BytePrefix
            if (op == 0x00 || op == 0x01) { value = op; position += 1; return true; }    // Zero, One
            if (op == 0x0B) { value = *(ushort*)(aml + position + 1); position += 3; return true; }
            return false;
        }

        /// <summary>Powers off through ACPI S5. Returns only if that did not work.</summary>
        public static void Shutdown()
        {
            if (!s_canShutdown)
                return;
            Cpu.DisableInterrupts();
            if ((Cpu.InWord((ushort)s_pm1aControl) & 1) == 0 && s_smiCommand != 0 && s_acpiEnable != 0)
            {
                Cpu.OutByte((ushort)s_smiCommand, s_acpiEnable);   // hand ACPI to the OS (sets SCI_EN)
                for (int i = 0; i < 1000 && (Cpu.InWord((ushort)s_pm1aControl) & 1) == 0; i++)
                    SystemClock.SpinMicroseconds(100);
            }
            Cpu.OutWord((ushort)s_pm1aControl, (ushort)((s_sleepTypeA << 10) | (1 << 13)));
            if (s_pm1bControl != 0)
                Cpu.OutWord((ushort)s_pm1bControl, (ushort)((s_sleepTypeB << 10) | (1 << 13)));
            SystemClock.SpinMicroseconds(100_000);
        }

        /// <summary>Resets the machine. Returns only if every way failed.</summary>
        public static void Reboot()
        {
            Cpu.DisableInterrupts();
            if (s_hasResetRegister && s_resetSpace == 1)
            {
                Cpu.OutByte((ushort)s_resetAddress, s_resetValue);
                SystemClock.SpinMicroseconds(50_000);
            }
            // The keyboard controller's reset line.
            for (int i = 0; i < 10000 && (Cpu.InByte(0x64) & 2) != 0; i++)
                Cpu.Pause();
            Cpu.OutByte(0x64, 0xFE);
            SystemClock.SpinMicroseconds(50_000);
        }
    }
}
