using System.Runtime.InteropServices;

namespace Panel;

/// <summary>
/// What the panel asks of the system through glibc: starting a program (posix_spawn: its output goes where the panel's
/// does), collecting the ones that ended (waitpid WNOHANG), and powering off or restarting (sync, then reboot(2)).
/// </summary>
internal static unsafe partial class ProgramStarter
{
    private const string Library = "libc";
    private const int WNOHANG = 1;
    private const int RB_AUTOBOOT = 0x01234567, RB_POWER_OFF = 0x4321FEDC;

    /// <summary>Starts the program; returns its process id, or throws with posix_spawn's error.</summary>
    public static int Start(string program, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        byte** argv = Strings(arguments), envp = Strings(environment);
        try
        {
            int process;
            int error = posix_spawn(&process, program, null, null, argv, envp);
            if (error != 0)
                throw new IOException($"posix_spawn {program}: error {error}");
            return process;
        }
        finally
        {
            Free(argv, arguments.Count);
            Free(envp, environment.Count);
        }
    }

    /// <summary>A child that ended (its id and wait status), or false when none has.</summary>
    public static bool TryCollect(out int process, out int status)
    {
        int raw;
        process = waitpid(-1, &raw, WNOHANG);
        status = raw;
        return process > 0;
    }

    /// <summary>Writes the caches out and powers off (restart: resets); returns only if the kernel refused (errno).</summary>
    public static int PowerOff(bool restart)
    {
        sync();
        reboot(restart ? RB_AUTOBOOT : RB_POWER_OFF);
        return Marshal.GetLastPInvokeError();
    }

    private static byte** Strings(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < strings.Count; i++)
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        return array;
    }

    private static void Free(byte** array, int count)
    {
        for (int i = 0; i < count; i++)
            Marshal.FreeCoTaskMem((nint)array[i]);
        NativeMemory.Free(array);
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn(int* process, string path, void* actions, void* attributes, byte** argv, byte** envp);
    [LibraryImport(Library)] private static partial int waitpid(int process, int* status, int options);
    [LibraryImport(Library)] private static partial void sync();
    [LibraryImport(Library, SetLastError = true)] private static partial int reboot(int command);
}
