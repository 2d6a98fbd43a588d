namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// The 52 fields of /proc/PID/stat, named, in Linux's order (proc(5)). Which of them POSIX-X fills and from where
    /// is said in ProcessFacts; a field it does not track yet stays 0.
    /// </summary>
    public unsafe struct StatFields
    {
        public int ProcessId;                 // 1 pid
        public fixed byte Command[16];        // 2 (comm), at most 15 bytes, zero-terminated
        public byte State;                    // 3 R, S, D, Z, T...
        public int ParentId;                  // 4 ppid
        public int ProcessGroup;              // 5 pgrp
        public int Session;                   // 6 session
        public int TerminalNumber;            // 7 tty_nr
        public int TerminalProcessGroup;      // 8 tpgid (-1 without a controlling terminal)
        public uint Flags;                    // 9 flags (PF_*)
        public ulong MinorFaults;             // 10 minflt
        public ulong ChildMinorFaults;        // 11 cminflt
        public ulong MajorFaults;             // 12 majflt
        public ulong ChildMajorFaults;        // 13 cmajflt
        public ulong UserTime;                // 14 utime, clock ticks
        public ulong SystemTime;              // 15 stime
        public long ChildUserTime;            // 16 cutime
        public long ChildSystemTime;          // 17 cstime
        public long Priority;                 // 18 priority (20 + nice for normal threads)
        public long Nice;                     // 19 nice
        public long ThreadCount;              // 20 num_threads
        public long IntervalTimer;            // 21 itrealvalue (always 0 on Linux since 2.6.17)
        public ulong StartTime;               // 22 starttime, clock ticks after boot
        public ulong VirtualSize;             // 23 vsize, bytes
        public long ResidentPages;            // 24 rss, pages
        public ulong ResidentLimit;           // 25 rsslim, bytes
        public ulong StartCode, EndCode;      // 26, 27
        public ulong StartStack;              // 28
        public ulong StackPointer;            // 29 kstkesp (0 unless the task is dumping core, as on Linux)
        public ulong InstructionPointer;      // 30 kstkeip (likewise)
        public ulong Pending, Blocked, Ignored, Caught;   // 31-34 signal, blocked, sigignore, sigcatch
        public ulong WaitChannel;             // 35 wchan (0, as Linux shows without privileges)
        public ulong Swapped, ChildSwapped;   // 36, 37 nswap, cnswap (always 0 on Linux)
        public int ExitSignal;                // 38 exit_signal
        public int Processor;                 // 39 processor
        public uint RealTimePriority;         // 40 rt_priority
        public uint Policy;                   // 41 policy
        public ulong BlockIoDelay;            // 42 delayacct_blkio_ticks
        public ulong GuestTime;               // 43 guest_time
        public long ChildGuestTime;           // 44 cguest_time
        public ulong StartData, EndData;      // 45, 46
        public ulong StartBreak;              // 47 start_brk
        public ulong ArgumentsStart, ArgumentsEnd;       // 48, 49 arg_start, arg_end
        public ulong EnvironmentStart, EnvironmentEnd;   // 50, 51 env_start, env_end
        public int ExitCode;                  // 52 exit_code
    }

    /// <summary>
    /// The line formats of /proc as Linux prints them (fs/proc/*.c, mm/show_mem.c): pure logic over ProcText,
    /// tested on the host.
    /// </summary>
    public static unsafe class ProcFormat
    {
        /// <summary>/proc/PID/stat: one line, the 52 fields separated by single spaces (do_task_stat).</summary>
        public static void Stat(ref ProcText text, in StatFields f)
        {
            text.SignedDecimal(f.ProcessId);
            text.Text(" (");
            fixed (byte* command = f.Command)
                text.ZeroTerminated(command, 15);
            text.Text(") ");
            text.Byte(f.State);
            Field(ref text, f.ParentId);
            Field(ref text, f.ProcessGroup);
            Field(ref text, f.Session);
            Field(ref text, f.TerminalNumber);
            Field(ref text, f.TerminalProcessGroup);
            Field(ref text, f.Flags);
            Field(ref text, f.MinorFaults);
            Field(ref text, f.ChildMinorFaults);
            Field(ref text, f.MajorFaults);
            Field(ref text, f.ChildMajorFaults);
            Field(ref text, f.UserTime);
            Field(ref text, f.SystemTime);
            Field(ref text, f.ChildUserTime);
            Field(ref text, f.ChildSystemTime);
            Field(ref text, f.Priority);
            Field(ref text, f.Nice);
            Field(ref text, f.ThreadCount);
            Field(ref text, f.IntervalTimer);
            Field(ref text, f.StartTime);
            Field(ref text, f.VirtualSize);
            Field(ref text, f.ResidentPages);
            Field(ref text, f.ResidentLimit);
            Field(ref text, f.StartCode);
            Field(ref text, f.EndCode);
            Field(ref text, f.StartStack);
            Field(ref text, f.StackPointer);
            Field(ref text, f.InstructionPointer);
            Field(ref text, f.Pending);
            Field(ref text, f.Blocked);
            Field(ref text, f.Ignored);
            Field(ref text, f.Caught);
            Field(ref text, f.WaitChannel);
            Field(ref text, f.Swapped);
            Field(ref text, f.ChildSwapped);
            Field(ref text, f.ExitSignal);
            Field(ref text, f.Processor);
            Field(ref text, f.RealTimePriority);
            Field(ref text, f.Policy);
            Field(ref text, f.BlockIoDelay);
            Field(ref text, f.GuestTime);
            Field(ref text, f.ChildGuestTime);
            Field(ref text, f.StartData);
            Field(ref text, f.EndData);
            Field(ref text, f.StartBreak);
            Field(ref text, f.ArgumentsStart);
            Field(ref text, f.ArgumentsEnd);
            Field(ref text, f.EnvironmentStart);
            Field(ref text, f.EnvironmentEnd);
            Field(ref text, f.ExitCode);
            text.Line();
        }

        private static void Field(ref ProcText text, ulong value)
        {
            text.Byte((byte)' ');
            text.Decimal(value);
        }

        private static void Field(ref ProcText text, long value)
        {
            text.Byte((byte)' ');
            text.SignedDecimal(value);
        }

        /// <summary>
        /// A path as /proc/mounts writes it (Linux's mangle): space, tab, newline and backslash as a backslash and three
        /// octal digits, so that each line keeps six space-separated fields.
        /// </summary>
        public static void Escaped(ref ProcText text, byte* bytes, int length)
        {
            for (int i = 0; i < length; i++)
            {
                byte c = bytes[i];
                if (c == (byte)' ' || c == (byte)'\t' || c == (byte)'\n' || c == (byte)'\\')
                {
                    text.Byte((byte)'\\');
                    text.Byte((byte)('0' + ((c >> 6) & 7)));
                    text.Byte((byte)('0' + ((c >> 3) & 7)));
                    text.Byte((byte)('0' + (c & 7)));
                }
                else
                {
                    text.Byte(c);
                }
            }
        }

        /// <summary>The number of fields Stat writes (for tests: proc(5) lists 52).</summary>
        public const int StatFieldCount = 52;

        /// <summary>Permission bits of a maps line.</summary>
        public const int MapRead = 1, MapWrite = 2, MapExecute = 4, MapShared = 8;

        /// <summary>
        /// One line of /proc/PID/maps (show_map_vma): "start-end perms offset major:minor inode", and when the
        /// region has a name, spaces to column 73 then the name. A line without a name ends with the space after
        /// the inode, as Linux's does.
        /// </summary>
        public static void Maps(ref ProcText text, ulong start, ulong end, int permissions, ulong offset,
            uint major, uint minor, ulong inode, byte* name, int nameLength)
        {
            text.Hex(start, 8);
            text.Byte((byte)'-');
            text.Hex(end, 8);
            text.Byte((byte)' ');
            text.Byte((permissions & MapRead) != 0 ? (byte)'r' : (byte)'-');
            text.Byte((permissions & MapWrite) != 0 ? (byte)'w' : (byte)'-');
            text.Byte((permissions & MapExecute) != 0 ? (byte)'x' : (byte)'-');
            text.Byte((permissions & MapShared) != 0 ? (byte)'s' : (byte)'p');
            text.Byte((byte)' ');
            text.Hex(offset, 8);
            text.Byte((byte)' ');
            text.Hex(major, 2);
            text.Byte((byte)':');
            text.Hex(minor, 2);
            text.Byte((byte)' ');
            text.Decimal(inode);
            text.Byte((byte)' ');
            if (nameLength > 0)
            {
                text.PadTo(MapsNameColumn - 1);
                text.Byte((byte)' ');
                text.Bytes(name, nameLength);
            }
            text.Line();
        }

        /// <summary>Where a maps line's name starts (25 + 6 * sizeof(void*) - 1 columns, then a space).</summary>
        public const int MapsNameColumn = 73;

        /// <summary>One line of /proc/meminfo: the label padded to 16 columns, the figure right-aligned in 8, " kB".</summary>
        public static void Meminfo(ref ProcText text, string label, ulong kilobytes)
        {
            text.Text(label);
            text.Byte((byte)':');
            text.PadTo(16);
            text.DecimalPadded(kilobytes, 8);
            text.Text(" kB");
            text.Line();
        }

        /// <summary>"label:\tvalue" lines of status and cpuinfo start this way (status: tab; cpuinfo: tabs to column 16).</summary>
        public static void StatusLabel(ref ProcText text, string label)
        {
            text.Text(label);
            text.Text(":\t");
        }

        /// <summary>A cpuinfo label: the name, tabs to the 16th column (as Linux's "model name\t: ..."), ": ".</summary>
        public static void CpuinfoLabel(ref ProcText text, string label)
        {
            text.Text(label);
            text.Byte((byte)'\t');
            if (label.Length < 8)
                text.Byte((byte)'\t');
            text.Text(": ");
        }

        /// <summary>
        /// A /proc/stat cpu line: "cpu" and the processor's number ("cpu" and a second space for the total line, as
        /// Linux), then user nice system idle iowait irq softirq steal guest guest_nice, in clock ticks.
        /// </summary>
        public static void CpuTimes(ref ProcText text, string label, int processor, ulong user, ulong system, ulong idle)
        {
            text.Text(label);
            if (processor >= 0)
                text.Decimal((ulong)processor);
            else
                text.Byte((byte)' ');
            Field(ref text, user);
            Field(ref text, 0UL);      // nice
            Field(ref text, system);
            Field(ref text, idle);
            for (int i = 0; i < 6; i++)
                Field(ref text, 0UL);  // iowait irq softirq steal guest guest_nice
            text.Line();
        }

        /// <summary>/proc/uptime: seconds up and seconds idle (summed over processors), two decimals each.</summary>
        public static void Uptime(ref ProcText text, ulong upMicroseconds, ulong idleMicroseconds)
        {
            text.Hundredths(upMicroseconds / 10_000);
            text.Byte((byte)' ');
            text.Hundredths(idleMicroseconds / 10_000);
            text.Line();
        }

        /// <summary>/proc/loadavg: three averages (hundredths), running/total scheduling entities, the newest pid.</summary>
        public static void LoadAverage(ref ProcText text, ulong one, ulong five, ulong fifteen, int running, int total, int newestProcess)
        {
            text.Hundredths(one);
            text.Byte((byte)' ');
            text.Hundredths(five);
            text.Byte((byte)' ');
            text.Hundredths(fifteen);
            text.Byte((byte)' ');
            text.Decimal((ulong)running);
            text.Byte((byte)'/');
            text.Decimal((ulong)total);
            text.Byte((byte)' ');
            text.Decimal((ulong)newestProcess);
            text.Line();
        }

        /// <summary>
        /// Linux's hit rate as a percentage with two decimals, from counts (0.00 with no lookups): hundredths of a
        /// percent, rounded down.
        /// </summary>
        public static ulong HitRateHundredths(ulong hits, ulong misses)
        {
            ulong total = hits + misses;
            if (total == 0)
                return 0;
            // hits * 10000 may overflow for huge counts: scale down first.
            while (hits > ulong.MaxValue / 10000)
            {
                hits >>= 1;
                total >>= 1;
            }
            return hits * 10000 / total;
        }

        /// <summary>Clock ticks (USER_HZ, 100 a second) in 'units', a count of something that runs at 'perSecond'.</summary>
        public static ulong ToClockTicks(ulong units, ulong perSecond)
            => perSecond == 0 ? 0 : units / perSecond * 100 + units % perSecond * 100 / perSecond;
    }
}
