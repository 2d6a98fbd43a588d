using System.Runtime.InteropServices;

namespace Exo.Toolkit.Desktop;

/// <summary>
/// What desktop programs ask of the system through glibc: starting a program (posix_spawn: its output goes where the
/// caller's does), collecting the ones that ended (waitpid WNOHANG), and powering off or restarting (sync, then reboot(2)).
/// </summary>
public static unsafe partial class ProgramStarter
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

    /// <summary>This process's environment as NAME=VALUE strings (what a started program inherits).</summary>
    public static List<string> CurrentEnvironment()
        => Environment.GetEnvironmentVariables().Keys.Cast<string>().Select(key => $"{key}={Environment.GetEnvironmentVariable(key)}").ToList();

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
