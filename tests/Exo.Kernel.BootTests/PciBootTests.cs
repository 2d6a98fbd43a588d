using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The pci suite with a virtio block device attached (a small raw image of known bytes made here): the kernel's
/// enumeration (ECAM on q35, configuration mechanism 1 on pc), pci_test's listing from ring 3 and its checks of
/// the configuration-space capability, MSI-X and DMA memory, and virtio_blk_test, the ring-3 virtio-blk driver:
/// reads compared with the image, a write the host finds in the file afterwards, a read-only disk left as it
/// was. Runs alone: at 2 processors it shares the host's two cores.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class PciBootTests
{
    private readonly ITestOutputHelper _output;

    public PciBootTests(ITestOutputHelper output) => _output = output;

    // The kernel shell's 'pci': what boot found, with the BAR sizes it measured and the MSI-X it keeps.
    [Fact]
    public async Task Shell_pci_lists_the_functions_with_their_bars()
    {
        using var disk = VirtioDisk.Create(_output, sectors: 64);
        var options = Boot.Kernel("init=none", "q35", "256M") with { ExtraArgs = disk.QemuArguments() };
        await using var shell = await ShellSession.BootAsync(_output, options);
        var listing = await shell.RunAsync("pci");
        Assert.Contains("00:00.0 8086:29c0 class 060000", listing);
        Assert.Contains("00:03.0 1af4:1042 class 010000 bar1 mem 4096 B bar4 mem 16 KiB msi-x", listing);
        Assert.Contains("00:1f.2 8086:2922 class 010601", listing);
    }

    /// <summary>The sector virtio_blk_test writes, each byte k = 0xA5 ^ k.</summary>
    private const int WrittenSector = 5;

    [Theory]
    [InlineData("q35", 1, false)]
    [InlineData("q35", 2, false)]
    [InlineData("pc", 1, false)]
    [InlineData("q35", 1, true)]
    public async Task Pci_suite_lists_and_drives_the_virtio_disk(string machine, int processors, bool readOnly)
    {
        using var disk = VirtioDisk.Create(_output, sectors: 64, readOnly);
        var options = Boot.Kernel("test=pci", machine, "256M") with { Smp = processors, ExtraArgs = disk.QemuArguments() };
        var result = await QemuRunner.RunAsync(options);
        var verdict = TestReportParser.Evaluate(result, new[] { "pci" });
        Boot.LogRun(_output, result);
        _output.WriteLine(verdict.Report.FormatTable());
        if (!verdict.Success)
            Boot.LogSerial(_output, result.Serial);
        Assert.True(verdict.Success, $"pci suite on {machine} at {processors} processor(s): " + verdict.FailureMessage);

        var lines = SerialText.SplitLines(result.Serial);
        // virtio-blk with disable-legacy=on is a modern-only device: 1af4:1042, class 01 (mass storage) 00.
        Assert.Contains(lines, l => l.Contains("pci_test: ") && l.Contains(" 1af4:1042 class 010000"));
        Assert.Contains(lines, l => l.Contains("pci_test: 00:00.0 8086:"));
        Assert.Contains(lines, l => l.Contains(machine == "q35" ? "(ECAM from the MCFG table)" : "(configuration mechanism 1)"));
        Assert.Contains(lines, l => l.Contains("pci_test: virtio capabilities: "));
        // Plain MSI checked on a function without MSI-X: q35's AHCI controller (pc has no such function).
        Assert.Contains(lines, l => l.Contains(machine == "q35" ? "pci_test: MSI only: 00:1f.2 8086:2922 class 010601" : "pci_test: no function with MSI only"));
        Assert.Contains(lines, l => l.Contains("pci_test: all checks passed"));
        Assert.Contains(lines, l => l.Contains("virtio_blk_test: capacity 64 sectors") && l.Contains(readOnly ? "read-only" : "writable"));
        Assert.Contains(lines, l => l.Contains("virtio_blk_test: 4 reads in flight"));
        Assert.Contains(lines, l => l.Contains("virtio_blk_test: all checks passed"));

        var image = File.ReadAllBytes(disk.Path);
        for (int sector = 0; sector < 64; sector++)
        {
            for (int k = 0; k < VirtioDisk.SectorSize; k++)
            {
                byte expected = sector == WrittenSector && !readOnly ? (byte)(0xA5 ^ k) : VirtioDisk.Pattern(sector, k);
                Assert.True(image[sector * VirtioDisk.SectorSize + k] == expected,
                    $"image byte {k} of sector {sector}: {image[sector * VirtioDisk.SectorSize + k]:x2}, expected {expected:x2}");
            }
        }
    }
}

/// <summary>A raw disk image in a temporary file, sector N filled with a pattern that names N, and the QEMU
/// arguments that attach it as a modern virtio-blk-pci device.</summary>
public sealed class VirtioDisk : IDisposable
{
    public const int SectorSize = 512;

    public string Path { get; }
    public bool ReadOnly { get; }

    private VirtioDisk(string path, bool readOnly) { Path = path; ReadOnly = readOnly; }

    public static VirtioDisk Create(ITestOutputHelper output, int sectors, bool readOnly = false)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"exo-virtio-{Guid.NewGuid():N}.img");
        var bytes = new byte[sectors * SectorSize];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = Pattern(i / SectorSize, i % SectorSize);
        File.WriteAllBytes(path, bytes);
        output.WriteLine($"disk image {path}: {sectors} sectors{(readOnly ? ", read-only" : "")}");
        return new VirtioDisk(path, readOnly);
    }

    /// <summary>Byte 'offset' of sector 'sector' as the image is made: the sector number's low byte, then a count.</summary>
    public static byte Pattern(int sector, int offset) => offset == 0 ? (byte)sector : (byte)(offset + sector * 7);

    public IReadOnlyList<string> QemuArguments() => new[]
    {
        "-drive", $"file={Path.Replace(",", ",,", StringComparison.Ordinal)},if=none,id=d0,format=raw{(ReadOnly ? ",readonly=on" : "")}",
        "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
    };

    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}
