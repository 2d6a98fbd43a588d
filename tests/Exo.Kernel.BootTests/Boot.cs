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

    /// <summary>Writes the whole serial transcript to the test output.</summary>
    public static void LogSerial(ITestOutputHelper output, string serial)
    {
        output.WriteLine("--- serial output ---");
        output.WriteLine(serial.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd());
        output.WriteLine("--- end of serial output ---");
    }
}
