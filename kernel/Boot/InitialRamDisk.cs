using Exo.Kernel.Memory;

namespace Exo.Kernel.Boot
{
    /// <summary>
    /// The boot image's initial RAM disk: the first boot module whose contents are a cpio "newc" archive
    /// (built by tools/Exo.ImageTool). Programs are looked up in it by name; its memory stays reserved.
    /// </summary>
    public static unsafe class InitialRamDisk
    {
        private static byte* s_archive;
        private static ulong s_length;

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
                    return;
                }
            }
        }

        /// <summary>A regular file of the archive by exact name.</summary>
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

        /// <summary>Walks the archive's entries (for the shell's program list).</summary>
        public static CpioError Next(ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            return s_archive == null ? CpioError.End : CpioArchive.Next(s_archive, s_length, ref offset, out entry);
        }
    }
}
