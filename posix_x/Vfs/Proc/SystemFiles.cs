using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Smp;
using Exo.Kernel.Syscalls;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Translation;
using Exo.PosixX.Vfs.Tmpfs;
using SchedulerCore = Exo.Kernel.Scheduler.Scheduler;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// The system's /proc files, each from its source of truth:
    /// - meminfo: PhysicalMemory (MemTotal: usable RAM; MemFree: the page allocator's free pages), the tmpfs file
    ///   systems' pages (Cached and Shmem, as Linux counts tmpfs), the kernel heap's bytes in use (Slab, SUnreclaim).
    ///   MemAvailable is MemFree: nothing here can be reclaimed (no page cache, no swap). Buffers, SwapCached, SwapTotal
    ///   and SwapFree are 0: there are none.
    /// - cpuinfo: one block per online processor (Smp.Processors), identity and flags from CpuFeatures (the boot
    ///   processor's CPUID: every processor of a machine reports the same), cpu MHz the calibrated TSC.
    /// - uptime: SystemClock's uptime; idle the sum of every processor's idle time (Scheduler.IdleTime).
    /// - loadavg: the averages are 0.00: nothing samples the run queues over time yet; then running/total threads
    ///   (the scheduler's registry, idle threads left out) and the newest process id.
    /// - stat: per processor, idle time and busy time (uptime less idle), all busy time counted as user time: the
    ///   scheduler does not tell user from kernel time yet; ctxt (context switches), btime (WallClock at uptime 0),
    ///   processes (ids handed out), procs_running, procs_blocked (0: no thread waits for I/O). No intr or softirq
    ///   lines: interrupts are not counted per vector.
    /// - version, sys/kernel/ostype, osrelease: what uname says (SystemInformationCalls); sys/kernel/hostname its host name.
    /// - cmdline: the kernel's command line as the boot loader gave it (programs look for their words there, as the
    ///   benchmark's /init looks for exo.quick).
    /// - filesystems: the types that can be mounted (tmpfs, proc).
    /// - posix_x/calls: one line per Linux call number that is implemented or was called: number, name, path (fast,
    ///   hybrid, legacy, unimplemented: LinuxSystemCalls.PathOf), calls since boot (LinuxSystemCalls.CallCount).
    /// - bus/pci/devices: one line per PCI function the kernel found at boot, Linux's first three columns: bus and
    ///   device-function ("%02x%02x"), vendor and device ("%04x%04x"), interrupt line (0: drivers use MSI-X); Linux's
    ///   BAR addresses and sizes after them are left out. The login shell's /etc/profile looks for a virtio disk here.
    /// - net/dev and net/route: the network service's interfaces (NetworkFiles); posix_x/resolv.conf the DNS servers of its
    ///   DHCP lease, in resolv.conf's format (/etc/resolv.conf links to it).
    /// - posix_x/capability_cache: the descriptor tables' lookups (FileDescriptorTable.Hits, Misses), the hit rate, and the
    ///   reads and writes the pipe fast path finished (its lookups count as hits and misses too).
    /// </summary>
    public static unsafe class SystemFiles
    {
        public static Error Generate(ProcKind kind, ref ProcText text)
        {
            switch (kind)
            {
                case ProcKind.Meminfo: Meminfo(ref text); return Error.None;
                case ProcKind.Cpuinfo: Cpuinfo(ref text); return Error.None;
                case ProcKind.Uptime: ProcFormat.Uptime(ref text, SystemClock.UptimeMicroseconds, IdleMicroseconds()); return Error.None;
                case ProcKind.LoadAverage: LoadAverage(ref text); return Error.None;
                case ProcKind.Statistics: Statistics(ref text); return Error.None;
                case ProcKind.Version:
                    text.Text("Linux version ");
                    text.Text(SystemInformationCalls.Release);
                    text.Text(" (Exo-OS POSIX-X) (C# kernel, .NET NativeAOT) ");
                    text.Text(SystemInformationCalls.Version);
                    text.Line();
                    return Error.None;
                case ProcKind.KernelCommandLine:
                {
                    Exo.Kernel.Boot.BootInformation* boot = Exo.Kernel.KernelMain.Boot;
                    text.Bytes(boot->CommandLine, boot->CommandLineLength);
                    text.Line();
                    return Error.None;
                }
                case ProcKind.PciDevices: PciDevices(ref text); return Error.None;
                case ProcKind.Filesystems:
                    text.Text("nodev\ttmpfs\nnodev\tproc\n");
                    return Error.None;
                case ProcKind.Hostname:
                {
                    byte* name = stackalloc byte[64];
                    text.Bytes(name, SystemInformationCalls.CopyHostName(name));
                    text.Line();
                    return Error.None;
                }
                case ProcKind.OsType: text.Text("Linux\n"); return Error.None;
                case ProcKind.OsRelease: text.Text(SystemInformationCalls.Release); text.Line(); return Error.None;
                case ProcKind.Calls: Calls(ref text); return Error.None;
                case ProcKind.CapabilityCache: CapabilityCache(ref text); return Error.None;
                case ProcKind.NetworkDevices: NetworkFiles.Devices(ref text); return Error.None;
                case ProcKind.NetworkRoutes: NetworkFiles.Routes(ref text); return Error.None;
                case ProcKind.ResolverConfiguration: NetworkFiles.ResolverConfiguration(ref text); return Error.None;
            }
            return Error.Invalid;
        }

        // ---------------------------------------------------------------- memory

        private static void Meminfo(ref ProcText text)
        {
            ulong total = PhysicalMemory.TotalUsableBytes / 1024;
            ulong free = PhysicalMemory.FreeBytes / 1024;
            ulong tmpfs = TmpfsPages() * 4;
            ulong heap = KernelHeap.BytesInUse / 1024;
            ProcFormat.Meminfo(ref text, "MemTotal", total);
            ProcFormat.Meminfo(ref text, "MemFree", free);
            ProcFormat.Meminfo(ref text, "MemAvailable", free);
            ProcFormat.Meminfo(ref text, "Buffers", 0);
            ProcFormat.Meminfo(ref text, "Cached", tmpfs);
            ProcFormat.Meminfo(ref text, "SwapCached", 0);
            ProcFormat.Meminfo(ref text, "SwapTotal", 0);
            ProcFormat.Meminfo(ref text, "SwapFree", 0);
            ProcFormat.Meminfo(ref text, "Shmem", tmpfs);
            ProcFormat.Meminfo(ref text, "Slab", heap);
            ProcFormat.Meminfo(ref text, "SReclaimable", 0);
            ProcFormat.Meminfo(ref text, "SUnreclaim", heap);
        }

        // Pages holding tmpfs files, over every mounted tmpfs (the root, /dev).
        private static ulong TmpfsPages()
        {
            ulong pages = 0;
            int count = MountTable.TakeSnapshot(out MountTable.Snapshot[] mounts);
            for (int i = 0; i < count; i++)
                if (mounts[i].FileSystem is TmpfsFileSystem tmpfs)
                    pages += (ulong)System.Threading.Volatile.Read(ref tmpfs.PagesInUse);
            MountTable.ReleaseSnapshot(mounts, count);
            return pages;
        }

        // ---------------------------------------------------------------- processors and time

        private static void Cpuinfo(ref ProcText text)
        {
            int online = Processors.Online;
            ulong kilohertz = SystemClock.TscFrequency / 1000;
            for (int cpu = 0; cpu < Processors.Count; cpu++)
            {
                if (!Processors.IsOnline(cpu))
                    continue;
                Number(ref text, "processor", (ulong)cpu);
                ProcFormat.CpuinfoLabel(ref text, "vendor_id");
                text.ZeroTerminated(CpuFeatures.Vendor, 13);
                text.Line();
                Number(ref text, "cpu family", CpuFeatures.Family);
                Number(ref text, "model", CpuFeatures.Model);
                ProcFormat.CpuinfoLabel(ref text, "model name");
                byte* brand = CpuFeatures.Brand;
                int start = 0;
                while (start < 48 && brand[start] == (byte)' ')
                    start++;
                text.ZeroTerminated(brand + start, 48 - start);
                text.Line();
                Number(ref text, "stepping", CpuFeatures.Stepping);
                ProcFormat.CpuinfoLabel(ref text, "cpu MHz");
                text.Thousandths(kilohertz);
                text.Line();
                Number(ref text, "physical id", 0);
                Number(ref text, "siblings", (ulong)online);
                Number(ref text, "core id", (ulong)cpu);
                Number(ref text, "cpu cores", (ulong)online);
                Number(ref text, "apicid", Processors.ApicIdOf(cpu));
                Number(ref text, "initial apicid", Processors.ApicIdOf(cpu));
                Word(ref text, "fpu", (CpuFeatures.Leaf1Edx & 1) != 0 ? "yes" : "no");
                Word(ref text, "fpu_exception", (CpuFeatures.Leaf1Edx & 1) != 0 ? "yes" : "no");
                Word(ref text, "wp", "yes");
                ProcFormat.CpuinfoLabel(ref text, "flags");
                CpuFlags.Write(ref text, CpuFeatures.Leaf1Edx, CpuFeatures.ExtendedEdx, CpuFeatures.Leaf1Ecx, CpuFeatures.ExtendedEcx,
                    CpuFeatures.Leaf7Ebx, CpuFeatures.Leaf7Ecx);
                text.Line();
                ProcFormat.CpuinfoLabel(ref text, "bogomips");
                text.Hundredths(kilohertz / 5);   // Linux's: twice the MHz, two decimals
                text.Line();
                text.Text("power management:\n\n");
            }
        }

        private static void Number(ref ProcText text, string label, ulong value)
        {
            ProcFormat.CpuinfoLabel(ref text, label);
            text.Decimal(value);
            text.Line();
        }

        private static void Word(ref ProcText text, string label, string value)
        {
            ProcFormat.CpuinfoLabel(ref text, label);
            text.Text(value);
            text.Line();
        }

        private static ulong IdleMicroseconds()
        {
            ulong idle = 0;
            for (int cpu = 0; cpu < Processors.Count; cpu++)
                idle += SchedulerCore.IdleTime(cpu);
            return ToMicroseconds(idle);
        }

        private static ulong ToMicroseconds(ulong tsc)
        {
            ulong frequency = SystemClock.TscFrequency;
            return frequency == 0 ? 0 : tsc / frequency * 1_000_000 + tsc % frequency * 1_000_000 / frequency;
        }

        private static void LoadAverage(ref ProcText text)
        {
            CountThreads(out int running, out int total);
            ProcFormat.LoadAverage(ref text, 0, 0, 0, running, total, ProcessRegistry.NewestId);
        }

        // Threads that are running or ready, and all threads, idle threads left out (the scheduler's registry).
        private static void CountThreads(out int running, out int total)
        {
            running = total = 0;
            int capacity = SchedulerCore.ThreadCount + 16;
            SchedulerCore.ThreadSummary* threads = (SchedulerCore.ThreadSummary*)KernelHeap.AllocateUninitialized(
                (ulong)(capacity * sizeof(SchedulerCore.ThreadSummary)));
            if (threads == null)
                return;
            int count = SchedulerCore.SnapshotThreads(threads, capacity);
            for (int i = 0; i < count; i++)
            {
                if (threads[i].IsIdle || threads[i].State == Exo.Kernel.Scheduler.ThreadState.Exited)
                    continue;
                total++;
                if (threads[i].State == Exo.Kernel.Scheduler.ThreadState.Running || threads[i].State == Exo.Kernel.Scheduler.ThreadState.Ready)
                    running++;
            }
            KernelHeap.Free(threads);
        }

        private static void Statistics(ref ProcText text)
        {
            ulong frequency = SystemClock.TscFrequency;
            ulong upTicks = SystemClock.UptimeMicroseconds / 10_000;
            ulong totalBusy = 0, totalIdle = 0;
            for (int cpu = 0; cpu < Processors.Count; cpu++)
            {
                if (!Processors.IsOnline(cpu))
                    continue;
                ulong idle = ProcFormat.ToClockTicks(SchedulerCore.IdleTime(cpu), frequency);
                totalIdle += idle;
                totalBusy += idle < upTicks ? upTicks - idle : 0;
            }
            ProcFormat.CpuTimes(ref text, "cpu", -1, totalBusy, 0, totalIdle);
            for (int cpu = 0; cpu < Processors.Count; cpu++)
            {
                if (!Processors.IsOnline(cpu))
                    continue;
                ulong idle = ProcFormat.ToClockTicks(SchedulerCore.IdleTime(cpu), frequency);
                ProcFormat.CpuTimes(ref text, "cpu", cpu, idle < upTicks ? upTicks - idle : 0, 0, idle);
            }
            CountThreads(out int running, out _);
            text.Text("ctxt ");
            text.Decimal(SchedulerCore.Switches);
            text.Line();
            text.Text("btime ");
            long boot = WallClock.NowNanoseconds / 1_000_000_000 - (long)(SystemClock.UptimeMicroseconds / 1_000_000);
            text.SignedDecimal(boot);
            text.Line();
            text.Text("processes ");
            text.Decimal((ulong)ProcessRegistry.NewestId);
            text.Line();
            text.Text("procs_running ");
            text.Decimal((ulong)running);
            text.Line();
            text.Text("procs_blocked 0\n");
        }

        // ---------------------------------------------------------------- POSIX-X's own

        private static void Calls(ref ProcText text)
        {
            for (int number = 0; number < SystemCallTable.Capacity; number++)
            {
                CallPath path = LinuxSystemCalls.PathOf(number);
                ulong count = LinuxSystemCalls.CallCount(number);
                if (path == CallPath.Unimplemented && count == 0)
                    continue;
                text.Decimal((ulong)number);
                text.PadTo(5);
                string name = Abi.LinuxSystemCallNumber.Name(number);
                text.Text(name ?? "(unknown)");
                text.PadTo(30);
                text.Text(PathName(path));
                text.PadTo(45);
                text.Decimal(count);
                text.Line();
            }
        }

        public static string PathName(CallPath path) => path switch
        {
            CallPath.Fast => "fast",
            CallPath.Hybrid => "hybrid",
            CallPath.Legacy => "legacy",
            _ => "unimplemented",
        };

        private static void CapabilityCache(ref ProcText text)
        {
            ulong hits = FileDescriptorTable.Hits, misses = FileDescriptorTable.Misses;
            text.Text("hits ");
            text.Decimal(hits);
            text.Text("\nmisses ");
            text.Decimal(misses);
            text.Text("\nhit_rate ");
            text.Hundredths(ProcFormat.HitRateHundredths(hits, misses));
            text.Text("%\npipe_fast_reads ");   // reads and writes the pipe fast path finished (Optimization/PipeFastPath)
            text.Decimal(Optimization.PipeFastPath.Reads);
            text.Text("\npipe_fast_writes ");
            text.Decimal(Optimization.PipeFastPath.Writes);
            text.Text("\n");
        }

        // ---------------------------------------------------------------- mounts

        /// <summary>
        /// The mount table, oldest first, as Linux's /proc/PID/mounts: "source mountpoint type options 0 0", mount points
        /// as seen from 'root' (escaped), options "rw" or "ro".
        /// </summary>
        public static Error Mounts(Vnode root, ref ProcText text)
        {
            int count = MountTable.TakeSnapshot(out MountTable.Snapshot[] mounts);
            for (int index = 0; index < count; index++)
            {
                ref MountTable.Snapshot mount = ref mounts[index];
                fixed (byte* source = mount.Source)
                    ProcFormat.Escaped(ref text, source, mount.SourceLength);
                text.Byte((byte)' ');
                if (mount.MountPoint == null)
                    text.Byte((byte)'/');
                else if (DescriptorPaths.DirectoryPath(root, mount.MountPoint, ref text, escaped: true) != Error.None)
                    text.Text("(unreachable)");
                text.Byte((byte)' ');
                text.Text(mount.FileSystem.TypeName);
                text.Text(mount.ReadOnly ? " ro 0 0\n" : " rw 0 0\n");
            }
            MountTable.ReleaseSnapshot(mounts, count);
            return Error.None;
        }

        private static void PciDevices(ref ProcText text)
        {
            for (int i = 0; i < Exo.Kernel.Drivers.Pci.PciBus.Count; i++)
            {
                Exo.Kernel.Drivers.Pci.PciFunction function = Exo.Kernel.Drivers.Pci.PciBus.At(i);
                text.Hex((ulong)function.Address.Bus, 2);
                text.Hex((ulong)(function.Address.Packed & 0xFF), 2);
                text.Char('\t');
                text.Hex(function.VendorId, 4);
                text.Hex(function.DeviceId, 4);
                text.Text("\t0");
                text.Line();
            }
        }
    }
}
