using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Files written in one boot are there in the next: an ext4 image made by Debian's mke2fs -d from a temporary tree is
/// attached as a virtio disk; the device manager starts virtio_blk and extfs (over the block-device protocol), the login
/// shell's /etc/profile mounts it on /mnt; busybox reads a file of the image, writes a file and a directory, syncs and
/// unmounts, and QEMU is stopped at once (no shutdown). The host's e2fsck -fn must find the image clean and debugfs must
/// read the new file; a second boot on the same image reads it back, writes another file and only syncs before QEMU
/// stops (the mount still there): the host finds that file too.
/// </summary>
public sealed class DiskPersistenceBootTests
{
    private readonly ITestOutputHelper _output;

    public DiskPersistenceBootTests(ITestOutputHelper output) => _output = output;

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
                    // This time only sync (it reaches extfs as the protocol's Synchronize) before QEMU stops, still mounted.
                    await ExpectAsync(qemu, "echo second boot > /mnt/second && sync && cat /mnt/second", "second boot");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            check = Run("e2fsck", "-fn", image);
            Assert.True(check.Status == 0, "e2fsck -fn after the second boot: " + check.Output);
            Assert.Equal("second boot\n", Run("debugfs", "-R", "cat /second", image).Output.Replace("debugfs 1.47.0 (5-Feb-2023)\n", ""));
        }
        finally
        {
            try { Directory.Delete(tree, recursive: true); } catch (IOException) { }
            try { File.Delete(image); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_read_only_disk_is_mounted_and_refuses_writes()
    {
        string tree = Path.Combine(Path.GetTempPath(), $"exo-disk-tree-{Guid.NewGuid():N}");
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "kept.txt"), "kept\n");
            var made = Run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, image, "8M");
            Assert.True(made.Status == 0, "mke2fs: " + made.Output);
            byte[] before = File.ReadAllBytes(image);
            await using (var qemu = await BootAsync(1, image, readOnly: true))
            {
                try
                {
                    Assert.Contains("virtio_blk: 00:03.0 capacity 16384 sectors, read-only", qemu.Serial, StringComparison.Ordinal);
                    await ExpectAsync(qemu, "cat /mnt/kept.txt", "kept");
                    await ExpectAsync(qemu, "echo no > /mnt/new", "/bin/sh: can't create /mnt/new: Read-only file system", "status 1");
                    await ExpectAsync(qemu, "mkdir /mnt/dir", "mkdir: can't create directory '/mnt/dir': Read-only file system", "status 1");
                    await ExpectAsync(qemu, "sync && umount /mnt");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            Assert.True(before.AsSpan().SequenceEqual(File.ReadAllBytes(image)), "the read-only image changed");
        }
        finally
        {
            try { Directory.Delete(tree, recursive: true); } catch (IOException) { }
            try { File.Delete(image); } catch (IOException) { }
        }
    }

    private static (int Status, string Output) Run(string program, params string[] arguments) => DiskGuest.Run(program, arguments);

    private static Task<QemuSession> BootAsync(int processors, string image, bool readOnly = false) => DiskGuest.BootAsync(processors, image, readOnly);

    private Task ExpectAsync(QemuSession qemu, string command, params string[] expected) => ConsoleCommands.ExpectAsync(qemu, _output, command, expected);
}
