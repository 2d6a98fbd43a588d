using Exo.Kernel.Memory;

namespace Exo.Kernel.Boot
{
    /// <summary>
    /// The boot image's initial RAM disk: the first boot module whose contents are a cpio "newc" archive, the
    /// root file system's tree (built by tools/Exo.ImageTool; userland/rootfs/README.md). Exo-OS's programs are
    /// looked up by name in exo/bin/, init's configurations in exo/config/; its memory stays reserved.
    /// </summary>
    public static unsafe class InitialRamDisk
    {
        public const string ProgramDirectory = "exo/bin/";
        public const string ConfigurationDirectory = "exo/config/";

        private static byte* s_archive;
        private static ulong s_length;
        // Where each directory's entries start: a spawn's lookup skips the hundreds of entries before them.
        private static ulong s_programs, s_configurations;

        public static bool IsPresent => s_archive != null;

        /// <summary>Finds the archive among the boot modules (the first one that starts with the newc magic).</summary>
        public static void Initialize(BootInformation* boot)
        {
            for (int i = 0; i < boot->ModuleCount; i++)
            {
                BootModule* module = boot->Modules + i;
                byte* start = (byte*)PhysicalMemory.ToVirtual(module->Start);
                ulong length = module->End - module->Start;
                if (length >= 6 && start[0] == '0' && start[1] == '7' && start[2] == '0' && start[3] == '7'
                    && start[4] == '0' && start[5] == '1')
                {
                    s_archive = start;
                    s_length = length;
                    CpioArchive.FindFirstIn(start, length, ProgramDirectory, out s_programs);
                    CpioArchive.FindFirstIn(start, length, ConfigurationDirectory, out s_configurations);
                    return;
                }
            }
        }

        /// <summary>A regular file of the archive by its exact path ("etc/passwd").</summary>
        public static bool TryFind(byte* name, int nameLength, out byte* data, out ulong size)
        {
            data = null;
            size = 0;
            if (s_archive == null || !CpioArchive.TryFind(s_archive, s_length, name, nameLength, out CpioEntry entry))
                return false;
            data = entry.Data;
            size = entry.Size;
            return true;
        }

        /// <summary>A program (a regular file in exo/bin/) by name.</summary>
        public static bool TryFindProgram(byte* name, int nameLength, out byte* data, out ulong size)
            => TryFindIn(s_programs, ProgramDirectory, name, nameLength, out data, out size);

        /// <summary>An init configuration (a regular file in exo/config/) by name.</summary>
        public static bool TryFindConfiguration(byte* name, int nameLength, out byte* data, out ulong size)
            => TryFindIn(s_configurations, ConfigurationDirectory, name, nameLength, out data, out size);

        private static bool TryFindIn(ulong start, string directory, byte* name, int nameLength, out byte* data, out ulong size)
        {
            data = null;
            size = 0;
            if (s_archive == null || !CpioArchive.TryFindIn(s_archive, s_length, start, directory, name, nameLength, out CpioEntry entry))
                return false;
            data = entry.Data;
            size = entry.Size;
            return true;
        }

        /// <summary>Walks the archive's entries (for the shell's program list).</summary>
        public static CpioError Next(ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            return s_archive == null ? CpioError.End : CpioArchive.Next(s_archive, s_length, ref offset, out entry);
        }
    }
}
