using Exo.Kernel.Console;

namespace Exo.Kernel.Boot
{
    /// <summary>The shell's boot commands: the boot modules, and the programs in the initial RAM disk (exo/bin/).</summary>
    public static unsafe class BootShellCommands
    {
        public static void RegisterModules() => ShellCommands.Register("modules", "modules   boot modules", &Modules);

        public static void RegisterPrograms() => ShellCommands.Register("programs", "programs  the programs in the boot image (exo/bin)", &ListPrograms);

        private static void Modules(CommandLine* line)
        {
            BootInformation* boot = KernelMain.Boot;
            if (boot->ModuleCount == 0)
            {
                KernelConsole.WriteLine("no boot modules");
                return;
            }
            for (int i = 0; i < boot->ModuleCount; i++)
            {
                BootModule* module = boot->Modules + i;
                KernelConsole.Write("  ");
                KernelConsole.WriteHex(module->Start, 8);
                KernelConsole.Write("-");
                KernelConsole.WriteHex(module->End, 8);
                KernelConsole.Write("  ");
                KernelConsole.WriteSize(module->End - module->Start);
                KernelConsole.Write("  ");
                KernelConsole.Write(module->Name, module->NameLength);
                KernelConsole.WriteLine();
            }
        }

        private static void ListPrograms(CommandLine* line)
        {
            ulong offset = 0;
            int count = 0;
            while (InitialRamDisk.Next(ref offset, out CpioEntry entry) == CpioError.None)
            {
                if (!entry.IsRegularFile || !CpioArchive.IsIn(entry, InitialRamDisk.ProgramDirectory, out byte* name, out int nameLength))
                    continue;
                KernelConsole.Write("  ");
                KernelConsole.Write(name, nameLength);
                KernelConsole.Write("  ");
                KernelConsole.WriteSize(entry.Size);
                KernelConsole.WriteLine();
                count++;
            }
            if (!InitialRamDisk.IsPresent)
                KernelConsole.WriteLine("no programs (the boot image has no initial RAM disk)");
            else if (count == 0)
                KernelConsole.WriteLine("no programs (the initial RAM disk has nothing in exo/bin/)");
        }
    }
}
