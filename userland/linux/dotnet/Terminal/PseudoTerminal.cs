using System.Runtime.InteropServices;

namespace Terminal;

/// <summary>
/// A pseudo-terminal pair with a shell on its slave: posix_openpt, grantpt, unlockpt and ptsname_r on the master, then
/// posix_spawn with POSIX_SPAWN_SETSID and the slave opened as descriptors 0, 1 and 2 (a session leader's first terminal
/// open without O_NOCTTY makes it the controlling terminal, so ^C reaches the shell's foreground job). The master is
/// non-blocking: <see cref="Read"/> returns 0 when nothing is waiting.
/// </summary>
public sealed unsafe partial class PseudoTerminal : IDisposable
{
    private const string Library = "libc.so.6";
    private const int O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private const int F_SETFL = 4;
    private const int EAGAIN = 11, EINTR = 4, EIO = 5;
    private const ulong TIOCSWINSZ = 0x5414;
    private const short POSIX_SPAWN_SETSID = 0x80;
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86-64; room to spare.
    private const int SpawnStructureBytes = 512;
    private const int PathBytes = 128;

    private readonly int _master;

    public int ShellProcess { get; }
    public string SlavePath { get; }
    /// <summary>Set once the slave side is gone (the shell and everything on it closed it): reads give EIO.</summary>
    public bool Ended { get; private set; }

    private PseudoTerminal(int master, string slavePath, int shell)
    {
        _master = master;
        SlavePath = slavePath;
        ShellProcess = shell;
    }

    /// <summary>Opens a pair sized 'columns' x 'rows' and starts 'program' with 'arguments' (argv[0] included) on it.</summary>
    public static PseudoTerminal Start(int columns, int rows, string program, string[] arguments, string[] environment)
    {
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0) throw Failure("posix_openpt");
        if (grantpt(master) != 0 || unlockpt(master) != 0) throw Failure("grantpt/unlockpt");
        byte* path = stackalloc byte[PathBytes];
        if (ptsname_r(master, path, PathBytes) != 0) throw Failure("ptsname_r");
        string slavePath = Marshal.PtrToStringUTF8((nint)path)!;
        SetWindowSize(master, columns, rows);

        void* actions = NativeMemory.AllocZeroed(SpawnStructureBytes);
        void* attributes = NativeMemory.AllocZeroed(SpawnStructureBytes);
        try
        {
            if (posix_spawn_file_actions_init(actions) != 0 || posix_spawnattr_init(attributes) != 0) throw Failure("posix_spawn setup");
            if (posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID) != 0) throw Failure("posix_spawnattr_setflags");
            if (posix_spawn_file_actions_addopen(actions, 0, slavePath, O_RDWR, 0) != 0
                || posix_spawn_file_actions_adddup2(actions, 0, 1) != 0
                || posix_spawn_file_actions_adddup2(actions, 0, 2) != 0)
                throw Failure("posix_spawn_file_actions");
            int shell;
            using (var argv = new NativeStrings(arguments))
            using (var envp = new NativeStrings(environment))
            {
                int error = posix_spawn(&shell, program, actions, attributes, argv.Pointer, envp.Pointer);
                if (error != 0) throw new IOException($"posix_spawn {program}: error {error}");
            }
            if (fcntl(master, F_SETFL, O_RDWR | O_NONBLOCK) < 0) throw Failure("fcntl");
            return new PseudoTerminal(master, slavePath, shell);
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
        }
    }

    /// <summary>Bytes the shell wrote, up to 'buffer''s length; 0 when none are waiting.</summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            nint count = read(_master, pointer, (nuint)buffer.Length);
            if (count >= 0) return (int)count;
            int error = Marshal.GetLastPInvokeError();
            if (error == EIO) Ended = true;
            return 0;
        }
    }

    /// <summary>Writes all of 'data' to the shell (keys, pastes, answers to queries), waiting while the terminal's input is full.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint count = write(_master, pointer + done, (nuint)(data.Length - done));
                if (count > 0) { done += (int)count; continue; }
                int error = Marshal.GetLastPInvokeError();
                if (count < 0 && (error == EAGAIN || error == EINTR)) { Thread.Sleep(1); continue; }
                Ended = true;
                return;
            }
        }
    }

    /// <summary>Tells the terminal its new size (TIOCSWINSZ): the foreground group gets SIGWINCH when it changed.</summary>
    public void Resize(int columns, int rows) => SetWindowSize(_master, columns, rows);

    /// <summary>Waits until the shell wrote something (or hung up) or 'other' (the compositor's doorbell) is readable, at
    /// most 'timeoutMilliseconds': the terminal sleeps without missing either.</summary>
    public void WaitForEither(int other, int timeoutMilliseconds)
    {
        const short PollIn = 0x0001;
        PollDescriptor* descriptors = stackalloc PollDescriptor[2];
        descriptors[0] = new PollDescriptor { Descriptor = _master, Events = PollIn };
        descriptors[1] = new PollDescriptor { Descriptor = other, Events = PollIn };
        poll(descriptors, 2, timeoutMilliseconds);   // EINTR or an error: the caller's loop looks again
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events, ReturnedEvents;
    }

    public void Dispose() => close(_master);

    private static void SetWindowSize(int descriptor, int columns, int rows)
    {
        WindowSize size = new() { Rows = (ushort)rows, Columns = (ushort)columns };
        if (ioctl(descriptor, TIOCSWINSZ, &size) != 0) throw Failure("TIOCSWINSZ");
    }

    private static IOException Failure(string call) => new($"{call}: errno {Marshal.GetLastPInvokeError()}");

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows, Columns, PixelWidth, PixelHeight;
    }

    /// <summary>A NULL-terminated array of UTF-8 strings in native memory (argv, envp).</summary>
    private sealed class NativeStrings : IDisposable
    {
        public readonly byte** Pointer;
        private readonly int _count;

        public NativeStrings(string[] strings)
        {
            _count = strings.Length;
            Pointer = (byte**)NativeMemory.AllocZeroed((nuint)(_count + 1), (nuint)sizeof(byte*));
            for (int index = 0; index < _count; index++)
                Pointer[index] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[index]);
        }

        public void Dispose()
        {
            for (int index = 0; index < _count; index++)
                Marshal.FreeCoTaskMem((nint)Pointer[index]);
            NativeMemory.Free(Pointer);
        }
    }

    [LibraryImport(Library, SetLastError = true)] private static partial int posix_openpt(int flags);
    [LibraryImport(Library, SetLastError = true)] private static partial int grantpt(int descriptor);
    [LibraryImport(Library, SetLastError = true)] private static partial int unlockpt(int descriptor);
    [LibraryImport(Library, SetLastError = true)] private static partial int ptsname_r(int descriptor, byte* buffer, nuint length);
    [LibraryImport(Library, SetLastError = true)] private static partial int ioctl(int descriptor, ulong request, void* argument);
    [LibraryImport(Library, SetLastError = true)] private static partial int fcntl(int descriptor, int command, int argument);
    [LibraryImport(Library, SetLastError = true)] private static partial nint read(int descriptor, byte* buffer, nuint count);
    [LibraryImport(Library, SetLastError = true)] private static partial nint write(int descriptor, byte* buffer, nuint count);
    [LibraryImport(Library, SetLastError = true)] private static partial int close(int descriptor);
    [LibraryImport(Library)] private static partial int posix_spawn_file_actions_init(void* actions);
    [LibraryImport(Library)] private static partial int posix_spawn_file_actions_destroy(void* actions);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addopen(void* actions, int descriptor, string path, int flags, uint mode);
    [LibraryImport(Library)] private static partial int poll(PollDescriptor* descriptors, ulong count, int timeout);
    [LibraryImport(Library)] private static partial int posix_spawn_file_actions_adddup2(void* actions, int descriptor, int newDescriptor);
    [LibraryImport(Library)] private static partial int posix_spawnattr_init(void* attributes);
    [LibraryImport(Library)] private static partial int posix_spawnattr_destroy(void* attributes);
    [LibraryImport(Library)] private static partial int posix_spawnattr_setflags(void* attributes, short flags);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn(int* process, string path, void* actions, void* attributes, byte** argv, byte** envp);
}
