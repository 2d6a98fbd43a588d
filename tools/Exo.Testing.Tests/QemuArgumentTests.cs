using Exo.Testing;

namespace Exo.Testing.Tests;

public class QemuArgumentTests
{
    /// <summary>The value following <paramref name="flag"/>; fails if the flag is absent or repeated.</summary>
    private static string ValueOf(IReadOnlyList<string> args, string flag)
    {
        var positions = args.Select((a, i) => (a, i)).Where(x => x.a == flag).Select(x => x.i).ToList();
        Assert.True(positions.Count == 1, $"expected exactly one '{flag}' in: {string.Join(' ', args)}");
        Assert.True(positions[0] + 1 < args.Count, $"'{flag}' has no value");
        return args[positions[0] + 1];
    }

    [Fact]
    public void Defaults_for_a_kernel_image()
    {
        var args = QemuRunner.BuildArguments(QemuOptions.ForKernel("/repo/out/exo.bin"));

        Assert.Equal("q35", ValueOf(args, "-machine"));
        Assert.Equal("tcg", ValueOf(args, "-accel"));
        Assert.Equal("max", ValueOf(args, "-cpu"));
        Assert.Equal("256M", ValueOf(args, "-m"));
        Assert.Equal("1", ValueOf(args, "-smp"));
        Assert.Equal("/repo/out/exo.bin", ValueOf(args, "-kernel"));
        Assert.DoesNotContain("-append", args);
        Assert.DoesNotContain("-cdrom", args);
    }

    [Fact]
    public void Mandatory_flags_are_always_present()
    {
        foreach (var options in new[]
        {
            QemuOptions.ForKernel("k.bin", "test=heap"),
            QemuOptions.ForIso("exo.iso") with { Machine = "pc", Memory = "4G", Smp = 4 },
        })
        {
            var args = QemuRunner.BuildArguments(options);

            Assert.Equal("none", ValueOf(args, "-display"));
            Assert.Equal("none", ValueOf(args, "-monitor"));
            Assert.Equal("stdio", ValueOf(args, "-serial"));
            Assert.Equal("tcg", ValueOf(args, "-accel"));
            Assert.Equal("isa-debug-exit,iobase=0xf4,iosize=0x04", ValueOf(args, "-device"));
            Assert.Single(args, a => a == "-no-reboot");
        }
    }

    [Fact]
    public void Command_line_is_passed_as_one_argument()
    {
        var args = QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin", "test=runtime,heap bench quick"));

        Assert.Equal("test=runtime,heap bench quick", ValueOf(args, "-append"));
        // -append must follow -kernel
        Assert.True(args.ToList().IndexOf("-append") > args.ToList().IndexOf("-kernel"));
    }

    [Fact]
    public void Empty_command_line_is_omitted()
    {
        var args = QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin", ""));

        Assert.DoesNotContain("-append", args);
    }

    [Fact]
    public void Machine_memory_smp_and_cpu_are_honoured()
    {
        var args = QemuRunner.BuildArguments(
            QemuOptions.ForKernel("k.bin") with { Machine = "pc", Memory = "4G", Smp = 2, Cpu = "qemu64" });

        Assert.Equal("pc", ValueOf(args, "-machine"));
        Assert.Equal("4G", ValueOf(args, "-m"));
        Assert.Equal("2", ValueOf(args, "-smp"));
        Assert.Equal("qemu64", ValueOf(args, "-cpu"));
    }

    [Fact]
    public void Iso_boots_from_cdrom()
    {
        var args = QemuRunner.BuildArguments(QemuOptions.ForIso("/repo/out/exo.iso"));

        Assert.Equal("/repo/out/exo.iso", ValueOf(args, "-cdrom"));
        Assert.Equal("d", ValueOf(args, "-boot"));
        Assert.DoesNotContain("-kernel", args);
        Assert.DoesNotContain("-append", args);
    }

    [Fact]
    public void Comma_in_iso_path_is_escaped_for_the_drive_syntax()
    {
        var args = QemuRunner.BuildArguments(QemuOptions.ForIso("/tmp/a,b/exo.iso"));

        Assert.Equal("/tmp/a,,b/exo.iso", ValueOf(args, "-cdrom"));
    }

    [Fact]
    public void Extra_args_come_last_and_verbatim()
    {
        var args = QemuRunner.BuildArguments(
            QemuOptions.ForKernel("k.bin", "bench") with { ExtraArgs = new[] { "-icount", "shift=0", "-d", "int" } });

        Assert.Equal(new[] { "-icount", "shift=0", "-d", "int" }, args.Skip(args.Count - 4));
    }

    [Fact]
    public void Nothing_to_boot_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(new QemuOptions()));
        Assert.Contains("nothing to boot", e.Message);
    }

    [Fact]
    public void Kernel_and_iso_together_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            QemuRunner.BuildArguments(new QemuOptions { KernelImage = "k.bin", Iso = "x.iso" }));
        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void Command_line_with_an_iso_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            QemuRunner.BuildArguments(QemuOptions.ForIso("x.iso") with { CommandLine = "test=heap" }));
        Assert.Contains("-append", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Smp_below_one_is_rejected(int smp)
    {
        Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin") with { Smp = smp }));
    }

    [Fact]
    public void Blank_machine_memory_or_cpu_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin") with { Machine = " " }));
        Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin") with { Memory = "" }));
        Assert.Throws<ArgumentException>(() => QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin") with { Cpu = "" }));
    }

    [Fact]
    public void Non_positive_timeout_is_rejected()
    {
        Assert.Throws<ArgumentException>(() =>
            QemuRunner.BuildArguments(QemuOptions.ForKernel("k.bin") with { Timeout = TimeSpan.Zero }));
    }

    [Fact]
    public void Default_timeout_is_120_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(120), new QemuOptions().Timeout);
    }

    [Fact]
    public void FormatCommand_quotes_what_the_shell_would_split()
    {
        var s = QemuRunner.FormatCommand("qemu-system-x86_64", new[] { "-append", "test=heap bench", "-kernel", "/a b/it's.bin" });

        Assert.Equal("qemu-system-x86_64 -append 'test=heap bench' -kernel '/a b/it'\\''s.bin'", s);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 3)]
    [InlineData(0x20, 65)]
    public void Debug_exit_status_mapping(int value, int status)
    {
        Assert.Equal(status, ExitStatus.FromKernelValue(value));
    }

    [Theory]
    [InlineData(0, "ACPI shutdown")]
    [InlineData(1, "success")]
    [InlineData(3, "test failures")]
    [InlineData(65, "panic")]
    [InlineData(5, "debug-exit value 0x02")]
    [InlineData(2, "not a debug-exit status")]
    public void Exit_status_descriptions(int status, string expected)
    {
        Assert.Contains(expected, ExitStatus.Describe(status));
    }
}
