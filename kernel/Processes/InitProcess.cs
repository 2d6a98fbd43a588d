using Exo.Kernel.Boot;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// Starts init, the first user program: "init CONFIGURATION" from the boot image, holding exactly three
    /// capabilities: a read-only memory object with the configuration file's text (zero-terminated), the root
    /// resource (which it passes only to the driver services its configuration names: the device manager), and
    /// the console (Console.ConsoleCapability), which it passes on to the programs it starts. init starts
    /// the name service and the programs the configuration names, and restarts services that end.
    /// </summary>
    public static unsafe class InitProcess
    {
        public const string ProgramName = "init";
        /// <summary>The configuration a normal boot uses (the kernel command line's init=NAME picks another).</summary>
        public const string DefaultConfiguration = "init.conf";
        /// <summary>The largest configuration file (an explicit limit, checked).</summary>
        public const ulong MaximumConfigurationBytes = 64 * 1024;

        /// <summary>Starts init with the configuration file 'configuration' of the boot image; null with 'error' if it cannot.</summary>
        public static Process Start(byte* configuration, int configurationLength, out Error error)
        {
            int prefix = ProgramName.Length + 1;
            if (configurationLength <= 0 || prefix + configurationLength > Process.CommandLineCapacity)
            {
                error = Error.Invalid;   // the configuration's name is empty or too long
                return null;
            }
            if (!InitialRamDisk.TryFindConfiguration(configuration, configurationLength, out byte* text, out ulong size))
            {
                error = Error.NotFound;   // no such init configuration in the boot image's exo/config/
                return null;
            }
            if (size == 0 || size >= MaximumConfigurationBytes)
            {
                error = Error.TooBig;   // the configuration is empty or larger than 64 KiB
                return null;
            }
            MemoryObject memory = MemoryObject.Create(size + 1);   // zeroed frames: the text ends with a zero
            if (memory == null)
            {
                error = Error.OutOfMemory;
                return null;
            }
            for (ulong offset = 0; offset < size; offset++)
                ((byte*)PhysicalMemory.ToVirtual(memory.FrameAt((int)(offset >> 12))))[offset & 0xFFF] = text[offset];

            byte* commandLine = stackalloc byte[Process.CommandLineCapacity];
            for (int i = 0; i < ProgramName.Length; i++)
                commandLine[i] = (byte)ProgramName[i];
            commandLine[ProgramName.Length] = (byte)' ';
            for (int i = 0; i < configurationLength; i++)
                commandLine[prefix + i] = configuration[i];
            Process init = ProgramLauncher.Load(commandLine, prefix + configurationLength, out error);
            if (init != null && (!ProgramLauncher.Grant(init, memory, ObjectType.MemoryObject, Rights.Read | Rights.Map)
                || !ProgramLauncher.Grant(init, Drivers.RootResource.Instance, ObjectType.Resource, Drivers.RootResource.GrantedRights)
                || !ProgramLauncher.Grant(init, Console.ConsoleCapability.Instance, ObjectType.Console, Console.ConsoleCapability.GrantedRights)))
            {
                ProgramLauncher.Abandon(init);
                init = null;
                error = Error.OutOfMemory;   // no room for its configuration and the console
            }
            memory.Release();   // init's handle holds it now (or nothing does)
            if (init != null && !ProgramLauncher.Start(init, null, out error))
                init = null;
            return init;
        }

        /// <summary>Start with a configuration named by a kernel string (tests, the boot path).</summary>
        public static Process Start(string configuration, out Error error)
        {
            byte* name = stackalloc byte[Process.CommandLineCapacity];
            return Start(name, ProgramLauncher.CopyCommandLine(configuration, name), out error);
        }
    }
}
