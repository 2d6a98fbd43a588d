using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Memory;

namespace Exo.PosixX.Vfs.Proc
{
    /// <summary>
    /// A process's /proc files (and a thread's, under task/TID), from ProcessFacts:
    /// - stat: the 52 fields (ProcFormat.Stat). Filled: pid, comm, state, num_threads, utime (all of its threads'
    ///   CPU time: user and kernel time are not told apart yet, so stime is 0), priority (20 + nice) and nice, of the first live thread (or the task's),
    ///   starttime (LinuxProcess.StartedMicroseconds; 0 for a native process), vsize (its regions; a native process's
    ///   image, stack and mappings), rss (pages mapped),
    ///   rsslim (RLIMIT_RSS), startcode/endcode and start_data/end_data (the image's executable and writable segments),
    ///   startstack (the stack's top), start_brk (the break's start: the image's end), processor (where it last ran),
    ///   exit_signal 17 (SIGCHLD), exit_code for a process that has ended (status &lt;&lt; 8, 9 killed, 11 faulted).
    ///   0 until POSIX-X keeps them (ProcessFacts): ppid, pgrp, session, tty_nr (tpgid -1), flags, fault counts,
    ///   children's times, signal masks, arg_start/arg_end/env_start/env_end (the start stack does not record where
    ///   it put the strings). Always 0 as on Linux: itrealvalue, kstkesp, kstkeip, wchan, nswap, cnswap; and
    ///   rt_priority, delayacct_blkio_ticks, guest times. policy: the same thread's (SCHED_OTHER, BATCH or IDLE).
    /// - statm: size, resident, shared (0), text, lib (0), data (with the stack), dt (0), in pages.
    /// - status: Name, Umask, State, Tgid, Pid, PPid, TracerPid, Uid, Gid (real, effective, saved, file system = effective),
    ///   FDSize, VmSize, VmRSS, VmData, VmStk, VmExe, Threads, SigQ, SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt (zeros until
    ///   signals land).
    /// - cmdline: the command line's words, each followed by a zero (Process.CommandLine, split as spawn splits it);
    ///   empty once the process has ended, as Linux's.
    /// - comm, maps (MemoryRegions.Snapshot: the program's segments named by its path, a mapped file's regions and the dynamic
    ///   linker's by the file's path now (MappedFiles, DescriptorPaths), with their file offsets and the device and inode
    ///   stat gives; [heap], [stack], [vvar], [vdso]), environ (empty: ProcessFacts),
    ///   mounts (the mount table as the process's root sees it).
    /// </summary>
    public static unsafe class ProcessFiles
    {
        public static Error Generate(ProcNode node, Process process, ref ProcText text)
        {
            int slot = ProcessFacts.NoThread;
            if (node.ThreadId != 0)
            {
                slot = ProcessFacts.SlotOf(process, node.ThreadId);
                if (slot == ProcessFacts.NoThread)
                    return Error.NotFound;
            }
            LinuxProcess linux = ProcessFacts.Linux(process);
            switch (node.Kind)
            {
                case ProcKind.ProcessStat: return Stat(process, linux, node.ThreadId, slot, ref text);
                case ProcKind.ProcessStatus: return Status(process, linux, node.ThreadId, slot, ref text);
                case ProcKind.CommandLine: return CommandLine(process, ref text);
                case ProcKind.CommandName:
                {
                    byte* name = stackalloc byte[LinuxProcess.CommandNameCapacity];
                    text.Bytes(name, ProcessFacts.CommandName(process, name));
                    text.Line();
                    return Error.None;
                }
                case ProcKind.Maps: return linux != null ? Maps(process, linux, ref text) : Error.None;
                case ProcKind.MemoryPages: return MemoryPages(process, linux, ref text);
                case ProcKind.Environment:
                {
                    byte* environment = stackalloc byte[1];
                    text.Bytes(environment, ProcessFacts.Environment(process, environment, 0));
                    return Error.None;
                }
                case ProcKind.ProcessMounts:
                {
                    if (linux == null)
                        return Error.NotFound;
                    Vnode root = ProcessFacts.Directory(linux, root: true);
                    if (root == null)
                        return Error.None;   // it has ended: no mount namespace to show
                    Error error = SystemFiles.Mounts(root, ref text);
                    root.Release();
                    return error;
                }
            }
            return Error.Invalid;
        }

        /// <summary>The figures of its regions (stat's vsize, status's Vm* lines), in bytes.</summary>
        private struct MemoryFigures
        {
            public ulong Size, Data, Stack, Executable;
        }

        private static MemoryFigures Figures(Process process, LinuxProcess linux)
        {
            MemoryFigures figures = default;
            if (linux == null)
            {
                // A native process has no regions: its image's segments, its mapped stack and what it mapped since.
                ref ProgramImage image = ref process.Image;
                for (int i = 0; i < image.SegmentCount; i++)
                    figures.Size += image.SegmentEnd[i] - image.SegmentStart[i];
                figures.Stack = image.StackMappedBytes;
                figures.Size += figures.Stack + System.Threading.Volatile.Read(ref process.MappedBytes);
                return figures;
            }
            MemoryRegions.Region* regions = (MemoryRegions.Region*)KernelHeap.AllocateUninitialized(
                (ulong)(MemoryRegions.Capacity * sizeof(MemoryRegions.Region)));
            if (regions == null)
                return figures;
            int count = ProcessFacts.Regions(linux, regions, MemoryRegions.Capacity);
            for (int i = 0; i < count; i++)
            {
                ulong size = regions[i].End - regions[i].Start;
                figures.Size += size;
                if (regions[i].Kind == RegionKind.Stack)
                    figures.Stack += size;
                else if (regions[i].Kind == RegionKind.Image && (regions[i].Protection & Protection.Execute) != 0)
                    figures.Executable += size;
                else if ((regions[i].Protection & Protection.Write) != 0 && !MemoryRegions.IsShared(regions[i].Kind))
                    figures.Data += size;   // Linux's VmData: private writable memory that is not the stack
            }
            KernelHeap.Free(regions);
            return figures;
        }

        private static Error Stat(Process process, LinuxProcess linux, int threadId, int slot, ref ProcText text)
        {
            ProcessFacts.Scheduling scheduling = ProcessFacts.SchedulingOf(process, slot);
            MemoryFigures memory = Figures(process, linux);
            StatFields f = default;
            f.ProcessId = threadId != 0 ? threadId : process.Id;
            ProcessFacts.CommandName(process, f.Command);
            f.State = scheduling.State;
            f.ParentId = ProcessFacts.ParentId(process);
            f.ProcessGroup = ProcessFacts.ProcessGroup(process);
            f.Session = ProcessFacts.Session(process);
            f.TerminalNumber = ProcessFacts.TerminalNumber(process);
            f.TerminalProcessGroup = ProcessFacts.TerminalProcessGroup(process);
            f.MinorFaults = ProcessFacts.MinorFaults(process);
            f.UserTime = ProcFormat.ToClockTicks(scheduling.CpuTime, SystemClock.TscFrequency);
            f.Priority = 20 + scheduling.Nice;   // Linux's task_prio of a normal thread
            f.Nice = scheduling.Nice;
            f.Policy = (uint)scheduling.Policy;
            f.ThreadCount = ProcessFacts.ThreadCount(process);
            f.StartTime = linux != null ? linux.StartedMicroseconds / 10_000 : 0;
            f.VirtualSize = memory.Size;
            f.ResidentPages = (long)ProcessFacts.ResidentPages(process.Id);
            f.ResidentLimit = linux != null ? linux.Limits.Current[ResourceLimits.ResidentSet] : ResourceLimits.Infinity;
            ProcessFacts.Signals(process, slot, out f.Pending, out ulong shared, out f.Blocked, out f.Ignored, out f.Caught);
            f.Pending |= shared;   // stat's "signal": what is pending for the thread or the whole process
            ref ProgramImage image = ref process.Image;
            for (int i = 0; i < image.SegmentCount; i++)
            {
                bool executable = (image.SegmentProtection[i] & 4) != 0, writable = (image.SegmentProtection[i] & 2) != 0;
                if (executable)
                {
                    if (f.StartCode == 0 || image.SegmentStart[i] < f.StartCode) f.StartCode = image.SegmentStart[i];
                    if (image.SegmentEnd[i] > f.EndCode) f.EndCode = image.SegmentEnd[i];
                }
                else if (writable)
                {
                    if (f.StartData == 0 || image.SegmentStart[i] < f.StartData) f.StartData = image.SegmentStart[i];
                    if (image.SegmentEnd[i] > f.EndData) f.EndData = image.SegmentEnd[i];
                }
            }
            f.StartStack = image.StackTop;
            f.StartBreak = image.ImageEnd;
            f.ExitSignal = ProcessFacts.ExitSignal(process);
            f.Processor = scheduling.Processor;
            if (process.State == ProcessState.Exited)
                f.ExitCode = process.Killed ? 9 : process.Faulted ? 11 : (int)(process.ExitStatus & 0xFF) << 8;
            ProcFormat.Stat(ref text, f);
            return Error.None;
        }

        private static Error Status(Process process, LinuxProcess linux, int threadId, int slot, ref ProcText text)
        {
            ProcessFacts.Scheduling scheduling = ProcessFacts.SchedulingOf(process, slot);
            byte* name = stackalloc byte[LinuxProcess.CommandNameCapacity];
            ProcFormat.StatusLabel(ref text, "Name");
            text.Bytes(name, ProcessFacts.CommandName(process, name));
            text.Line();
            if (linux != null)
            {
                ProcFormat.StatusLabel(ref text, "Umask");
                uint umask;
                using (linux.Lock.Hold())
                    umask = linux.FileCreationMask;
                text.Byte((byte)'0');
                text.Byte((byte)('0' + ((umask >> 6) & 7)));
                text.Byte((byte)('0' + ((umask >> 3) & 7)));
                text.Byte((byte)('0' + (umask & 7)));
                text.Line();
            }
            ProcFormat.StatusLabel(ref text, "State");
            text.Text(ProcessFacts.StateName(scheduling.State));
            text.Line();
            Line(ref text, "Tgid", process.Id);
            Line(ref text, "Ngid", 0);
            Line(ref text, "Pid", threadId != 0 ? threadId : process.Id);
            Line(ref text, "PPid", ProcessFacts.ParentId(process));
            Line(ref text, "TracerPid", 0);
            Credentials credentials = ProcessFacts.CredentialsOf(process);
            Identities(ref text, "Uid", credentials.UserId, credentials.EffectiveUserId, credentials.SavedUserId, credentials.FileSystemUserId);
            Identities(ref text, "Gid", credentials.GroupId, credentials.EffectiveGroupId, credentials.SavedGroupId, credentials.FileSystemGroupId);
            if (linux != null)
                Line(ref text, "FDSize", ProcessFacts.DescriptorSlots(linux));
            text.Text("Groups:\t");
            for (int i = 0; i < credentials.GroupCount; i++)
            {
                text.Decimal(credentials.Groups[i]);
                text.Byte((byte)' ');
            }
            text.Line();
            if (linux != null)
            {
                MemoryFigures memory = Figures(process, linux);
                Kilobytes(ref text, "VmSize", memory.Size / 1024);
                Kilobytes(ref text, "VmRSS", ProcessFacts.ResidentPages(process.Id) * 4);
                Kilobytes(ref text, "VmData", memory.Data / 1024);
                Kilobytes(ref text, "VmStk", memory.Stack / 1024);
                Kilobytes(ref text, "VmExe", memory.Executable / 1024);
            }
            else
            {
                MemoryFigures memory = Figures(process, null);
                Kilobytes(ref text, "VmSize", memory.Size / 1024);
                Kilobytes(ref text, "VmRSS", ProcessFacts.ResidentPages(process.Id) * 4);
                Kilobytes(ref text, "VmStk", memory.Stack / 1024);
            }
            Line(ref text, "Threads", ProcessFacts.ThreadCount(process));
            ProcessFacts.Signals(process, slot, out ulong pending, out ulong sharedPending, out ulong blocked, out ulong ignored, out ulong caught);
            ProcFormat.StatusLabel(ref text, "SigQ");
            text.Decimal(0);   // signals queued: none until signals land
            text.Byte((byte)'/');
            text.Decimal(linux != null ? linux.Limits.Current[ResourceLimits.PendingSignals] : 0);
            text.Line();
            Mask(ref text, "SigPnd", pending);
            Mask(ref text, "ShdPnd", sharedPending);
            Mask(ref text, "SigBlk", blocked);
            Mask(ref text, "SigIgn", ignored);
            Mask(ref text, "SigCgt", caught);
            return Error.None;
        }

        private static void Line(ref ProcText text, string label, long value)
        {
            ProcFormat.StatusLabel(ref text, label);
            text.SignedDecimal(value);
            text.Line();
        }

        private static void Identities(ref ProcText text, string label, uint real, uint effective, uint saved, uint fileSystem)
        {
            ProcFormat.StatusLabel(ref text, label);
            text.Decimal(real);
            text.Byte((byte)'\t');
            text.Decimal(effective);
            text.Byte((byte)'\t');
            text.Decimal(saved);
            text.Byte((byte)'\t');
            text.Decimal(fileSystem);
            text.Line();
        }

        private static void Kilobytes(ref ProcText text, string label, ulong kilobytes)
        {
            ProcFormat.StatusLabel(ref text, label);
            text.DecimalPadded(kilobytes, 8);
            text.Text(" kB\n");
        }

        private static void Mask(ref ProcText text, string label, ulong mask)
        {
            ProcFormat.StatusLabel(ref text, label);
            text.Hex(mask, 16);
            text.Line();
        }

        private static Error CommandLine(Process process, ref ProcText text)
        {
            if (process.State == ProcessState.Exited)
                return Error.None;
            byte* line = process.CommandLine;
            int length = process.CommandLineLength;
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && line[i] != (byte)' ')
                    continue;
                if (i > start)
                {
                    text.Bytes(line + start, i - start);
                    text.Byte(0);
                }
                start = i + 1;
            }
            return Error.None;
        }

        // statm (procps' top reads VIRT, RES and SHR there): size resident shared text lib data dt, in pages, as Linux's
        // task_statm: the mapped size, the resident pages, no shared count (0), the program's text, lib and dt 0 (as
        // Linux 2.6 on), data the private writable memory with the stack.
        private static Error MemoryPages(Process process, LinuxProcess linux, ref ProcText text)
        {
            MemoryFigures memory = Figures(process, linux);
            const ulong PageBytes = 4096;
            text.Decimal(memory.Size / PageBytes);
            text.Byte((byte)' ');
            text.Decimal(ProcessFacts.ResidentPages(process.Id));
            text.Text(" 0 ");
            text.Decimal(memory.Executable / PageBytes);
            text.Text(" 0 ");
            text.Decimal((memory.Data + memory.Stack) / PageBytes);
            text.Text(" 0");
            text.Line();
            return Error.None;
        }

        private static Error Maps(Process process, LinuxProcess linux, ref ProcText text)
        {
            MemoryRegions.Region* regions = (MemoryRegions.Region*)KernelHeap.AllocateUninitialized(
                (ulong)(MemoryRegions.Capacity * sizeof(MemoryRegions.Region)));
            if (regions == null)
                return Error.OutOfMemory;
            // Two paths: the program's, and a mapped file's (one at a time).
            byte* path = (byte*)KernelHeap.AllocateUninitialized(2 * PathWalker.MaximumPathLength);
            if (path == null)
            {
                KernelHeap.Free(regions);
                return Error.OutOfMemory;
            }
            byte* filePath = path + PathWalker.MaximumPathLength;
            Vnode root = ProcessFacts.ReaderRoot();
            ProcText pathText = new ProcText(path, PathWalker.MaximumPathLength);
            if (ProcessFacts.ExecutablePath(process, root, ref pathText) != Error.None || pathText.Overflowed)
                pathText = new ProcText(path, PathWalker.MaximumPathLength);   // no name rather than a wrong one
            int pathLength = pathText.Length;
            Vnode program = ProcessFacts.Executable(linux);
            ulong programInode = program != null ? program.Inode : 0, programDevice = program != null ? program.FileSystemDevice : 0;
            program?.Release();
            byte* heap = stackalloc byte[8];
            byte* stack = stackalloc byte[8];
            byte* timePage = stackalloc byte[8];
            byte* vdso = stackalloc byte[8];
            int heapLength = Put(heap, "[heap]"), stackLength = Put(stack, "[stack]");
            int timePageLength = Put(timePage, "[vvar]"), vdsoLength = Put(vdso, "[vdso]");
            int count = ProcessFacts.Regions(linux, regions, MemoryRegions.Capacity);
            for (int i = 0; i < count; i++)
            {
                MemoryRegions.Region region = regions[i];
                int permissions = (int)region.Protection & (ProcFormat.MapRead | ProcFormat.MapWrite | ProcFormat.MapExecute);
                if (MemoryRegions.IsShared(region.Kind))
                    permissions |= ProcFormat.MapShared;
                byte* name = null;
                int nameLength = 0;
                ulong offset = 0, inode = 0, device = 0;
                if (region.File != 0)
                {
                    // A mapped file, or the dynamic linker's segments: the file's path now, its offset, device and inode.
                    Vnode file = ProcessFacts.MappedFile(linux, region.File);
                    if (file != null)
                    {
                        ProcText fileText = new ProcText(filePath, PathWalker.MaximumPathLength);
                        if (DescriptorPaths.NodePath(root, file, ref fileText) == Error.None && !fileText.Overflowed)
                        {
                            name = filePath;
                            nameLength = fileText.Length;
                        }
                        offset = region.Offset;
                        inode = file.Inode;
                        device = file.FileSystemDevice;
                        file.Release();
                    }
                }
                else if (region.Kind == RegionKind.Image && region.Start < ProgramLoader.InterpreterBase)
                {
                    name = path;
                    nameLength = pathLength;
                    offset = region.Offset;
                    inode = programInode;
                    device = programDevice;
                }
                else if (region.Kind == RegionKind.Heap) { name = heap; nameLength = heapLength; }
                else if (region.Kind == RegionKind.Stack) { name = stack; nameLength = stackLength; }
                else if (region.Kind == RegionKind.Vvar) { name = timePage; nameLength = timePageLength; }
                else if (region.Kind == RegionKind.Vdso) { name = vdso; nameLength = vdsoLength; }
                ProcFormat.Maps(ref text, region.Start, region.End, permissions, offset, (uint)Devices.Major(device), (uint)Devices.Minor(device),
                    inode, name, nameLength);
            }
            root.Release();
            KernelHeap.Free(path);
            KernelHeap.Free(regions);
            return Error.None;
        }

        private static int Put(byte* into, string text)
        {
            for (int i = 0; i < text.Length; i++)
                into[i] = (byte)text[i];
            return text.Length;
        }
    }
}
