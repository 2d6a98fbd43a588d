using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls about the system: uname (Exo-OS answers as Linux 6.1 does, so that glibc's kernel-version check
    /// and programs that test for Linux run; the version string names Exo-OS), sethostname, sysinfo (real
    /// figures: uptime, memory, processes), getrandom (RDRAND).
    /// </summary>
    public static unsafe class SystemInformationCalls
    {
        private const int FieldLength = 65;   // struct utsname: six fields of 65 bytes
        /// <summary>What uname and /proc (sys/kernel/osrelease, version) call this kernel.</summary>
        public const string Release = "6.1.0-exo", Version = "#1 SMP Exo-OS POSIX-X";
        private const int MaximumHostName = 64;
        private const ulong RandomNonBlocking = 1, RandomRandom = 2, RandomInsecure = 4;

        private struct HostName { public fixed byte Bytes[MaximumHostName]; }
        private static HostName s_hostName;
        private static int s_hostNameLength;
        private static Exo.Kernel.Sync.SpinLock s_hostNameLock;

        internal static void Register()
        {
            s_hostNameLock.Rank = Exo.Kernel.Sync.LockRank.PosixProcess;
            SetHostName("exo");
            LinuxSystemCalls.Register(Uname, &DoUname, CallPath.Fast);
            LinuxSystemCalls.Register(Sethostname, &DoSetHostName, CallPath.Hybrid);
            LinuxSystemCalls.Register(Sysinfo, &DoSystemInformation, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getrandom, &DoGetRandom, CallPath.Fast);
        }

        private static void SetHostName(string name)
        {
            for (int i = 0; i < name.Length; i++)
                s_hostName.Bytes[i] = (byte)name[i];
            s_hostNameLength = name.Length;
        }

        private static ulong DoUname(RegisterFrame* frame)
        {
            byte* names = stackalloc byte[6 * FieldLength];
            for (int i = 0; i < 6 * FieldLength; i++)
                names[i] = 0;
            Put(names, 0, "Linux");
            using (s_hostNameLock.Hold())
                for (int i = 0; i < s_hostNameLength; i++)
                    names[FieldLength + i] = s_hostName.Bytes[i];
            Put(names, 2, Release);
            Put(names, 3, Version);
            Put(names, 4, "x86_64");
            Put(names, 5, "(none)");
            return UserMemory.CopyToUser(frame->Argument0, names, 6 * FieldLength) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static void Put(byte* names, int field, string value)
        {
            for (int i = 0; i < value.Length && i < FieldLength - 1; i++)
                names[field * FieldLength + i] = (byte)value[i];
        }

        /// <summary>Copies the host name into 'into' (at least 64 bytes, no terminator); its length (/proc/sys/kernel/hostname).</summary>
        public static int CopyHostName(byte* into)
        {
            using (s_hostNameLock.Hold())
            {
                for (int i = 0; i < s_hostNameLength; i++)
                    into[i] = s_hostName.Bytes[i];
                return s_hostNameLength;
            }
        }

        private static ulong DoSetHostName(RegisterFrame* frame)
        {
            ulong length = frame->Argument1;
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            if (length > MaximumHostName)
                return SystemCallResult.From(Error.Invalid);
            byte* name = stackalloc byte[MaximumHostName];
            if (!UserMemory.CopyFromUser(name, frame->Argument0, length))
                return SystemCallResult.From(Error.BadAddress);
            using (s_hostNameLock.Hold())
            {
                for (ulong i = 0; i < length; i++)
                    s_hostName.Bytes[i] = name[i];
                s_hostNameLength = (int)length;
            }
            return 0;
        }

        private struct SystemInformation
        {
            public long Uptime;
            public fixed ulong Loads[3];
            public ulong TotalRam, FreeRam, SharedRam, BufferRam, TotalSwap, FreeSwap;
            public ushort Processes, Padding;
            public uint Padding2;
            public ulong TotalHigh, FreeHigh;
            public uint MemoryUnit;
            public fixed byte Reserved[4];
        }

        private static ulong DoSystemInformation(RegisterFrame* frame)
        {
            SystemInformation information = default;
            information.Uptime = (long)(Exo.Kernel.Time.SystemClock.UptimeMicroseconds / 1_000_000);
            information.TotalRam = PhysicalMemory.TotalUsableBytes;
            information.FreeRam = PhysicalMemory.FreeBytes;
            information.Processes = (ushort)Exo.Kernel.Processes.ProcessRegistry.Count;
            information.MemoryUnit = 1;
            return UserMemory.CopyToUser(frame->Argument0, &information, (ulong)sizeof(SystemInformation))
                ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoGetRandom(RegisterFrame* frame)
        {
            ulong buffer = frame->Argument0, length = frame->Argument1, flags = frame->Argument2;
            if ((flags & ~(RandomNonBlocking | RandomRandom | RandomInsecure)) != 0
                || (flags & (RandomRandom | RandomInsecure)) == (RandomRandom | RandomInsecure))   // contradictory, as Linux says
                return SystemCallResult.From(Error.Invalid);
            if (length > 1 << 25)
                length = 1 << 25;   // Linux returns at most 32 MiB at a time
            ulong done = 0;
            while (done < length)
            {
                ulong word = HardwareRandom.Next();
                ulong count = length - done < 8 ? length - done : 8;
                if (!UserMemory.CopyToUser(buffer + done, &word, count))
                    return done == 0 ? SystemCallResult.From(Error.BadAddress) : done;
                done += count;
            }
            return done;
        }
    }
}
