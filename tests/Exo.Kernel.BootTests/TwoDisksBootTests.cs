using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Two virtio disks at once: the device manager starts a virtio_blk and an extfs for each, offered as disk0 and disk1
/// (in PCI order). /etc/profile mounts disk0 on /mnt; disk1 is mounted by hand. Each disk's own file is read, a file is
/// written on each, both are unmounted (each extfs marks its disk clean), and after QEMU stops the host finds each new
/// file on its own image only, both images clean and e2fsck -fn content.
/// </summary>
public sealed class TwoDisksBootTests
{
    private readonly ITestOutputHelper _output;

    public TwoDisksBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Each_disk_gets_its_driver_and_extfs_and_keeps_its_own_files(int processors)
    {
        string[] trees = { DiskImages.NewTree(), DiskImages.NewTree() };
        string[] images = { trees[0] + ".img", trees[1] + ".img" };
        try
        {
            for (int i = 0; i < 2; i++)
            {
                Directory.CreateDirectory(trees[i]);
                File.WriteAllText(Path.Combine(trees[i], "which.txt"), $"image {i}\n");
                DiskImages.MakeExt4(trees[i], images[i], i == 0 ? "8M" : "12M");
            }
            await using (var qemu = await DiskImages.BootAsync(processors, images))
            {
                try
                {
                    await ConsoleCommands.WaitForTextAsync(qemu, 0, "extfs: offered as disk1, 24576 sectors");
                    // The device manager's summary comes after it has listed every function, which may be after both
                    // extfs have offered themselves (it listed the last three after them once in 30 runs).
                    await ConsoleCommands.WaitForTextAsync(qemu, 0, "devices: 8 PCI functions, 2 drivers started");   // q35's 6 and two disks
                    Assert.Contains("devices: started extfs disk0", qemu.Serial, StringComparison.Ordinal);
                    Assert.Contains("devices: started extfs disk1", qemu.Serial, StringComparison.Ordinal);
                    await ExpectAsync(qemu, "mkdir -p /disk1 && mount -t ringfs disk1 /disk1 && grep ringfs /proc/mounts | cut -d' ' -f1,2",
                        "disk0 /mnt", "disk1 /disk1");
                    await ExpectAsync(qemu, "cat /mnt/which.txt /disk1/which.txt", "image 0", "image 1");
                    await ExpectAsync(qemu, "echo on the first > /mnt/first && echo on the second > /disk1/second && ls /mnt /disk1 | cat",
                        "/disk1:", "lost+found", "second", "which.txt", "", "/mnt:", "first", "lost+found", "which.txt");   // busybox sorts its arguments
                    await ExpectAsync(qemu, "umount /disk1", "extfs: disk1 unmounted, marked clean");
                    await ExpectAsync(qemu, "umount /mnt", "extfs: disk0 unmounted, marked clean");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal("clean", DiskImages.State(images[i]));
                var check = DiskImages.Run("e2fsck", "-fn", images[i]);
                Assert.True(check.Status == 0, $"e2fsck -fn on image {i}: " + check.Output);
                Assert.Equal($"image {i}\n", DiskImages.Cat(images[i], "/which.txt"));
            }
            Assert.Equal("on the first\n", DiskImages.Cat(images[0], "/first"));
            Assert.Equal("on the second\n", DiskImages.Cat(images[1], "/second"));
            Assert.DoesNotContain("on the", DiskImages.Cat(images[0], "/second"));
            Assert.DoesNotContain("on the", DiskImages.Cat(images[1], "/first"));
        }
        finally
        {
            for (int i = 0; i < 2; i++)
                DiskImages.Delete(trees[i], images[i]);
        }
    }

    private Task ExpectAsync(QemuSession qemu, string command, params string[] expected) => ConsoleCommands.ExpectAsync(qemu, _output, command, expected);
}
