using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Exo.Kernel.BootTests;

/// <summary>What a program printed and how it ended, on the build machine's Linux.</summary>
public sealed record LinuxRun(int ExitCode, string StandardOutput, string StandardError, TimeSpan WallTime, bool TimedOut)
{
    public IReadOnlyList<string> Lines => Exo.Testing.SerialText.SplitLines(StandardOutput);
}

/// <summary>
/// Runs a static Linux program on the build machine as Exo-OS starts it: argv[0] the bare program name (perl's exec
/// sets it apart from the file), exactly the given environment, umask 022, every signal at its default and none
/// blocked, standard input optionally a fresh pseudo-terminal (on Exo-OS descriptors 0-2 are the console, a
/// terminal), standard output and error captured through pipes.
/// </summary>
public static class LinuxHost
{
    // perl: default signal actions and an empty mask (a test host may ignore SIGPIPE), umask 022, standard input
    // the terminal if one is given, then exec with argv[0] apart from the file.
    private const string Launcher =
        "use POSIX (); my $terminal = shift @ARGV; my $file = shift @ARGV;" +
        " for my $signal (keys %SIG) { next if $signal =~ /^(__|KILL|STOP)/; $SIG{$signal} = 'DEFAULT'; }" +
        " POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new()) or die \"sigprocmask: $!\";" +
        " umask 022;" +
        " if ($terminal ne '') { open(STDIN, '+<', $terminal) or die \"open $terminal: $!\"; }" +
        " exec { $file } @ARGV or die \"exec $file: $!\";";

    public static LinuxRun Run(string program, string argument0, IEnumerable<string> arguments, IEnumerable<string> environment,
        string? workingDirectory = null, bool terminalInput = false, TimeSpan? timeout = null)
    {
        using var terminal = terminalInput ? PseudoTerminal.Open() : null;
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.Environment.Clear();
        foreach (var variable in environment)
        {
            var equals = variable.IndexOf('=');
            start.Environment[variable[..equals]] = variable[(equals + 1)..];
        }
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(Launcher);
        start.ArgumentList.Add(terminal?.SubordinatePath ?? "");
        start.ArgumentList.Add(program);
        start.ArgumentList.Add(argument0);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();   // without a terminal: standard input at its end at once
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit((int)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.WaitForExit();   // the output pipes drained
        return new LinuxRun(finished ? process.ExitCode : -1, output.Result, error.Result, clock.Elapsed, !finished);
    }

    /// <summary>A new pseudo-terminal: the harness holds the main side open while the program uses the other.</summary>
    private sealed class PseudoTerminal : IDisposable
    {
        private const int ReadWrite = 2, NoControllingTerminal = 0x100;
        private int _main;

        public string SubordinatePath { get; }

        private PseudoTerminal(int main, string subordinate)
        {
            _main = main;
            SubordinatePath = subordinate;
        }

        public static PseudoTerminal Open()
        {
            int main = posix_openpt(ReadWrite | NoControllingTerminal);
            if (main < 0)
                throw new InvalidOperationException($"posix_openpt failed (errno {Marshal.GetLastPInvokeError()})");
            var name = new byte[256];
            if (grantpt(main) != 0 || unlockpt(main) != 0 || ptsname_r(main, name, (nuint)name.Length) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                close(main);
                throw new InvalidOperationException($"setting up the pseudo-terminal failed (errno {errno})");
            }
            return new PseudoTerminal(main, Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0)));
        }

        public void Dispose()
        {
            if (_main >= 0)
                close(_main);
            _main = -1;
        }

        [DllImport("libc", SetLastError = true)] private static extern int posix_openpt(int flags);
        [DllImport("libc", SetLastError = true)] private static extern int grantpt(int fd);
        [DllImport("libc", SetLastError = true)] private static extern int unlockpt(int fd);
        [DllImport("libc", SetLastError = true)] private static extern int ptsname_r(int fd, byte[] buffer, nuint length);
        [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
    }
}
