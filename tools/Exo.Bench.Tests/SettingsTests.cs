using Exo.Bench;

public class SettingsTests
{
    const string Sample = """
        # comment
        QEMU_BIN=qemu-system-x86_64
        QEMU_MACHINE=q35
        QEMU_CPU=max
        QEMU_MEMORY=512M
        QEMU_SMP=1
        QEMU_ICOUNT=shift=0
        QEMU_EXTRA=-seed 1  -rtc base=utc
        LINUX_APPEND=console=ttyS0 quiet panic=-1
        EXO_APPEND=bench
        EXO_POSIX_APPEND=bench=posix
        LINUX_SHELL_APPEND=rdinit=/bin/sh -- -l
        EXO_SHELL_APPEND=
        LINUX_TIMEOUT=100
        LINUX_TIMEOUT_QUICK=50
        EXO_TIMEOUT=90
        EXO_TIMEOUT_QUICK=40
        SHELL_TIMEOUT=60
        STORAGE_ICOUNT=shift=0,sleep=on
        STORAGE_DRIVE=if=none,id=disk0,format=raw
        STORAGE_DEVICE=virtio-blk-pci,drive=disk0
        LINUX_STORAGE_APPEND=rdinit=/storage-init
        EXO_STORAGE_APPEND=init=bench_storage.conf
        """;

    [Fact]
    public void TheStorageBootsGetTheDiskAndTheirOwnInstructionCounting()
    {
        var s = QemuSettings.Parse(Sample);
        var linux = s.LinuxStorageArguments("/l", "/o/linux.log", "/o/linux-disk.img", quick: true);
        var exo = s.ExoStorageArguments("/k/exo.bin", "/o/storage.cpio", "/o/exo.log", "/o/exo-disk.img", quick: false);
        foreach (var (args, disk) in new[] { (linux, "/o/linux-disk.img"), (exo, "/o/exo-disk.img") })
        {
            Assert.Equal("shift=0,sleep=on", args[args.IndexOf("-icount") + 1]);
            Assert.Equal($"file={disk},if=none,id=disk0,format=raw", args[args.IndexOf("-drive") + 1]);
            Assert.Equal("virtio-blk-pci,drive=disk0", args[args.IndexOf("-device", args.IndexOf("-drive")) + 1]);
        }
        Assert.Equal("console=ttyS0 quiet panic=-1 rdinit=/storage-init exo.quick", linux[linux.IndexOf("-append") + 1]);
        Assert.Equal(Path.Combine("/l", "initramfs-storage.cpio.gz"), linux[linux.IndexOf("-initrd") + 1]);
        Assert.Equal("init=bench_storage.conf", exo[exo.IndexOf("-append") + 1]);
        Assert.Equal("/o/storage.cpio", exo[exo.IndexOf("-initrd") + 1]);
        // The other boots keep QEMU_ICOUNT.
        Assert.Equal("shift=0", s.CommonArguments()[s.CommonArguments().IndexOf("-icount") + 1]);
    }

    [Fact]
    public void BothGuestsShareTheCommonOptions()
    {
        var s = QemuSettings.Parse(Sample);
        var common = s.CommonArguments();
        var linux = s.LinuxArguments("/l", "/o/linux.log", quick: false);
        var exo = s.ExoArguments("/k/exo.bin", "/o/exo.log", quick: false);
        Assert.Equal(common, linux.Take(common.Count));
        Assert.Equal(common, exo.Take(common.Count));
        Assert.Equal(new[] { "-machine", "q35", "-cpu", "max", "-m", "512M", "-smp", "1", "-icount", "shift=0", "-seed", "1", "-rtc", "base=utc" },
            common.Take(14));
    }

    [Fact]
    public void QuickModeAppendsToTheCommandLines()
    {
        var s = QemuSettings.Parse(Sample);
        var linux = s.LinuxArguments("/l", "/o/linux.log", quick: true);
        var exo = s.ExoArguments("/k/exo.bin", "/o/exo.log", quick: true);
        Assert.Equal("console=ttyS0 quiet panic=-1 exo.quick", linux[linux.IndexOf("-append") + 1]);
        Assert.Equal("bench quick", exo[exo.IndexOf("-append") + 1]);
        Assert.Equal("bench", s.ExoArguments("/k", "/o", quick: false)[^1]);
        Assert.Contains("isa-debug-exit,iobase=0xf4,iosize=0x04", exo);
        Assert.DoesNotContain("isa-debug-exit,iobase=0xf4,iosize=0x04", linux);
        Assert.Equal(Path.Combine("/l", "vmlinuz"), linux[linux.IndexOf("-kernel") + 1]);
        Assert.Equal(Path.Combine("/l", "initramfs.cpio.gz"), linux[linux.IndexOf("-initrd") + 1]);
        Assert.Equal("file:/o/exo.log", exo[exo.IndexOf("-serial") + 1]);
        Assert.Equal(50, s.LinuxTimeout(quick: true));
        Assert.Equal(90, s.ExoTimeout(quick: false));
    }

    [Fact]
    public void ThePosixAndShellBootsUseTheBenchImage()
    {
        var s = QemuSettings.Parse(Sample);
        var posix = s.ExoPosixArguments("/k/exo.bin", "/b/exo-initrd.cpio", "/o/posix.log", quick: true);
        Assert.Equal("bench=posix exo.quick", posix[posix.IndexOf("-append") + 1]);
        Assert.Equal("bench=posix", s.ExoPosixArguments("/k/exo.bin", "/b/i", "/o/p", quick: false)[^3]);
        Assert.Equal("/b/exo-initrd.cpio", posix[posix.IndexOf("-initrd") + 1]);
        var exoShell = s.ExoShellArguments("/k/exo.bin", "/b/exo-initrd.cpio", "/o/shell.log");
        Assert.Equal("", exoShell[exoShell.IndexOf("-append") + 1]);
        Assert.Equal("/b/exo-initrd.cpio", exoShell[exoShell.IndexOf("-initrd") + 1]);
        var linuxShell = s.LinuxShellArguments("/l", "/o/linux-shell.log");
        Assert.Equal("console=ttyS0 quiet panic=-1 rdinit=/bin/sh -- -l", linuxShell[linuxShell.IndexOf("-append") + 1]);
        Assert.Equal(60, s.ShellTimeout);
    }

    [Fact]
    public void MissingKeyIsAnError()
    {
        var s = QemuSettings.Parse("QEMU_BIN=x\n");
        Assert.Throws<KeyNotFoundException>(() => s.CommonArguments());
        Assert.Throws<FormatException>(() => QemuSettings.Parse("no equals sign\n"));
    }

    [Fact]
    public void TheRepositorySettingsFileLoads()
    {
        var path = QemuSettings.Locate();
        Assert.NotNull(path);
        var s = QemuSettings.Load(path!);
        Assert.Equal("max", s.CpuModel);
        Assert.StartsWith("shift=0", s.Get("QEMU_ICOUNT"));
        Assert.Contains("console=ttyS0", s.Get("LINUX_APPEND"));
    }
}
