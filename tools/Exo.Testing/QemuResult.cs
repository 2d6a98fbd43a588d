namespace Exo.Testing;

/// <summary>The outcome of one QEMU run.</summary>
/// <param name="ExitCode">QEMU's exit status, or null when the harness killed it (timeout or explicit kill).</param>
/// <param name="TimedOut">True when the run hit its time limit and the process tree was killed.</param>
/// <param name="WallTime">Host time from process start to exit.</param>
/// <param name="Serial">Everything the guest wrote to COM1 (decoded as UTF-8).</param>
/// <param name="StandardError">QEMU's own diagnostics.</param>
/// <param name="Arguments">The arguments QEMU was started with (without the executable).</param>
/// <param name="Executable">The QEMU executable that was run.</param>
public sealed record QemuResult(
    int? ExitCode,
    bool TimedOut,
    TimeSpan WallTime,
    string Serial,
    string StandardError,
    IReadOnlyList<string> Arguments,
    string Executable = "qemu-system-x86_64")
{
    /// <summary>The command line that was run, shell-quoted, for logs.</summary>
    public string CommandLine => QemuRunner.FormatCommand(Executable, Arguments);

    /// <summary>Meaning of <see cref="ExitCode"/> per docs/serial-protocols.md, for messages.</summary>
    public string DescribeExit()
    {
        if (TimedOut)
            return $"timed out after {WallTime.TotalSeconds:F1} s (QEMU killed)";
        if (ExitCode is null)
            return "killed by the harness";
        return "exit status " + ExitStatus.Describe(ExitCode.Value);
    }

    /// <summary>The last <paramref name="count"/> lines of the serial output.</summary>
    public string SerialTail(int count = 40) => SerialText.Tail(Serial, count);
}

/// <summary>QEMU exit statuses of the isa-debug-exit device (docs/serial-protocols.md).</summary>
public static class ExitStatus
{
    /// <summary>ACPI S5 shutdown, or a reset with <c>-no-reboot</c>.</summary>
    public const int Shutdown = 0;
    /// <summary>Kernel wrote 0x00: success.</summary>
    public const int Success = 1;
    /// <summary>Kernel wrote 0x01: at least one in-kernel test failed.</summary>
    public const int TestsFailed = 3;
    /// <summary>Kernel wrote 0x20: panic.</summary>
    public const int Panic = 65;

    /// <summary>The QEMU status for a kernel debug-exit value.</summary>
    public static int FromKernelValue(int value) => (value << 1) | 1;

    /// <summary>Human description of a QEMU exit status.</summary>
    public static string Describe(int status) => status switch
    {
        Shutdown => "0 (ACPI shutdown or reset)",
        Success => "1 (success)",
        TestsFailed => "3 (in-kernel test failures)",
        Panic => "65 (kernel panic)",
        _ when (status & 1) == 1 => $"{status} (debug-exit value 0x{status >> 1:x2})",
        _ => $"{status} (not a debug-exit status: QEMU error?)",
    };
}
