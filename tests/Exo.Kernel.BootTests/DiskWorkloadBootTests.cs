using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A file system workload on extfs, checked from both sides: on an empty ext4 image made by Debian's mke2fs (16 MiB,
/// so that it fills), userland/linux/libc/disk_workload (static glibc, through POSIX-X and ringfs) creates
/// <see cref="FileCount"/> files with content in 100 nested directories, lists and reads them back, deletes half, writes
/// a sparse file past 4 GiB (holes read as zeros, its data read back), fills the disk until a write fails with ENOSPC
/// (the program and the system go on, and after the file is deleted writing works again) and syncs; the shell then
/// unmounts the disk and QEMU is stopped. On the host, e2fsck -fn must find the image clean and debugfs must list
/// exactly the odd-numbered files, read one back, and see the sparse file's size and the rest.
/// </summary>
public sealed class DiskWorkloadBootTests
{
    /// <summary>
    /// How many files: each created file costs extfs a write-back and a flush of the disk per change (create, write,
    /// close's attribute update), which under TCG bounds what fits in a few minutes.
    /// </summary>
    private const int FileCount = 3000;

    private static readonly TimeSpan WorkloadTimeout = TimeSpan.FromMinutes(8);

    private readonly ITestOutputHelper _output;

    public DiskWorkloadBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Thousands_of_files_a_sparse_file_and_a_full_disk_leave_a_clean_image(int processors)
    {
        string image = Path.Combine(Path.GetTempPath(), $"exo-workload-{Guid.NewGuid():N}.img");
        try
        {
            var made = DiskImages.Run("mke2fs", "-q", "-F", "-t", "ext4", image, "16M");
            Assert.True(made.Status == 0, "mke2fs: " + made.Output);

            await using (var qemu = await DiskImages.BootAsync(processors, new[] { image }, timeout: WorkloadTimeout + TimeSpan.FromMinutes(2)))
            {
                try
                {
                    await ConsoleCommands.ExpectAsync(qemu, _output, WorkloadTimeout, $"/exo/bin/disk_workload /mnt {FileCount}",
                        $"created {FileCount} files in 100 directories",
                        $"listed and read back {FileCount} files",
                        $"deleted {FileCount - FileCount / 2} files, {FileCount / 2} left and read back",
                        "sparse file: size 5368709143, holes read as zeros, data read back",
                        "filled the disk: ENOSPC, more than 1 MiB written",
                        "deleted it: 32 KiB written again",
                        "direct reads: what was written, overwritten, truncated and a hole read back",
                        "synced");
                    // The system goes on after ENOSPC: another program runs, the mount answers.
                    await ConsoleCommands.ExpectAsync(qemu, _output, "ls /mnt | cat", "after-full", "lost+found", "sparse", "work");
                    await ConsoleCommands.ExpectAsync(qemu, _output, "sync && umount /mnt && grep -c ' /mnt ' /proc/mounts",
                        "extfs: disk0 unmounted, marked clean", "0", "status 1");
                }
                finally
                {
                    _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
                }
            }   // QEMU stopped here, without a shutdown

            var check = DiskImages.Run("e2fsck", "-fn", image);
            _output.WriteLine(check.Output);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);

            var listed = new SortedSet<int>();
            var names = new Regex(@"^/\d+/100644/\d+/\d+/f(\d+)/(\d+)/$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
            for (int a = 0; a < 10; a++)
                for (int b = 0; b < 10; b++)
                    foreach (Match entry in names.Matches(DiskImages.Debugfs(image, $"ls -p /work/d{a}/d{b}")))
                        listed.Add(int.Parse(entry.Groups[1].Value));
            var odd = Enumerable.Range(0, FileCount).Where(n => n % 2 == 1).ToList();
            Assert.True(odd.SequenceEqual(listed), $"debugfs lists {listed.Count} files, {odd.Count} odd-numbered expected");
            Assert.Equal("file 7 line 0\nfile 7 line 1\nfile 7 line 2\nfile 7 line 3\nfile 7 line 4\nfile 7 line 5\nfile 7 line 6\nfile 7 line 7\n",
                DiskImages.Debugfs(image, "cat /work/d7/d0/f7"));
            Assert.Matches(@"Size: 5368709143\b", DiskImages.Debugfs(image, "stat /sparse"));
            Assert.Matches(@"Size: 32768\b", DiskImages.Debugfs(image, "stat /after-full"));
            Assert.Contains("File not found by ext2_lookup", DiskImages.Debugfs(image, "stat /fill"), StringComparison.Ordinal);
        }
        finally
        {
            try { File.Delete(image); } catch (IOException) { }
        }
    }
}
