using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// execve and execveat: a new program in the calling process, from a file in the VFS. Everything that can fail
    /// happens first (the path, execute permission, "#!" interpreters up to four deep, the ELF loaded into a new
    /// address space, argv and envp on its stack, its memory regions); then, past the point of no return, the
    /// kernel ends the process's other threads (ProcessLifecycle.EndOtherThreads: Linux's de_thread, the caller
    /// becoming the first thread with the process id as its thread id), swaps the address space (ProcessExec) and
    /// POSIX-X resets what Linux resets: close-on-exec descriptors, caught signals back to their default, the
    /// alternate stack, the robust list and clear-child-tid address, the FS base, the SSE state, and a vfork parent
    /// goes on. A failure before that point leaves the caller as it was, with the error.
    /// </summary>
    public static unsafe class ExecCalls
    {
        private const int MaximumInterpreterDepth = 4;
        private const int InterpreterLineCapacity = 256;
        /// <summary>The largest program file read (an explicit limit: ENOMEM past it).</summary>
        private const ulong MaximumProgramSize = 256UL << 20;
        private const int AtEmptyPath = 0x1000, AtSymlinkNoFollow = 0x100;
        private const int StringChunk = 128;   // the most of an argument or environment string read at a time

        private static ulong s_executions;
        public static ulong Executions => s_executions;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Execve, &DoExecute, CallPath.Legacy);
            LinuxSystemCalls.Register(Execveat, &DoExecuteAt, CallPath.Legacy);
        }

        private static ulong DoExecute(RegisterFrame* frame)
            => Execute(frame, unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, frame->Argument1, frame->Argument2, 0);

        // execveat(dirfd, path, argv, envp, flags)
        private static ulong DoExecuteAt(RegisterFrame* frame)
            => Execute(frame, frame->Argument0, frame->Argument1, frame->Argument2, frame->Argument3, (int)frame->Argument4);

        private static ulong Execute(RegisterFrame* frame, ulong directory, ulong userPath, ulong userArguments, ulong userEnvironment, int flags)
        {
            if ((flags & ~(AtEmptyPath | AtSymlinkNoFollow)) != 0)
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess process = LinuxProcess.Current;
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            ArgumentVector arguments = ArgumentVector.Create();
            if (path == null || arguments == null)
            {
                if (path != null) KernelHeap.Free(path);
                arguments?.Free();
                return SystemCallResult.From(Error.OutOfMemory);
            }
            Error error = PathWalker.CopyPath(userPath, path, out int pathLength, (flags & AtEmptyPath) != 0);
            if (error == Error.None)
                error = CopyStrings(userArguments, arguments, environment: false);
            if (error == Error.None)
                error = CopyStrings(userEnvironment, arguments, environment: true);
            if (error == Error.None)
                error = Load(process, frame, directory, path, pathLength, (flags & AtSymlinkNoFollow) == 0, ref arguments);
            KernelHeap.Free(path);
            arguments.Free();
            return SystemCallResult.From(error);
        }

        // Copies a program's null-terminated array of strings into 'into' (E2BIG past its limits, EFAULT for a bad pointer).
        private static Error CopyStrings(ulong array, ArgumentVector into, bool environment)
        {
            if (array == 0)
                return Error.None;   // Linux accepts a null argv or envp as empty
            byte* text = stackalloc byte[StringChunk];
            for (int index = 0; ; index++)
            {
                ulong pointer;
                if (!UserMemory.CopyFromUser(&pointer, array + (ulong)index * 8, 8))
                    return Error.BadAddress;
                if (pointer == 0)
                    return Error.None;
                if (index >= ArgumentVector.MaximumStrings)
                    return Error.TooBig;
                // One string, up to the vector's room: read in pieces that do not cross a page end.
                int length = 0;
                byte* bytes = (byte*)KernelHeap.AllocateUninitialized(ArgumentVector.Capacity);
                if (bytes == null)
                    return Error.OutOfMemory;
                Error error = Error.None;
                while (true)
                {
                    ulong address = pointer + (ulong)length;
                    int chunk = (int)(0x1000 - (address & 0xFFF));
                    if (chunk > StringChunk) chunk = StringChunk;   // strings are short; a user copy costs per byte
                    if (length + chunk > ArgumentVector.Capacity)
                    {
                        error = Error.TooBig;
                        break;
                    }
                    if (!UserMemory.CopyFromUser(text, address, (ulong)chunk))
                    {
                        error = Error.BadAddress;
                        break;
                    }
                    int end = 0;
                    while (end < chunk && text[end] != 0)
                        end++;
                    for (int i = 0; i < end; i++)
                        bytes[length + i] = text[i];
                    length += end;
                    if (end < chunk)
                        break;
                }
                if (error == Error.None && !(environment ? into.AddEnvironment(bytes, length) : into.AddArgument(bytes, length)))
                    error = Error.TooBig;
                KernelHeap.Free(bytes);
                if (error != Error.None)
                    return error;
            }
        }

        // Resolves and loads the program (following "#!" lines), then commits. Returns only on failure, or with
        // Error.None once the process runs the new program.
        private static Error Load(LinuxProcess process, RegisterFrame* frame, ulong directory, byte* path, int pathLength, bool follow,
            ref ArgumentVector arguments)
        {
            byte* line = stackalloc byte[InterpreterLineCapacity];
            byte* originalPath = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (originalPath == null)
                return Error.OutOfMemory;
            for (int i = 0; i < pathLength; i++)
                originalPath[i] = path[i];
            int originalLength = pathLength;
            Error error = Error.None;
            for (int depth = 0; ; depth++)
            {
                Vnode node;
                error = Open(directory, path, pathLength, follow, out node);
                if (error != Error.None)
                    break;
                ulong lineLength;
                error = node.Read(0, IoBuffer.Kernel(line), InterpreterLineCapacity, out lineLength);
                if (error == Error.None && lineLength >= 2 && line[0] == (byte)'#' && line[1] == (byte)'!')
                {
                    node.Release();
                    if (depth == MaximumInterpreterDepth)
                    {
                        error = Error.TooManySymbolicLinks;   // ELOOP: interpreters of interpreters, too deep
                        break;
                    }
                    error = Interpret(line, (int)lineLength, path, ref pathLength, ref arguments);
                    if (error != Error.None)
                        break;
                    directory = unchecked((ulong)DescriptorContext.WorkingDirectory);
                    follow = true;
                    continue;
                }
                if (error == Error.None)
                    error = LoadImage(process, frame, node, originalPath, originalLength, arguments);
                node.Release();
                break;
            }
            KernelHeap.Free(originalPath);
            return error;
        }

        // The file 'path' names, if it is a regular file the caller may execute.
        private static Error Open(ulong directory, byte* path, int pathLength, bool follow, out Vnode node)
        {
            node = null;
            Error error = DescriptorContext.At(directory, path, pathLength, out PathWalker.Context context);
            if (error != Error.None)
                return error;
            if (pathLength == 0)
            {
                node = context.Start;   // AT_EMPTY_PATH: the descriptor's own file
                node.AddReference();
            }
            else
            {
                error = PathWalker.Resolve(context, path, pathLength, follow, out node);
            }
            if (error == Error.None)
            {
                error = node.IsDirectory ? Error.AccessDenied : !node.IsRegular ? Error.AccessDenied
                    : Permissions.Check(node, context.Credentials, FileMode.Execute);
                if (error == Error.None && (node.Mode & 0x49) == 0)
                    error = Error.AccessDenied;   // no execute bit at all: not even root runs it
                if (error != Error.None)
                {
                    node.Release();
                    node = null;
                }
            }
            DescriptorContext.Release(context);
            return error;
        }

        // "#!interpreter [one argument]": the new argv is interpreter, [argument], the script's path, then the old
        // argv without its first word; the environment stays. 'path' becomes the interpreter's.
        private static Error Interpret(byte* line, int length, byte* path, ref int pathLength, ref ArgumentVector arguments)
        {
            int end = 2;
            while (end < length && line[end] != (byte)'\n')
                end++;
            if (end == length && length == InterpreterLineCapacity)
                return Error.NotExecutable;   // the line does not end within the limit
            int start = 2;
            while (start < end && (line[start] == (byte)' ' || line[start] == (byte)'\t'))
                start++;
            int nameEnd = start;
            while (nameEnd < end && line[nameEnd] != (byte)' ' && line[nameEnd] != (byte)'\t')
                nameEnd++;
            if (nameEnd == start)
                return Error.NotExecutable;
            int argumentStart = nameEnd;
            while (argumentStart < end && (line[argumentStart] == (byte)' ' || line[argumentStart] == (byte)'\t'))
                argumentStart++;
            int argumentEnd = end;
            while (argumentEnd > argumentStart && (line[argumentEnd - 1] == (byte)' ' || line[argumentEnd - 1] == (byte)'\t' || line[argumentEnd - 1] == (byte)'\r'))
                argumentEnd--;

            ArgumentVector rebuilt = ArgumentVector.Create();
            if (rebuilt == null)
                return Error.OutOfMemory;
            bool fits = rebuilt.AddArgument(line + start, nameEnd - start)
                && (argumentEnd == argumentStart || rebuilt.AddArgument(line + argumentStart, argumentEnd - argumentStart))
                && rebuilt.AddArgument(path, pathLength);
            byte* bytes = arguments.Bytes;
            int offset = 0;
            for (int i = 0; i < arguments.ArgumentCount + arguments.EnvironmentCount && fits; i++)
            {
                int stringLength = 0;
                while (bytes[offset + stringLength] != 0)
                    stringLength++;
                if (i >= arguments.ArgumentCount)
                    fits = rebuilt.AddEnvironment(bytes + offset, stringLength);
                else if (i > 0)
                    fits = rebuilt.AddArgument(bytes + offset, stringLength);
                offset += stringLength + 1;
            }
            if (!fits)
            {
                rebuilt.Free();
                return Error.TooBig;
            }
            arguments.Free();
            arguments = rebuilt;
            pathLength = nameEnd - start;
            for (int i = 0; i < pathLength; i++)
                path[i] = line[start + i];
            return Error.None;
        }

        // Reads the ELF, loads it into a new space, lays out its stack and regions; then commits.
        private static Error LoadImage(LinuxProcess process, RegisterFrame* frame, Vnode node, byte* path, int pathLength, ArgumentVector arguments)
        {
            // A file open for writing cannot run (ETXTBSY); from here on, no one may open it for writing until the
            // exec fails or the process ends (Commit hands the denial to the process).
            if (!node.TryDenyWriteAccess())
                return Error.TextBusy;
            Error error = LoadImageDenyingWrites(process, frame, node, path, pathLength, arguments);
            if (error != Error.None)
                node.AllowWriteAccess();
            return error;
        }

        // Reads a large program into pages; ENOEXEC when its headers lie beyond the first pages (ElfImage reads them there).
        private static Error ReadInPages(Vnode node, ulong size, ref PagedProgramFile paged)
        {
            if (!paged.Allocate(size))
                return Error.OutOfMemory;
            for (ulong page = 0; page < paged.PageCount; page++)
            {
                ulong offset = page * PagedProgramFile.PageSize;
                ulong count = size - offset < PagedProgramFile.PageSize ? size - offset : PagedProgramFile.PageSize;
                Error error = node.Read(offset, IoBuffer.Kernel(paged.Pages[page]), count, out ulong read);
                if (error != Error.None)
                    return error;
                if (read != count)
                    return Error.InputOutput;
            }
            paged.FillWindow();
            return paged.HeadersFitWindow() ? Error.None : Error.NotExecutable;
        }

        // A program on a file system that maps its frames (tmpfs) is held as those frames, each shared until the loader is
        // done: nothing is read or copied, and its read-only pages are mapped as they are (Linux maps a program's text from
        // the page cache too). False (nothing held) when a frame cannot be had or the headers lie beyond the window: the
        // caller reads the file instead, which gives those their errors.
        /// <summary>A program's file frames looked up per turn by HoldFileFrames (held on the kernel stack meanwhile).</summary>
        private const ulong FrameBatch = 64;

        private static bool HoldFileFrames(Vnode node, ulong size, ref PagedProgramFile paged)
        {
            if (!node.MapsFrames || size == 0)
                return false;
            paged.FileFrames = true;
            bool held = paged.AllocateTable(size);
            ulong* frames = stackalloc ulong[(int)FrameBatch];
            for (ulong page = 0; held && page < paged.PageCount;)
            {
                ulong wanted = paged.PageCount - page < FrameBatch ? paged.PageCount - page : FrameBatch;
                ulong found = node.MapFrames(page, wanted, frames);
                for (ulong i = 0; i < found; i++)
                    paged.Pages[page + i] = (byte*)PhysicalMemory.ToVirtual(frames[i]);
                page += found;
                held = found == wanted;
            }
            if (held)
                paged.FillWindow();
            if (held && paged.HeadersFitWindow())
                return true;
            paged.Free();
            return false;
        }

        // The program's bytes for the loader: its file system's frames (HoldFileFrames), or read whole into one heap block,
        // or page by page when larger than one ('paged' then holds it, and 'file' is its header window, 'visible' long).
        private static Error ReadProgram(Vnode node, ulong size, ref PagedProgramFile paged, out byte* file, out ulong visible)
        {
            bool inPages = HoldFileFrames(node, size, ref paged);
            Error error = Error.None;
            if (!inPages && PagedProgramFile.IsNeededFor(size))
            {
                inPages = true;
                error = ReadInPages(node, size, ref paged);
            }
            file = inPages ? paged.Window : (byte*)KernelHeap.AllocateUninitialized(size == 0 ? 1 : size);
            visible = inPages ? paged.WindowLength : size;
            if (error == Error.None && file == null)
                error = Error.OutOfMemory;
            if (error == Error.None && !inPages)
            {
                error = node.Read(0, IoBuffer.Kernel(file), size, out ulong read);
                if (error == Error.None && read != size)
                    error = Error.InputOutput;
            }
            if (error != Error.None)
                FreeProgram(ref paged, file);
            return error;
        }

        private static void FreeProgram(ref PagedProgramFile paged, byte* file)
        {
            if (paged.Pages != null || paged.Window != null)
                paged.Free();
            else if (file != null)
                KernelHeap.Free(file);
        }

        private static Error LoadImageDenyingWrites(LinuxProcess process, RegisterFrame* frame, Vnode node, byte* path, int pathLength,
            ArgumentVector arguments)
        {
            ulong size = node.Size;
            if (size > MaximumProgramSize)
                return Error.OutOfMemory;
            PagedProgramFile paged = default;
            Error error = ReadProgram(node, size, ref paged, out byte* file, out ulong visible);
            if (error != Error.None)
                return error;
            bool inPages = paged.Pages != null;
            AddressSpace space = ProgramLoader.Load(file, size, out ProgramImage image, out error, reserveStack: true,   // as Linux: stack pages on first touch
                loadBias: ProgramLoader.PositionIndependentBase, allowInterpreter: true, paged: inPages ? &paged : null);
            Vnode interpreter = null;   // its file (a reference), which names its regions
            if (space != null && image.NeedsInterpreter)
            {
                error = ElfImage.TryFindInterpreter(file, visible, out ulong interpreterOffset, out ulong interpreterLength)
                    ? LoadInterpreter(space, file + interpreterOffset, interpreterLength, ref image, out interpreter)
                    : Error.NotExecutable;   // a malformed PT_INTERP
                if (error != Error.None)
                {
                    ProgramLoader.Discard(space);
                    space = null;
                }
            }
            FreeProgram(ref paged, file);
            if (space == null)
                return error == Error.None ? Error.NotExecutable : error;
            if (image.Personality != Exo.Kernel.Processes.Personality.Linux)
            {
                interpreter?.Release();
                ProgramLoader.Discard(space);
                return Error.NotExecutable;   // a native Exo-OS program is started by spawn, not by a Linux exec
            }
            // The regions first: they map the vDSO, whose address the start stack names (AT_SYSINFO_EHDR).
            Memory.MemoryRegions regions = Memory.MemoryRegions.Create(process.Process, space, image, interpreter);
            interpreter?.Release();
            if (regions == null)
            {
                ProgramLoader.Discard(space);
                return Error.OutOfMemory;
            }
            RegisterFrame start;
            if (!StartStack.BuildLinux(space, image, arguments, path, pathLength, regions.VdsoAddress, out start))
            {
                regions.Release();
                ProgramLoader.Discard(space);
                return Error.TooBig;
            }
            // The other threads end before the old program goes (only a kill of the process stops that).
            if (System.Threading.Volatile.Read(ref process.Process.LiveThreads) > 1
                && !ProcessLifecycle.EndOtherThreads(process.Process, Exo.Kernel.Scheduler.Scheduler.Current))
            {
                regions.Release();
                ProgramLoader.Discard(space);
                return Error.Interrupted;   // the caller is being killed: it never sees this
            }
            Commit(process, frame, space, image, regions, node, path, pathLength, arguments, &start);
            return Error.None;
        }

        // A dynamically linked program's interpreter (PT_INTERP: Debian's /lib64/ld-linux-x86-64.so.2), opened as Linux
        // opens it (relative to the working directory if relative; ENOENT, EACCES, ENOTDIR, ELOOP as the walk finds) and
        // loaded into the program's space (ProgramLoader.LoadInterpreter: ENOEXEC for a file that is no usable
        // interpreter). The interpreter then maps the libraries with mmap, as on Linux.
        private static Error LoadInterpreter(AddressSpace space, byte* name, ulong nameLength, ref ProgramImage image, out Vnode interpreter)
        {
            interpreter = null;
            if (nameLength >= PathWalker.MaximumPathLength)
                return Error.NameTooLong;
            byte* path = (byte*)KernelHeap.AllocateUninitialized(PathWalker.MaximumPathLength);
            if (path == null)
                return Error.OutOfMemory;
            for (ulong i = 0; i < nameLength; i++)
                path[i] = name[i];
            Error error = Open(unchecked((ulong)DescriptorContext.WorkingDirectory), path, (int)nameLength, true, out Vnode node);
            KernelHeap.Free(path);
            if (error != Error.None)
                return error;
            ulong size = node.Size;
            PagedProgramFile paged = default;
            byte* file = null;
            error = size <= MaximumProgramSize ? ReadProgram(node, size, ref paged, out file, out _) : Error.OutOfMemory;
            if (error == Error.None)
            {
                error = ProgramLoader.LoadInterpreter(space, file, size, ProgramLoader.InterpreterBase, ref image, paged.Pages != null ? &paged : null);
                FreeProgram(ref paged, file);
            }
            if (error == Error.None)
                interpreter = node;
            else
                node.Release();
            return error;
        }

        // The point of no return: the old program is gone from here on.
        private static void Commit(LinuxProcess process, RegisterFrame* frame, AddressSpace space, in ProgramImage image,
            Memory.MemoryRegions regions, Vnode program, byte* path, int pathLength, ArgumentVector arguments, RegisterFrame* start)
        {
            int nameStart = pathLength;
            while (nameStart > 0 && path[nameStart - 1] != (byte)'/')
                nameStart--;
            int nameLength = pathLength - nameStart;
            if (nameLength > Process.NameCapacity)
                nameLength = Process.NameCapacity;
            // The kernel's command line: argv joined by spaces, as far as it fits (ps and /proc show it).
            byte* commandLine = stackalloc byte[Process.CommandLineCapacity];
            int commandLength = 0;
            byte* bytes = arguments.Bytes;
            for (int i = 0, offset = 0; i < arguments.ArgumentCount && commandLength < Process.CommandLineCapacity; i++)
            {
                if (i > 0)
                    commandLine[commandLength++] = (byte)' ';
                while (bytes[offset] != 0)
                {
                    if (commandLength < Process.CommandLineCapacity)
                        commandLine[commandLength++] = bytes[offset];
                    offset++;
                }
                offset++;
            }
            if (commandLength > Process.CommandLineCapacity)
                commandLength = Process.CommandLineCapacity;

            ProcessExec.Replace(process.Process, space, image, path + nameStart, nameLength, commandLine, commandLength);
            // Swapped under the lock: /proc reads another process's regions and program under it.
            Memory.MemoryRegions old;
            Vnode oldProgram;
            bool oldDenied;
            program.AddReference();
            using (process.Lock.Hold())
            {
                old = process.Regions;
                process.Regions = regions;
                oldProgram = process.Executable;
                oldDenied = process.ExecutableDeniesWrites;
                process.Executable = program;
                process.ExecutableDeniesWrites = true;   // LoadImage's denial of writes, now the process's
            }
            old.Release();
            if (oldDenied)
                oldProgram.AllowWriteAccess();
            oldProgram?.Release();
            process.Descriptors.CloseOnExec();
            process.SetCommandName(path + nameStart, pathLength - nameStart);
            LinuxThread thread = LinuxThread.Current;
            using (process.Lock.Hold())
            {
                for (int i = 0; i < Signal.Count; i++)
                {
                    if (process.Handlers[i].Handler != SignalAction.Ignore)
                        process.Handlers[i] = default;   // a caught signal's handler is gone with the program
                    else
                        process.Handlers[i].Flags = process.Handlers[i].Mask = process.Handlers[i].Restorer = 0;
                }
                thread.AlternateStackBase = thread.AlternateStackSize = 0;
                thread.AlternateStackFlags = LinuxThread.AlternateStackDisabled;
                thread.RestoreSavedMask = false;
                thread.ThreadId = process.ProcessId;   // the first thread now, if another thread called execve
                process.ThreadsNotExited = 1;
                process.MembarrierRegistrations = 0;   // as Linux's new mm
                thread.RobustListHead = thread.RobustListLength = 0;
                thread.ClearChildThreadId = 0;
                process.Dumpable = true;   // a new program (never set-user-id here) may be dumped again
            }
            ProcessTree.ReleaseVforkParent(process);
            s_executions++;

            Exo.Kernel.Scheduler.Thread current = Exo.Kernel.Scheduler.Scheduler.Current;
            current.User.FsBase = 0;
            current.User.GsBase = 0;
            Cpu.WriteMsr(Exo.Kernel.UserMode.UserMode.FsBaseMsr, 0);
            Cpu.WriteMsr(Exo.Kernel.UserMode.UserMode.KernelGsBaseMsr, 0);
            ExtendedState.InitializeResetState((byte*)current.User.ExtendedState);
            *frame = *start;
            Exo.Kernel.UserMode.UserMode.MarkFrameChanged(current);
        }
    }
}
