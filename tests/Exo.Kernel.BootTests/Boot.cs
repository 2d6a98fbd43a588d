using System.Globalization;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>Shared settings and logging for boot tests.</summary>
public static class Boot
{
    /// <summary>Environment variable with the per-boot time limit in seconds.</summary>
    public const string TimeoutVariable = "EXO_BOOT_TIMEOUT";

    /// <summary>Per-boot time limit: <c>$EXO_BOOT_TIMEOUT</c> seconds, default 120 (TCG is slow).</summary>
    public static TimeSpan Timeout
    {
        get
        {
            var raw = Environment.GetEnvironmentVariable(TimeoutVariable);
            if (string.IsNullOrWhiteSpace(raw))
                return QemuOptions.DefaultTimeout;
            if (double.TryParse(raw.Trim().TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
                return TimeSpan.FromSeconds(seconds);
            throw new InvalidOperationException($"${TimeoutVariable}='{raw}' is not a positive number of seconds.");
        }
    }

    /// <summary>
    /// Options to boot the kernel with <paramref name="commandLine"/>. Throws with
    /// "build the kernel first: make build" when there is no kernel image.
    /// </summary>
    public static QemuOptions Kernel(string? commandLine, string machine = "q35", string memory = "256M") =>
        QemuOptions.ForKernel(ExoPaths.RequireKernelImage(), commandLine) with
        {
            InitialRamDisk = ExoPaths.InitialRamDisk,
            Machine = machine,
            Memory = memory,
            Timeout = Timeout,
        };

    /// <summary>Writes how the guest ended (with its wall time) to the test output.</summary>
    public static void LogRun(ITestOutputHelper output, QemuResult result)
    {
        output.WriteLine($"qemu: {result.CommandLine}");
        output.WriteLine($"guest wall time: {result.WallTime.TotalSeconds:F2} s; {result.DescribeExit()}");
        if (!string.IsNullOrWhiteSpace(result.StandardError))
            output.WriteLine("qemu stderr:\n" + result.StandardError.TrimEnd());
    }

    /// <summary>
    /// Environment variable naming a file to which each boot test appends one line per in-kernel test that
    /// reported <c>skip</c> (tools/scripts/run-tests.sh sets it and counts the lines in its summary).
    /// </summary>
    public const string SkipLogVariable = "EXO_SKIP_LOG";

    private static readonly object s_skipLogLock = new();

    /// <summary>
    /// Makes a boot's skipped in-kernel tests visible. xunit 2.9 cannot mark a test as skipped once it has
    /// started, and one xunit test covers a whole suite, so a boot with skips still passes: its output table
    /// lists them (<see cref="TestReport.FormatTable"/>), and each one goes to <c>$EXO_SKIP_LOG</c> as
    /// "<paramref name="boot"/>: suite.test: reason" when that variable is set.
    /// </summary>
    public static void RecordSkips(ITestOutputHelper output, TestRunVerdict verdict, string boot)
    {
        var skipped = verdict.SkippedTests;
        if (skipped.Count == 0)
            return;
        output.WriteLine($"{skipped.Count} in-kernel test(s) skipped on {boot} (not failures)");
        AppendSkipLog(skipped.Select(t => $"{boot}: {t.FullName}: {t.Message}\n"));
    }

    /// <summary>
    /// Makes one skipped part of a boot test visible, as <see cref="RecordSkips"/> does for in-kernel tests: the
    /// xunit test passes, its output says what was skipped and why, and "<paramref name="boot"/>: <paramref name="what"/>:
    /// <paramref name="reason"/>" goes to <c>$EXO_SKIP_LOG</c>.
    /// </summary>
    public static void RecordSkip(ITestOutputHelper output, string boot, string what, string reason)
    {
        output.WriteLine($"skipped ({boot}): {what}: {reason}");
        AppendSkipLog(new[] { $"{boot}: {what}: {reason}\n" });
    }

    private static void AppendSkipLog(IEnumerable<string> lines)
    {
        var path = Environment.GetEnvironmentVariable(SkipLogVariable);
        if (string.IsNullOrWhiteSpace(path))
            return;
        lock (s_skipLogLock)
            File.AppendAllText(path, string.Concat(lines));
    }

    /// <summary>Writes the whole serial transcript to the test output.</summary>
    public static void LogSerial(ITestOutputHelper output, string serial)
    {
        output.WriteLine("--- serial output ---");
        output.WriteLine(serial.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd());
        output.WriteLine("--- end of serial output ---");
    }
}
