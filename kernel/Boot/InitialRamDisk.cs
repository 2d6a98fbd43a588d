using Exo.Kernel.Memory;

namespace Exo.Kernel.Boot
{
    /// <summary>
    /// The boot image's initial RAM disk: the first boot module whose contents are a cpio "newc" archive, the
    /// root file system's tree (built by tools/Exo.ImageTool; userland/rootfs/README.md). Exo-OS's programs are
    /// looked up by name in exo/bin/, init's configurations in exo/config/; its memory stays reserved.
    /// Later cpio modules (the Debian root, out/debian.cpio) are laid over it when the root tmpfs is filled
    /// (<see cref="NextIn"/>); programs and configurations come from the first one only.
    /// </summary>
    public static unsafe class InitialRamDisk
    {
        public const string ProgramDirectory = "exo/bin/";
        public const string ConfigurationDirectory = "exo/config/";

        private static byte* s_archive;
        private static ulong s_length;
        // Where each directory's entries start: a lookup skips the hundreds of entries before them.
        private static ulong s_programs, s_configurations;
        // exo/bin/ indexed at boot (a spawn's lookup); a program the index could not take is found by the walk.
        private static CpioDirectoryIndex s_programIndex;
        private static bool s_programIndexComplete;

        private static BootInformation* s_boot;
        private static int s_archiveCount;

        public static bool IsPresent => s_archive != null;

        /// <summary>How many boot modules are cpio archives (at most <see cref="BootInformation.ModuleCapacity"/>).</summary>
        public static int ArchiveCount => s_archiveCount;

        /// <summary>Finds the archives among the boot modules (those that start with the newc magic), in order.</summary>
        public static void Initialize(BootInformation* boot)
        {
            s_boot = boot;
            for (int i = 0; i < boot->ModuleCount; i++)
            {
                if (!IsArchive(boot->Modules + i, out byte* start, out ulong length))
                    continue;
                if (s_archiveCount++ == 0)
                {
                    s_archive = start;
                    s_length = length;
                    CpioArchive.FindFirstIn(start, length, ProgramDirectory, out s_programs);
                    CpioArchive.FindFirstIn(start, length, ConfigurationDirectory, out s_configurations);
                    IndexPrograms(start, length);
                }
            }
        }

        // Storage from the kernel heap, once: no memory, no index (every lookup walks, as before).
        private static void IndexPrograms(byte* start, ulong length)
        {
            int count = CpioDirectoryIndex.Count(start, length, s_programs, ProgramDirectory);
            var storage = (CpioDirectoryIndex.Entry*)Memory.Heap.KernelHeap.Allocate((ulong)(count > 0 ? count : 1) * (ulong)sizeof(CpioDirectoryIndex.Entry));
            if (storage == null)
                return;
            s_programIndex = CpioDirectoryIndex.Build(start, length, s_programs, ProgramDirectory, storage, count);
            s_programIndexComplete = s_programIndex.Length == count;
        }

        private static bool IsArchive(BootModule* module, out byte* start, out ulong length)
        {
            start = (byte*)PhysicalMemory.ToVirtual(module->Start);
            length = module->End - module->Start;
            return length >= 6 && start[0] == '0' && start[1] == '7' && start[2] == '0' && start[3] == '7'
                && start[4] == '0' && start[5] == '1';
        }

        /// <summary>Walks the entries of archive number <paramref name="archive"/> (0: the first, as <see cref="Next"/>).</summary>
        public static CpioError NextIn(int archive, ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            if (s_boot == null || archive < 0 || archive >= s_archiveCount)
                return CpioError.End;
            int seen = 0;
            for (int i = 0; i < s_boot->ModuleCount; i++)
            {
                if (!IsArchive(s_boot->Modules + i, out byte* start, out ulong length))
                    continue;
                if (seen++ == archive)
                    return CpioArchive.Next(start, length, ref offset, out entry);
            }
            return CpioError.End;
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
            => s_programIndex.TryFind(name, nameLength, out data, out size)
                || (!s_programIndexComplete && TryFindIn(s_programs, ProgramDirectory, name, nameLength, out data, out size));

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
