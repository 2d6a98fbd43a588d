using System.Diagnostics;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// ext4 images for the disk boot tests, made and checked with Debian's e2fsprogs on the host (mke2fs -d, e2fsck -fn,
/// debugfs, dumpe2fs), and normal boots with them attached as modern virtio-blk disks (disk0, disk1... in that order).
/// </summary>
internal static class DiskImages
{
    /// <summary>A fresh temporary directory for an image's tree; the image is the same path with ".img".</summary>
    public static string NewTree() => Path.Combine(Path.GetTempPath(), $"exo-disk-tree-{Guid.NewGuid():N}");

    /// <summary>Makes an ext4 image of 'size' (mke2fs's notation, "8M") holding 'tree'; fails the test if mke2fs does.</summary>
    public static void MakeExt4(string tree, string image, string size)
    {
        var made = Run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, image, size);
        Assert.True(made.Status == 0, "mke2fs: " + made.Output);
    }

    /// <summary>Writes the partition table an sfdisk script describes into the image; fails the test if sfdisk does.</summary>
    public static void Partition(string image, string script)
    {
        var start = new ProcessStartInfo("/usr/sbin/sfdisk") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-q", "--no-reread", "--no-tell-kernel", image })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit(60_000);
        Assert.True(process.ExitCode == 0, "sfdisk: " + output.Result + error.Result);
    }

    /// <summary>What debugfs's cat prints for 'path' in the image (its banner left out).</summary>
    public static string Cat(string image, string path) => Debugfs(image, "cat " + path);

    /// <summary>debugfs's output for a command, without its banner.</summary>
    public static string Debugfs(string image, string command) =>
        Run("debugfs", "-R", command, image).Output.Replace("debugfs 1.47.0 (5-Feb-2023)\n", "", StringComparison.Ordinal);

    /// <summary>The superblock's "Filesystem state:" value from dumpe2fs -h ("clean", "not clean"...).</summary>
    public static string State(string image)
    {
        var dump = Run("dumpe2fs", "-h", image);
        var line = dump.Output.Split('\n').FirstOrDefault(l => l.StartsWith("Filesystem state:", StringComparison.Ordinal));
        Assert.True(line != null, "dumpe2fs -h: " + dump.Output);
        return line["Filesystem state:".Length..].Trim();
    }

    public static void Delete(string tree, string image)
    {
        try { Directory.Delete(tree, recursive: true); } catch (IOException) { }
        try { File.Delete(image); } catch (IOException) { }
    }

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

    /// <summary>
    /// A normal boot with each image as a modern virtio-blk disk, in order; returns when the login shell shows its
    /// prompt (its /etc/profile has mounted disk0 on /mnt by then).
    /// </summary>
    public static async Task<QemuSession> BootAsync(int processors, string[] images, bool readOnly = false, TimeSpan? timeout = null)
    {
        var arguments = new List<string>();
        for (int i = 0; i < images.Length; i++)
        {
            arguments.Add("-drive");
            arguments.Add($"file={images[i].Replace(",", ",,", StringComparison.Ordinal)},if=none,id=disk{i},format=raw{(readOnly ? ",readonly=on" : "")}");
            arguments.Add("-device");
            arguments.Add($"virtio-blk-pci,drive=disk{i},disable-legacy=on");
        }
        var qemu = QemuRunner.Start(Boot.Kernel(null, "q35", "256M") with { Smp = processors, Timeout = timeout ?? TimeSpan.FromMinutes(10), ExtraArgs = arguments.ToArray() });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        return qemu;
    }
}
