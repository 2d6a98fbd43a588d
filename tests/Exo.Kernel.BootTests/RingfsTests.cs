using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A file system served by another process over a Fusion Ring channel: after a normal boot (init starts memfs,
/// userland/csharp/memfs), Debian's busybox in the console's shell mounts it (`mount -t ringfs memfs DIR`) and works in
/// it; then the server is killed while a loop uses the mount, and the kernel must go on with EIO for the mount's
/// callers. Each test boots its own guest, at 1 and at 2 processors.
/// </summary>
public sealed class RingfsTests
{
    private readonly ITestOutputHelper _output;

    public RingfsTests(ITestOutputHelper output) => _output = output;

    // Mounts the server offered as 'name' on 'directory', waiting for init to have started it (it may come up after the
    // shell's prompt), then shows the mount's line of /proc/mounts.
    private static string MountCommandFor(string name, string directory) =>
        $"mkdir -p {directory}; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do mount -t ringfs {name} {directory} 2>/dev/null && break; sleep 1; done; grep ' {directory} ' /proc/mounts";

    private static readonly string MountCommand = MountCommandFor("memfs", "/mnt/ring");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Busybox_creates_writes_reads_lists_renames_and_removes_files_in_a_served_file_system(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            await ExpectAsync(qemu, MountCommand, "memfs /mnt/ring ringfs rw 0 0");
            await ExpectAsync(qemu, "echo hello world > /mnt/ring/greeting && cat /mnt/ring/greeting", "hello world");
            await ExpectAsync(qemu, "mkdir -p /mnt/ring/dir/sub && echo second > /mnt/ring/dir/sub/file && ls /mnt/ring /mnt/ring/dir | cat",
                "/mnt/ring:", "dir", "greeting", "", "/mnt/ring/dir:", "sub");
            await ExpectAsync(qemu, "mv /mnt/ring/greeting /mnt/ring/dir/moved && ls -a /mnt/ring/dir | cat && cat /mnt/ring/dir/moved /mnt/ring/dir/sub/file",
                ".", "..", "moved", "sub", "hello world", "second");
            await ExpectAsync(qemu, "ls /mnt/ring/greeting", "ls: /mnt/ring/greeting: No such file or directory", "status 1");
            // Larger than one message (16 KiB): reads and writes in several requests, compared with a tmpfs copy.
            await ExpectAsync(qemu, "seq 1 6000 > /tmp/big && cp /tmp/big /mnt/ring/big && cmp /tmp/big /mnt/ring/big && wc -c < /mnt/ring/big",
                "28893");
            await ExpectAsync(qemu, "echo tail >> /mnt/ring/big && tail -n 2 /mnt/ring/big && : > /mnt/ring/big && wc -c < /mnt/ring/big",
                "6000", "tail", "0");
            await ExpectAsync(qemu, "ln -s dir/moved /mnt/ring/link && readlink /mnt/ring/link && cat /mnt/ring/link",
                "dir/moved", "hello world");
            await ExpectAsync(qemu, "chmod 600 /mnt/ring/dir/moved && ls -l /mnt/ring/dir/moved | cut -c1-10", "-rw-------");
            await ExpectAsync(qemu, "rmdir /mnt/ring/dir", "rmdir: '/mnt/ring/dir': Directory not empty", "status 1");
            await ExpectAsync(qemu, "rm -r /mnt/ring/dir /mnt/ring/link /mnt/ring/big && ls -a /mnt/ring | cat", ".", "..");
            await ExpectAsync(qemu, "df /mnt/ring | tail -n 1 | cut -c1-5", "memfs");
            await ExpectAsync(qemu, "umount /mnt/ring && grep -c ringfs /proc/mounts", "0", "status 1");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_kernel_survives_the_server_killed_mid_use_and_callers_get_EIO(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            await ExpectAsync(qemu, MountCommand, "memfs /mnt/ring ringfs rw 0 0");
            await ExpectAsync(qemu, "echo before > /mnt/ring/a && cat /mnt/ring/a", "before");
            // A loop that keeps the server busy, then the kernel monitor kills the server under it.
            await RunAsync(qemu, "(while true; do echo x >> /mnt/ring/loop; cat /mnt/ring/loop > /dev/null; done) 2> /tmp/loop.errors & sleep 2");
            var since = qemu.Serial.Length;
            var memfs = await ConsoleCommands.KillFromMonitorAsync(qemu, "memfs");
            // The kernel and init report asynchronously: wait for both before reading answers that they could interleave.
            await ConsoleCommands.WaitForTextAsync(qemu, since, "posix_x: ringfs server memfs ended; its mount now fails with EIO");
            await ConsoleCommands.WaitForTextAsync(qemu, since, "init: started service memfs (memfs)");
            await ExpectAsync(qemu, "cat /mnt/ring/a", "cat: can't open '/mnt/ring/a': Input/output error", "status 1");
            await ExpectAsync(qemu, "ls /mnt/ring", "ls: can't open '/mnt/ring': Input/output error", "status 1");
            await ExpectAsync(qemu, "echo new > /mnt/ring/b", "/bin/sh: can't create /mnt/ring/b: Input/output error", "status 1");
            await RunAsync(qemu, "kill %1; wait");
            await ExpectAsync(qemu, "grep -q 'Input/output error' /tmp/loop.errors && echo the loop saw EIO", "the loop saw EIO");
            // The rest of the system is unharmed: the root file system, and a new mount of the restarted server.
            await ExpectAsync(qemu, "ls /exo/config/init.conf", "/exo/config/init.conf");
            await ExpectAsync(qemu, "umount /mnt/ring && grep -c ringfs /proc/mounts", "0", "status 1");
            await ExpectAsync(qemu, MountCommand, "memfs /mnt/ring ringfs rw 0 0");
            await ExpectAsync(qemu, "ls -a /mnt/ring | cat && echo after > /mnt/ring/b && cat /mnt/ring/b", ".", "..", "after");
            await ExpectAsync(qemu, "umount /mnt/ring");
            Assert.Contains("init: service memfs (memfs) was killed", qemu.Serial[since..], StringComparison.Ordinal);
            _output.WriteLine($"memfs was pid {memfs}");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_mount_with_wait_sleeps_until_the_server_offers_itself(int processors)
    {
        await using var qemu = await BootAsync(processors);
        try
        {
            // Nobody offers "later" yet: a plain mount fails at once.
            var refused = await RunAsync(qemu, "mkdir -p /mnt/later && mount -t ringfs later /mnt/later");
            Assert.Contains(refused, line => line.Contains("No such file or directory", StringComparison.Ordinal));
            // With -o wait it sleeps until the kernel monitor starts a memfs offered as "later" (woken by the offer).
            await RunAsync(qemu, "(mount -t ringfs -o wait later /mnt/later && echo mounted after waiting) > /tmp/later.out 2>&1 & sleep 1");
            await ConsoleCommands.RunFromMonitorAsync(qemu, "memfs later");
            await ExpectAsync(qemu, "wait; cat /tmp/later.out && grep ' /mnt/later ' /proc/mounts", "mounted after waiting", "later /mnt/later ringfs rw 0 0");
            await ExpectAsync(qemu, "echo served late > /mnt/later/file && cat /mnt/later/file && umount /mnt/later", "served late");
            // A name nobody offers: the wait ends after its limit (10 s) with ENOENT, not a hang.
            var late = await RunAsync(qemu, "mount -t ringfs -o wait nobody /mnt/later");
            Assert.Contains(late, line => line.Contains("No such file or directory", StringComparison.Ordinal));
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_malformed_reply_or_a_silent_server_gives_EIO_on_its_mount_only(int processors)
    {
        await using var qemu = await BootAsync(processors, "init=ringfs_test.conf");
        try
        {
            await ExpectAsync(qemu, MountCommand, "memfs /mnt/ring ringfs rw 0 0");
            await ExpectAsync(qemu, MountCommandFor("rogue", "/mnt/rogue"),
                "rogue /mnt/rogue ringfs rw 0 0");
            // Before its offer the rogue made offers with bad objects (FileSystemOfferObjects): each refused with its
            // reason, and none took the name.
            Assert.Contains("memfs: offers with bad objects refused: bad address, invalid argument, invalid argument, bad handle", qemu.Serial, StringComparison.Ordinal);
            await ExpectAsync(qemu, "echo fine > /mnt/rogue/a && cat /mnt/rogue/a", "fine");
            // A read answered in the server's bulk memory, within it.
            await ExpectAsync(qemu, "echo bulk-inside > /mnt/rogue/d && cat /mnt/rogue/d", "bulk-inside");
            // The kernel's line comes from the caller's own thread, before cat's message.
            await ExpectAsync(qemu, "cat /mnt/rogue/malformed",
                "posix_x: ringfs server rogue sent a malformed reply: bad attributes or records; its mount now fails with EIO",
                "cat: can't open '/mnt/rogue/malformed': Input/output error", "status 1");
            await ExpectAsync(qemu, "cat /mnt/rogue/a", "cat: can't open '/mnt/rogue/a': Input/output error", "status 1");
            // The other mount, served by another process, is unaffected.
            await ExpectAsync(qemu, "echo still > /mnt/ring/b && cat /mnt/ring/b", "still");
            await ExpectAsync(qemu, "umount /mnt/rogue && umount /mnt/ring");
            // A server that never answers: the caller gets EIO after the channel's time limit, not a hang.
            await ExpectAsync(qemu, MountCommandFor("rogue", "/mnt/rogue"),
                "rogue /mnt/rogue ringfs rw 0 0");
            await ExpectAsync(qemu, "cat /mnt/rogue/silence",
                "posix_x: ringfs server rogue did not answer in time; its mount now fails with EIO",
                "cat: can't open '/mnt/rogue/silence': Input/output error", "status 1");
            await ExpectAsync(qemu, "umount /mnt/rogue && ls /exo/config/init.conf", "/exo/config/init.conf");
            // A read answered with a place past the bulk memory: refused, not read (a mount of the same server again).
            await ExpectAsync(qemu, MountCommandFor("rogue", "/mnt/rogue"), "rogue /mnt/rogue ringfs rw 0 0");
            await ExpectAsync(qemu, "echo bulk-outside > /mnt/rogue/e && cat /mnt/rogue/e",
                "posix_x: ringfs server rogue sent a malformed reply: bad data length; its mount now fails with EIO",
                "cat: read error: Input/output error", "status 1");
            await ExpectAsync(qemu, "umount /mnt/rogue && ls /exo/config/init.conf", "/exo/config/init.conf");
        }
        finally
        {
            _output.WriteLine(qemu.Serial.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private static async Task<QemuSession> BootAsync(int processors, string? commandLine = null)
    {
        var qemu = QemuRunner.Start(Boot.Kernel(commandLine) with { Smp = processors, Timeout = TimeSpan.FromMinutes(10) });
        await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
        return qemu;
    }

    private Task ExpectAsync(QemuSession qemu, string command, params string[] expected) => ConsoleCommands.ExpectAsync(qemu, _output, command, expected);

    private Task<List<string>> RunAsync(QemuSession qemu, string command) => ConsoleCommands.RunAsync(qemu, _output, command);
}
