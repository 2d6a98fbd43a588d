namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>What a /proc object is. Its object is made from this (and a process, thread or descriptor number) on lookup.</summary>
    public enum ProcKind : byte
    {
        // Directories.
        Root = 1, Sys, SysKernel, PosixX, Bus, BusPci, Net, Process, Descriptors, Tasks, Task,
        // Links.
        Self, ThreadSelf, Mounts, Executable, WorkingDirectory, RootDirectory, Descriptor,
        // Generated files of the system.
        Meminfo, Cpuinfo, Uptime, LoadAverage, Statistics, Version, Filesystems, Hostname, OsType, OsRelease,
        Calls, CapabilityCache, KernelCommandLine, PciDevices, NetworkDevices, NetworkRoutes, ResolverConfiguration,
        // Generated files of a process (or of one of its threads, under task/).
        ProcessStat, ProcessStatus, CommandLine, CommandName, Maps, Environment, ProcessMounts, MemoryPages,
    }

    /// <summary>A fixed entry of a /proc directory: its name, what it is, and whether only a Linux process has it.</summary>
    public readonly struct ProcEntry
    {
        public readonly string Name;
        public readonly ProcKind Kind;
        public readonly bool LinuxOnly;

        public ProcEntry(string name, ProcKind kind, bool linuxOnly = false)
        {
            Name = name;
            Kind = kind;
            LinuxOnly = linuxOnly;
        }
    }

    /// <summary>
    /// The fixed entries of each /proc directory, in the order getdents64 lists them (then a directory's numbered
    /// entries: processes, descriptors, threads), with each object's type and permissions (Linux's: directories 0555,
    /// files 0444, links 0777; environ 0400 and fd/ 0500, as they can reveal what only the owner should see).
    /// </summary>
    public static class ProcEntries
    {
        public static readonly ProcEntry[] Root =
        {
            new ProcEntry("self", ProcKind.Self),
            new ProcEntry("thread-self", ProcKind.ThreadSelf),
            new ProcEntry("meminfo", ProcKind.Meminfo),
            new ProcEntry("cpuinfo", ProcKind.Cpuinfo),
            new ProcEntry("uptime", ProcKind.Uptime),
            new ProcEntry("loadavg", ProcKind.LoadAverage),
            new ProcEntry("stat", ProcKind.Statistics),
            new ProcEntry("mounts", ProcKind.Mounts),
            new ProcEntry("version", ProcKind.Version),
            new ProcEntry("cmdline", ProcKind.KernelCommandLine),
            new ProcEntry("filesystems", ProcKind.Filesystems),
            new ProcEntry("sys", ProcKind.Sys),
            new ProcEntry("posix_x", ProcKind.PosixX),
            new ProcEntry("bus", ProcKind.Bus),
            new ProcEntry("net", ProcKind.Net),
        };

        /// <summary>net/: the interfaces and the routing table (Linux's is a link to self/net; the same for every process here).</summary>
        public static readonly ProcEntry[] Net =
        {
            new ProcEntry("dev", ProcKind.NetworkDevices),
            new ProcEntry("route", ProcKind.NetworkRoutes),
        };

        public static readonly ProcEntry[] Bus = { new ProcEntry("pci", ProcKind.BusPci) };

        public static readonly ProcEntry[] BusPci = { new ProcEntry("devices", ProcKind.PciDevices) };

        public static readonly ProcEntry[] Sys = { new ProcEntry("kernel", ProcKind.SysKernel) };

        public static readonly ProcEntry[] SysKernel =
        {
            new ProcEntry("hostname", ProcKind.Hostname),
            new ProcEntry("ostype", ProcKind.OsType),
            new ProcEntry("osrelease", ProcKind.OsRelease),
        };

        public static readonly ProcEntry[] PosixX =
        {
            new ProcEntry("calls", ProcKind.Calls),
            new ProcEntry("capability_cache", ProcKind.CapabilityCache),
            new ProcEntry("resolv.conf", ProcKind.ResolverConfiguration),
        };

        public static readonly ProcEntry[] Process =
        {
            new ProcEntry("stat", ProcKind.ProcessStat),
            new ProcEntry("status", ProcKind.ProcessStatus),
            new ProcEntry("statm", ProcKind.MemoryPages),
            new ProcEntry("cmdline", ProcKind.CommandLine),
            new ProcEntry("comm", ProcKind.CommandName),
            new ProcEntry("exe", ProcKind.Executable),
            new ProcEntry("cwd", ProcKind.WorkingDirectory, linuxOnly: true),
            new ProcEntry("root", ProcKind.RootDirectory, linuxOnly: true),
            new ProcEntry("fd", ProcKind.Descriptors, linuxOnly: true),
            new ProcEntry("maps", ProcKind.Maps, linuxOnly: true),
            new ProcEntry("environ", ProcKind.Environment),
            new ProcEntry("mounts", ProcKind.ProcessMounts, linuxOnly: true),
            new ProcEntry("task", ProcKind.Tasks),
        };

        /// <summary>task/TID/: what one thread shows of itself.</summary>
        public static readonly ProcEntry[] Task =
        {
            new ProcEntry("stat", ProcKind.ProcessStat),
            new ProcEntry("status", ProcKind.ProcessStatus),
            new ProcEntry("cmdline", ProcKind.CommandLine),
            new ProcEntry("comm", ProcKind.CommandName),
        };

        /// <summary>The fixed entries of a directory of this kind (none for fd/ and task/, whose entries are numbers).</summary>
        public static ProcEntry[] Of(ProcKind directory) => directory switch
        {
            ProcKind.Root => Root,
            ProcKind.Sys => Sys,
            ProcKind.SysKernel => SysKernel,
            ProcKind.PosixX => PosixX,
            ProcKind.Bus => Bus,
            ProcKind.BusPci => BusPci,
            ProcKind.Net => Net,
            ProcKind.Process => Process,
            ProcKind.Task => Task,
            _ => null,
        };

        public static bool IsDirectory(ProcKind kind) => kind <= ProcKind.Task;
        public static bool IsLink(ProcKind kind) => kind >= ProcKind.Self && kind <= ProcKind.Descriptor;

        /// <summary>The mode of an object of this kind (type and permissions).</summary>
        public static uint ModeOf(ProcKind kind)
        {
            if (kind == ProcKind.Descriptors)
                return FileMode.Directory | 0x140;   // 0500
            if (IsDirectory(kind))
                return FileMode.Directory | 0x16D;   // 0555
            if (IsLink(kind))
                return FileMode.SymbolicLink | 0x1FF;   // 0777
            if (kind == ProcKind.Environment)
                return FileMode.Regular | 0x100;     // 0400
            return FileMode.Regular | 0x124;         // 0444
        }

        /// <summary>Whether 'name' is exactly 'text'.</summary>
        public static unsafe bool Is(Name name, string text)
        {
            if (name.Length != text.Length)
                return false;
            for (int i = 0; i < text.Length; i++)
                if (name.Bytes[i] != (byte)text[i])
                    return false;
            return true;
        }

        /// <summary>A name that is a decimal number without a leading zero (a pid, descriptor or thread id), or -1.</summary>
        public static unsafe long Number(Name name)
        {
            if (name.Length == 0 || name.Length > 10 || (name.Bytes[0] == (byte)'0' && name.Length > 1))
                return -1;
            long value = 0;
            for (int i = 0; i < name.Length; i++)
            {
                byte c = name.Bytes[i];
                if (c < (byte)'0' || c > (byte)'9')
                    return -1;
                value = value * 10 + (c - '0');
            }
            return value <= int.MaxValue ? value : -1;
        }
    }
}
