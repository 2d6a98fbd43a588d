using System.Diagnostics;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The disk boot tests' two sides: images made and checked on the host with Debian's e2fsprogs (mke2fs, e2fsck,
/// debugfs), and a normal Exo-OS boot with such an image as its virtio disk, mounted on /mnt by the login shell.
/// </summary>
internal static class DiskGuest
{
    /// <summary>Runs /usr/sbin/PROGRAM (mke2fs with /etc/mke2fs.conf's defaults): its status and its output and errors.</summary>
    public static (int Status, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/sbin/" + program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["MKE2FS_CONFIG"] = "/etc/mke2fs.conf";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(60_000);
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>debugfs's output for a command, without its version line.</summary>
    public static string Debugfs(string image, string command) =>
        Run("debugfs", "-R", command, image).Output.Replace("debugfs 1.47.0 (5-Feb-2023)\n", "");

    /// <summary>
    /// A normal boot with the image as a modern virtio-blk disk; returns when the login shell has mounted it (its
    /// /etc/profile waits for extfs's offer) and shows its prompt.
    /// </summary>
    public static async Task<QemuSession> BootAsync(int processors, string image, bool readOnly = false, TimeSpan? timeout = null)
    {
        var disk = new[] { "-drive", $"file={image.Replace(",", ",,", StringComparison.Ordinal)},if=none,id=disk0,format=raw{(readOnly ? ",readonly=on" : "")}",
            "-device", "virtio-blk-pci,drive=disk0,disable-legacy=on" };
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = timeout ?? TimeSpan.FromMinutes(10), ExtraArgs = disk });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        return qemu;
    }
}
