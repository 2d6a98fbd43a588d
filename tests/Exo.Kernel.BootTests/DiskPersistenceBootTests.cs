using System.Diagnostics;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Files written in one boot are there in the next: an ext4 image made by Debian's mke2fs -d from a temporary tree is
/// attached as a virtio disk; the device manager starts virtio_blk and extfs (over the block-device protocol), the login
/// shell's /etc/profile mounts it on /mnt; busybox reads a file of the image, writes a file and a directory, syncs and
/// unmounts, and QEMU is stopped at once (no shutdown). The host's e2fsck -fn must find the image clean and debugfs must
/// read the new file; a second boot on the same image reads it back.
/// </summary>
public sealed class DiskPersistenceBootTests
{
    private readonly ITestOutputHelper _output;

    public DiskPersistenceBootTests(ITestOutputHelper output) => _output = output;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private static readonly Regex ShellPrompt = new(@"exo:[^#\r\n]*# ", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Files_written_in_one_boot_are_on_the_disk_and_in_the_next_boot(int processors)
    {
        string tree = Path.Combine(Path.GetTempPath(), $"exo-disk-tree-{Guid.NewGuid():N}");
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(Path.Combine(tree, "docs"));
            File.WriteAllText(Path.Combine(tree, "docs", "hello.txt"), "hello from the host\n");
            var made = Run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, image, "8M");
            Assert.True(made.Status == 0, "mke2fs: " + made.Output);

            await using (var qemu = await BootAsync(processors, image))
            {
                try
                {
                    await ExpectAsync(qemu, "grep ' /mnt ' /proc/mounts", "disk0 /mnt ringfs rw 0 0");
                    await ExpectAsync(qemu, "cat /mnt/docs/hello.txt", "hello from the host");
                    await ExpectAsync(qemu, "echo written by exo > /mnt/newfile && mkdir /mnt/newdir && echo inside > /mnt/newdir/inner && ls /mnt | cat",
                        "docs", "lost+found", "newdir", "newfile");
                    // 1 KiB blocks: mke2fs makes 8192 of them for 8 MiB (statfs counts them all, as ext2 does; Linux ext4 leaves out its overhead).
                    await ExpectAsync(qemu, "df /mnt | tail -n 1 | awk '{print $1, $2}'", "disk0 8192");
                    await ExpectAsync(qemu, "sync && umount /mnt && grep -c ' /mnt ' /proc/mounts", "0", "status 1");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }   // QEMU stopped here, without a shutdown

            var check = Run("e2fsck", "-fn", image);
            _output.WriteLine(check.Output);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);
            Assert.Equal("written by exo\n", Run("debugfs", "-R", "cat /newfile", image).Output.Replace("debugfs 1.47.0 (5-Feb-2023)\n", ""));
            Assert.Equal("inside\n", Run("debugfs", "-R", "cat /newdir/inner", image).Output.Replace("debugfs 1.47.0 (5-Feb-2023)\n", ""));

            await using (var qemu = await BootAsync(processors, image))
            {
                try
                {
                    await ExpectAsync(qemu, "cat /mnt/newfile /mnt/newdir/inner /mnt/docs/hello.txt", "written by exo", "inside", "hello from the host");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            try { Directory.Delete(tree, recursive: true); } catch (IOException) { }
            try { File.Delete(image); } catch (IOException) { }
        }
    }

    private static (int Status, string Output) Run(string program, params string[] arguments)
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

    // A normal boot with the image as a modern virtio-blk disk; returns when the login shell has mounted it (its
    // /etc/profile waits for extfs's offer) and shows its prompt.
    private static async Task<QemuSession> BootAsync(int processors, string image)
    {
        var disk = new[] { "-drive", $"file={image.Replace(",", ",,", StringComparison.Ordinal)},if=none,id=disk0,format=raw",
            "-device", "virtio-blk-pci,drive=disk0,disable-legacy=on" };
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = disk });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        return qemu;
    }

    private async Task ExpectAsync(QemuSession qemu, string command, params string[] expected)
    {
        await qemu.TypeAsync($"echo @@be''gin; {command}; echo @@e''nd $?\r", TimeSpan.FromMilliseconds(2));
        await qemu.WaitForAsync(new Regex(@"@@begin\r?\n", RegexOptions.CultureInvariant), CommandTimeout);
        var end = await qemu.WaitForAsync(new Regex(@"@@end (\d+)\r?\n", RegexOptions.CultureInvariant), CommandTimeout);
        await qemu.WaitForAsync(ShellPrompt, CommandTimeout);
        var lines = SerialText.SplitLines(end.Before).Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        if (end.Match.Groups[1].Value != "0")
            lines.Add($"status {end.Match.Groups[1].Value}");
        _output.WriteLine($"$ {command}\n{string.Join("\n", lines)}");
        Assert.True(expected.SequenceEqual(lines), $"'{command}' printed:\n{string.Join("\n", lines)}\nexpected:\n{string.Join("\n", expected)}");
    }
}
