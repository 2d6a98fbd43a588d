using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The device manager starts a disk's programs again when one crashes: with an ext4 image attached and mounted on /mnt,
/// busybox writes and syncs a file, then keeps overwriting another while the kernel monitor kills virtio_blk. The manager sees the
/// driver end, stops its extfs (which waits for completions that never come), and the kernel gives the writer EIO
/// instead of a hang; the manager starts both again with a fresh channel, and the mount's next call goes on with the
/// new extfs by itself (it serves the same file system: the same UUID), which finds the synced file, and new files
/// are written. Then extfs itself is killed: the manager stops its driver and starts both again, and the mount's next
/// call finds the files once more. After an unmount and QEMU stopped, the host's e2fsck -fn checks the image and
/// debugfs reads the files.
/// </summary>
public sealed class DiskRestartBootTests
{
    private readonly ITestOutputHelper _output;

    public DiskRestartBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_crashed_driver_or_extfs_is_started_again_and_the_synced_files_are_there(int processors)
    {
        string tree = DiskImages.NewTree();
        string image = tree + ".img";
        try
        {
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "from-host.txt"), "from the host\n");
            DiskImages.MakeExt4(tree, image, "8M");
            await using (var qemu = await DiskImages.BootAsync(processors, new[] { image }))
            {
                try
                {
                    await ExpectAsync(qemu, "echo kept across the crash > /mnt/kept && dd if=/dev/zero of=/mnt/busy bs=4k count=32 2>/dev/null && sync && cat /mnt/kept",
                        "kept across the crash");
                    // A writer that stops at its first failure and says how dd failed: it must see EIO, not hang. It
                    // overwrites the blocks the file has (no truncation, no allocation): extfs has no journal, and a
                    // crash in the middle of an allocation's write-back can leave a bitmap whose checksum disagrees with
                    // its group descriptor (seen here: later allocations then fail with EBADMSG until e2fsck repairs it).
                    int writerStarted = qemu.Serial.Length;
                    await RunAsync(qemu, "(while dd if=/dev/zero of=/mnt/busy bs=4k count=32 conv=notrunc 2>/tmp/dd.errors; do :; done; echo the writer stopped) > /tmp/writer.out 2>&1 & sleep 2");
                    int since = qemu.Serial.Length;
                    await ConsoleCommands.KillFromMonitorAsync(qemu, "virtio_blk");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: a virtio_blk driver ended with status");
                    // The mount breaks when its server is gone; on a host so loaded that the guest crawls (a load of 30 on
                    // 2 cores, seen once in 24 runs) ringfs's 5 s limit on one reply can break it first, before the kill:
                    // EIO either way, which is what the writer must see.
                    await ConsoleCommands.WaitForTextAsync(qemu, writerStarted, "; its mount now fails with EIO");
                    string broken = qemu.Serial[writerStarted..];
                    Assert.True(broken.Contains("posix_x: ringfs server disk0 ended; its mount now fails with EIO", StringComparison.Ordinal)
                        || broken.Contains("posix_x: ringfs server disk0 did not answer in time; its mount now fails with EIO", StringComparison.Ordinal),
                        "the kernel did not break the mount");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: restarting virtio_blk and extfs for disk0 (restart 1 of 3)");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "extfs: offered as disk0");
                    await ExpectAsync(qemu, "wait; cat /tmp/writer.out", "the writer stopped");
                    var errors = await RunAsync(qemu, "cat /tmp/dd.errors");
                    Assert.True(errors.Any(line => line.Contains("Input/output error", StringComparison.Ordinal)), "dd did not see EIO: " + string.Join("\n", errors));
                    Assert.Contains("devices: stopping extfs disk0, whose driver ended", qemu.Serial[since..], StringComparison.Ordinal);
                    // No remount: the mount's next call goes on with the restarted extfs, the same file system.
                    await ExpectAsync(qemu, "cat /mnt/kept /mnt/from-host.txt", Followed, "kept across the crash", "from the host");
                    await ExpectAsync(qemu, "grep -c ' /mnt ' /proc/mounts", "1");
                    // O_DIRECT reads go to the new driver's channel (the one the new extfs offered), not the dead one's.
                    await ExpectAsync(qemu, "dd if=/mnt/from-host.txt bs=4k iflag=direct 2>/dev/null", "from the host");
                    await ExpectAsync(qemu, "echo after the driver restart > /mnt/second && sync && cat /mnt/second", "after the driver restart");

                    // extfs killed: its driver is stopped too, and both come back with a fresh channel.
                    since = qemu.Serial.Length;
                    await ConsoleCommands.KillFromMonitorAsync(qemu, "extfs");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: extfs disk0 was killed");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: stopping virtio_blk for disk0: a new extfs gets a fresh channel");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "devices: restarting virtio_blk and extfs for disk0 (restart 2 of 3)");
                    await ConsoleCommands.WaitForTextAsync(qemu, since, "extfs: offered as disk0");
                    // Nobody used the mount since: this call finds its server gone before it asks, and goes on with the new
                    // one (the kernel's line comes from the caller's thread).
                    await ExpectAsync(qemu, "cat /mnt/kept /mnt/second /mnt/from-host.txt", Followed, "kept across the crash", "after the driver restart", "from the host");
                    await ExpectAsync(qemu, "dd if=/mnt/second bs=4k iflag=direct 2>/dev/null", "after the driver restart");
                    // Unmounted: the disk was not clean when this extfs mounted it (the crash), so it stays not clean.
                    await ExpectAsync(qemu, "umount /mnt", "extfs: disk0 unmounted, left not clean (it was not clean when mounted)");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            var check = DiskImages.Run("e2fsck", "-fn", image);
            _output.WriteLine("e2fsck -fn (status " + check.Status + "):\n" + check.Output);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);
            Assert.Equal("kept across the crash\n", DiskImages.Cat(image, "/kept"));
            Assert.Equal("after the driver restart\n", DiskImages.Cat(image, "/second"));
        }
        finally
        {
            DiskImages.Delete(tree, image);
        }
    }

    // The kernel's line when a mount goes on with a restarted server of the same file system (RemoteChannel.TryFollow).
    private const string Followed = "posix_x: ringfs server disk0 is offered again by a new process, the same file system; its mount goes on";

    private Task ExpectAsync(QemuSession qemu, string command, params string[] expected) => ConsoleCommands.ExpectAsync(qemu, _output, command, expected);

    private Task<List<string>> RunAsync(QemuSession qemu, string command) => ConsoleCommands.RunAsync(qemu, _output, command);
}
