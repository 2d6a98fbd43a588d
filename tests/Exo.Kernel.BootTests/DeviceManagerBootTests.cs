using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A normal boot (init.conf) with a virtio disk: init gives the root resource to the device manager alone (a
/// driver-service line), which lists the PCI functions and starts virtio_blk with only the disk's capabilities;
/// the driver reports the capacity and reads sector 0 (the pattern the host wrote); killed, it is reported and
/// its device stops DMA, and the manager starts it again.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class DeviceManagerBootTests
{
    private readonly ITestOutputHelper _output;

    public DeviceManagerBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Init_starts_the_device_manager_which_starts_virtio_blk(int processors)
    {
        using var disk = VirtioDisk.Create(_output, sectors: 64);
        var options = Boot.Kernel(commandLine: null, "q35", "256M") with { Smp = processors, ExtraArgs = disk.QemuArguments() };
        await using var shell = await ShellSession.BootAsync(_output, options);   // the kernel shell (Ctrl-]) beside init's programs
        var session = shell.Qemu;
        string[] expected =
        {
            "init: started service devices (device_manager)",
            "devices: 00:00.0 8086:29c0 class 060000",
            "devices: 00:03.0 1af4:1042 class 010000",
            "devices: started virtio_blk 00:03.0 4",   // BAR 4 only: BAR 1 holds the MSI-X table, the kernel's
            "devices: 7 PCI functions, 1 drivers started",
            "virtio_blk: 00:03.0 capacity 64 sectors, writable",
            "virtio_blk: sector 0 read, status 0, first bytes 0x0 0x1 0x2 0x3 ",
        };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !session.HasExited && !expected.All(e => session.Serial.Contains(e)))
            await Task.Delay(200);
        var serial = session.Serial;
        var missing = expected.Where(e => !serial.Contains(e)).ToList();
        if (missing.Count > 0)
            Boot.LogSerial(_output, serial);
        Assert.True(missing.Count == 0, "missing from the serial output: " + string.Join(" | ", missing));
        Assert.DoesNotContain("cannot start", serial);
        Assert.DoesNotContain("no root resource", serial);

        // The driver killed: the device manager sees it end and turns the device's bus mastering off.
        var ps = await shell.RunAsync("ps");
        var driver = System.Text.RegularExpressions.Regex.Match(ps, @"(?m)^\s*(\d+)\s+running\b.*\bvirtio_blk\s*$");
        Assert.True(driver.Success, "virtio_blk is not in ps:\n" + ps);
        await shell.RunAsync($"kill {driver.Groups[1].Value}");
        const string ended = "devices: a virtio_blk driver ended with status";
        for (int attempt = 0; attempt < 60 && !session.Serial.Contains(ended); attempt++)
            await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.Contains(ended, session.Serial);
        Assert.Contains("bus mastering turned off", session.Serial);
        // This disk holds no file system: its extfs exited by itself (not restarted); the driver is started again.
        Assert.Contains("devices: extfs disk0 exited with status 1; not started again", session.Serial);
        const string restarted = "devices: restarting virtio_blk and extfs for disk0 (restart 1 of 3)";
        for (int attempt = 0; attempt < 60 && session.Serial.Split("virtio_blk: sector 0 read, status 0").Length < 3; attempt++)
            await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.Contains(restarted, session.Serial);
        Assert.True(session.Serial.Split("virtio_blk: sector 0 read, status 0").Length == 3, "the restarted driver did not read sector 0");
    }
}
