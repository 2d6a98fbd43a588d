using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Files written in one boot are there in the next: an ext4 image made by Debian's mke2fs -d from a temporary tree is
/// attached as a virtio disk; the device manager starts virtio_blk and extfs (over the block-device protocol), the login
/// shell's /etc/profile mounts it on /mnt; busybox reads a file of the image, writes a file and a directory, syncs and
/// unmounts (the protocol's Unmount: extfs marks the disk clean), and QEMU is stopped at once (no shutdown). The host's
/// dumpe2fs must say clean, e2fsck -fn must find nothing wrong and debugfs must read the new file; a second boot on the
/// same image reads it back, writes another file and only syncs, then writes one more without a sync and waits past
/// extfs's 5 s write-back before QEMU stops (the mount still there): the disk is then not clean (still mounted), e2fsck
/// -fn still finds nothing wrong, and the host finds both files.
/// </summary>
public sealed class DiskPersistenceBootTests
{
    private readonly ITestOutputHelper _output;

    public DiskPersistenceBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Files_written_in_one_boot_are_on_the_disk_and_in_the_next_boot(int processors)
    {
        string tree = DiskImages.NewTree();
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(Path.Combine(tree, "docs"));
            File.WriteAllText(Path.Combine(tree, "docs", "hello.txt"), "hello from the host\n");
            DiskImages.MakeExt4(tree, image, "8M");

            await using (var qemu = await DiskImages.BootAsync(processors, new[] { image }))
            {
                try
                {
                    await ExpectAsync(qemu, "grep ' /mnt ' /proc/mounts", "disk0 /mnt ringfs rw 0 0");
                    await ExpectAsync(qemu, "cat /mnt/docs/hello.txt", "hello from the host");
                    await ExpectAsync(qemu, "echo written by exo > /mnt/newfile && mkdir /mnt/newdir && echo inside > /mnt/newdir/inner && ls /mnt | cat",
                        "docs", "lost+found", "newdir", "newfile");
                    // The mount's page cache after writes: three pages read (cached), then an overwrite inside page 1 (the
                    // size unchanged: only the pages written are forgotten) and one that extends the file (every page).
                    await ExpectAsync(qemu, "dd if=/dev/zero of=/mnt/cached bs=4096 count=3 2>/dev/null && cat /mnt/cached /mnt/cached | wc -c",
                        "24576");
                    await ExpectAsync(qemu, "printf XYZ | dd of=/mnt/cached bs=1 seek=5000 conv=notrunc 2>/dev/null && " +
                        "dd if=/mnt/cached bs=1 skip=4999 count=5 2>/dev/null | od -An -c | tr -d ' '", @"\0XYZ\0");
                    await ExpectAsync(qemu, "printf END | dd of=/mnt/cached bs=1 seek=12286 conv=notrunc 2>/dev/null && " +
                        "dd if=/mnt/cached bs=1 skip=12285 2>/dev/null | od -An -c | tr -d ' '; wc -c < /mnt/cached", @"\0END", "12289");
                    // 1 KiB blocks: mke2fs makes 8192 of them for 8 MiB (statfs counts them all, as ext2 does; Linux ext4 leaves out its overhead).
                    await ExpectAsync(qemu, "df /mnt | tail -n 1 | awk '{print $1, $2}'", "disk0 8192");
                    // extfs says so before it answers, so its line comes before umount returns.
                    await ExpectAsync(qemu, "sync && umount /mnt && grep -c ' /mnt ' /proc/mounts", "extfs: disk0 unmounted, marked clean", "0", "status 1");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }   // QEMU stopped here, without a shutdown

            Assert.Equal("clean", DiskImages.State(image));
            var check = DiskImages.Run("e2fsck", "-fn", image);
            _output.WriteLine(check.Output);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);
            Assert.Equal("written by exo\n", DiskImages.Cat(image, "/newfile"));
            Assert.Equal("inside\n", DiskImages.Cat(image, "/newdir/inner"));

            await using (var qemu = await DiskImages.BootAsync(processors, new[] { image }))
            {
                try
                {
                    await ExpectAsync(qemu, "cat /mnt/newfile /mnt/newdir/inner /mnt/docs/hello.txt", "written by exo", "inside", "hello from the host");
                    // This time only sync (it reaches extfs as the protocol's Synchronize) before QEMU stops, still mounted.
                    await ExpectAsync(qemu, "echo second boot > /mnt/second && sync && cat /mnt/second", "second boot");
                    // No sync at all: extfs writes a change back by itself within 5 s (its write-back, as Linux's).
                    await ExpectAsync(qemu, "echo written back > /mnt/unsynced && sleep 7 && echo slept", "slept");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            Assert.Equal("not clean", DiskImages.State(image));   // stopped while mounted, as after a crash
            check = DiskImages.Run("e2fsck", "-fn", image);
            Assert.True(check.Status == 0, "e2fsck -fn after the second boot: " + check.Output);
            Assert.Equal("second boot\n", DiskImages.Cat(image, "/second"));
            Assert.Equal("written back\n", DiskImages.Cat(image, "/unsynced"));
        }
        finally
        {
            DiskImages.Delete(tree, image);
        }
    }

    [Fact]
    public async Task A_read_only_disk_is_mounted_and_refuses_writes()
    {
        string tree = DiskImages.NewTree();
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "kept.txt"), "kept\n");
            DiskImages.MakeExt4(tree, image, "8M");
            byte[] before = File.ReadAllBytes(image);
            await using (var qemu = await DiskImages.BootAsync(1, new[] { image }, readOnly: true))
            {
                try
                {
                    Assert.Contains("virtio_blk: 00:03.0 capacity 16384 sectors, read-only", qemu.Serial, StringComparison.Ordinal);
                    await ExpectAsync(qemu, "cat /mnt/kept.txt", "kept");
                    await ExpectAsync(qemu, "echo no > /mnt/new", "/bin/sh: can't create /mnt/new: Read-only file system", "status 1");
                    await ExpectAsync(qemu, "mkdir /mnt/dir", "mkdir: can't create directory '/mnt/dir': Read-only file system", "status 1");
                    await ExpectAsync(qemu, "sync && umount /mnt", "extfs: disk0 unmounted (read-only: unchanged)");
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
            DiskImages.Delete(tree, image);
        }
    }

    /// <summary>
    /// A dynamically linked program and one of its libraries on the disk: the kernel loads the program from the ringfs
    /// mount, and Debian's dynamic linker maps libm.so.6 from it (a private mapping of a served file: a copy made at
    /// map time). It must print what it prints on this machine's Linux.
    /// </summary>
    [Fact]
    public async Task A_dynamic_program_and_its_library_run_from_the_disk()
    {
        string tree = DiskImages.NewTree();
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(Path.Combine(tree, "bin"));
            Directory.CreateDirectory(Path.Combine(tree, "lib"));
            string program = ExoPaths.RequireLinuxProgram("dynamic_hello");
            File.Copy(program, Path.Combine(tree, "bin", "dynamic_hello"));
            File.Copy(Path.Combine(ExoPaths.FindRepoRoot(), "out/rootfs/lib/x86_64-linux-gnu/libm.so.6"), Path.Combine(tree, "lib", "libm.so.6"));
            DiskImages.MakeExt4(tree, image, "8M");
            var linux = LinuxHost.Run(program, "dynamic_hello", new[] { "disk" }, Array.Empty<string>());
            var expected = linux.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Append($"status {linux.ExitCode}").ToArray();
            await using var qemu = await DiskImages.BootAsync(1, new[] { image });
            try
            {
                await ExpectAsync(qemu, "chmod +x /mnt/bin/dynamic_hello && LD_LIBRARY_PATH=/mnt/lib /mnt/bin/dynamic_hello disk", expected);
                await ExpectAsync(qemu, "LD_LIBRARY_PATH=/mnt/lib LD_DEBUG=libs /mnt/bin/dynamic_hello 2>&1 | grep -o 'calling init: /mnt/lib/libm.so.6' | uniq",
                    "calling init: /mnt/lib/libm.so.6");
            }
            finally
            {
                _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
            }
        }
        finally
        {
            DiskImages.Delete(tree, image);
        }
    }

    /// <summary>
    /// A partitioned disk (a GPT written by util-linux's sfdisk: an EFI system partition, then a Linux one holding an
    /// ext4 file system made by mke2fs -E offset=): extfs finds the Linux partition and the login shell mounts it on /mnt;
    /// a file written there is in that partition for e2fsck and debugfs (image?offset=N), and the table is unchanged.
    /// </summary>
    [Fact]
    public async Task The_ext_partition_of_a_gpt_disk_is_mounted_and_written()
    {
        string tree = DiskImages.NewTree();
        string image = tree + ".img";
        const long offset = 8192 * 512;
        try
        {
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "hello.txt"), "hello from a partition\n");
            using (var file = new FileStream(image, FileMode.Create))
                file.SetLength(16 << 20);
            DiskImages.Partition(image, "label: gpt\nstart=2048, size=4096, type=U\nstart=8192, size=16384, type=L\n");
            var made = DiskImages.Run("mke2fs", "-q", "-F", "-t", "ext4", "-E", $"offset={offset}", "-d", tree, image, "8M");
            Assert.True(made.Status == 0, "mke2fs: " + made.Output);
            byte[] tableBefore = File.ReadAllBytes(image)[..(34 * 512)];
            await using (var qemu = await DiskImages.BootAsync(1, new[] { image }))
            {
                try
                {
                    Assert.Contains("extfs: GPT partition 2, sectors 8192 to 24575", qemu.Serial, StringComparison.Ordinal);
                    await ExpectAsync(qemu, "cat /mnt/hello.txt", "hello from a partition");
                    await ExpectAsync(qemu, "echo written in the partition > /mnt/written && sync && umount /mnt", "extfs: disk0 unmounted, marked clean");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            string partition = $"{image}?offset={offset}";
            var check = DiskImages.Run("e2fsck", "-fn", partition);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);
            Assert.Equal("written in the partition\n", DiskImages.Cat(partition, "/written"));
            Assert.True(tableBefore.AsSpan().SequenceEqual(File.ReadAllBytes(image).AsSpan(0, 34 * 512)), "the partition table changed");
        }
        finally
        {
            DiskImages.Delete(tree, image);
        }
    }

    private Task ExpectAsync(QemuSession qemu, string command, params string[] expected) => ConsoleCommands.ExpectAsync(qemu, _output, command, expected);
}
