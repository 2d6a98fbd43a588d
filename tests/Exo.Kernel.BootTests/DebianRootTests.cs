using System.Diagnostics;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// A normally booted guest with the Debian root (out/debian.cpio, a second boot module the kernel lays over the root
/// file system): bash is the console's login shell. Shared by the <see cref="DebianRootTests"/> as
/// <see cref="ConsoleGuest"/> is by the busybox tests.
/// </summary>
public sealed class DebianGuest : ConsoleGuest
{
    protected override QemuOptions Options => base.Options with { MoreModules = new[] { ExoPaths.RequireDebianRoot() } };
}

/// <summary>The tests that share one <see cref="DebianGuest"/>.</summary>
[CollectionDefinition(Name)]
public sealed class DebianCollection : ICollectionFixture<DebianGuest>
{
    public const string Name = "Debian root";
}

/// <summary>
/// Debian 12's bash, coreutils, findutils, grep, sed, gawk, less, procps and python3, unmodified, on POSIX-X: scripts of
/// userland/rootfs/debian/tests (in the image at /usr/share/exo-tests/debian) run in the guest and on this machine's
/// Linux with the same programs and libraries (out/rootfs with out/debian-root laid over it, through
/// tools/scripts/run-rootfs-test-on-linux.sh), and must print the same lines; then bash as a person uses it on the
/// console (the login shell, its job control).
/// </summary>
[Collection(DebianCollection.Name)]
public sealed class DebianRootTests
{
    private const string Runner = "/usr/share/exo-tests/debian/run-test";
    private readonly ITestOutputHelper _output;
    private readonly DebianGuest _guest;

    public DebianRootTests(ITestOutputHelper output, DebianGuest guest)
    {
        _output = output;
        _guest = guest;
    }

    /// <summary>
    /// coreutils: ls -l, sort -n, cp -a, du -sh, date -d @0 -u, grep/sed/gawk/find pipelines, less and ps. python: a
    /// script using os, sys, json, re, hashlib, subprocess, pathlib and threading (script.py). libraries: a missing,
    /// truncated or non-ELF shared library refused by glibc's ld.so with its own message and status 127 (SIGBUS where
    /// Linux's mmap gives it), never a kernel fault.
    /// </summary>
    [Theory]
    [InlineData("coreutils")]
    [InlineData("python")]
    [InlineData("libraries")]
    public async Task Script_prints_what_it_prints_on_linux(string name)
    {
        var expected = BusyboxTests.RunOnLinux(_output, $"/usr/share/exo-tests/debian/{name}.sh", "out/debian-root");
        var clock = Stopwatch.StartNew();
        var actual = await _guest.UseAsync(_output, $"{name}.sh", qemu => BusyboxTests.RunScriptAsync(qemu, Runner, name));
        _output.WriteLine($"{name}.sh in the guest: {clock.Elapsed.TotalSeconds:F1} s");
        var difference = BusyboxTests.Difference(expected, actual);
        Assert.True(difference == null, $"{name}.sh differs from Linux (- Linux, + Exo-OS):\n{difference}");
    }

    [Fact]
    public Task Bash_is_the_login_shell_and_debian_programs_come_first() => _guest.UseAsync(_output, "login shell", async qemu =>
    {
        var shell = await TerminalTests.RunAsync(qemu, "echo \"$BASH_VERSION $SHELL\"; shopt -q login_shell && echo log\"\"in; echo \"$TERM\"");
        Assert.Contains("5.2.15(1)-release /bin/bash", shell);
        Assert.Contains("login", shell);
        Assert.Contains("vt220", shell);
        var programs = await TerminalTests.RunAsync(qemu, "for p in ls sort grep ps awk; do readlink -f \"$(type -P $p)\"; done");
        Assert.Contains("/bin/ls", programs);
        Assert.Contains("/usr/bin/sort", programs);
        Assert.Contains("/bin/grep", programs);
        Assert.Contains("/bin/ps", programs);
        Assert.Contains("/usr/bin/gawk", programs);
        Assert.DoesNotContain("busybox", programs);
        Assert.Contains("STILL-HERE", await TerminalTests.RunAsync(qemu, "busybox echo still-here | busybox tr a-z A-Z"));
        return 0;
    });

    /// <summary>
    /// coreutils 9.1's wc counts lines with AVX2 when CPUID has AVX2 and OSXSAVE, without asking XCR0 whether the system
    /// saves AVX state (fixed in coreutils 9.2): with AVX off in XCR0 it ended with SIGILL. Exo-OS enables AVX's state
    /// (XCR0 bit 2), so its AVX2 loop runs (QEMU's TCG implements AVX2).
    /// </summary>
    [Fact]
    public Task Wc_counts_lines() => _guest.UseAsync(_output, "wc -l", async qemu =>
    {
        Assert.Contains("lines: 3", await TerminalTests.RunAsync(qemu, "echo li\"\"nes: $(printf 'a\\nb\\nc\\n' | wc -l)"));
        return 0;
    });

    [Fact]
    public Task Bash_job_control_runs_stops_resumes_and_waits_for_jobs() => _guest.UseAsync(_output, "job control", async qemu =>
    {
        Assert.Matches(@"\[1\] \d+", await TerminalTests.RunAsync(qemu, "sleep 300 & :"));   // ":": the helper appends "; echo MARKER"
        Assert.Matches(@"\[1\]\+\s+Running\s+sleep 300 &", await TerminalTests.RunAsync(qemu, "jobs"));
        await TerminalTests.RunAsync(qemu, "kill -STOP %1");
        Assert.Matches(@"\[1\]\+\s+Stopped\s+sleep 300", await TerminalTests.RunAsync(qemu, "jobs"));
        Assert.Matches(@"\[1\]\+\s+sleep 300 &", await TerminalTests.RunAsync(qemu, "bg %1"));
        Assert.Matches(@"\[1\]\+\s+Running\s+sleep 300 &", await TerminalTests.RunAsync(qemu, "jobs"));
        Assert.Contains("status 143", await TerminalTests.RunAsync(qemu, "kill %1; wait %1; echo sta\"\"tus $?"));
        Assert.Contains("sleep 1", await TerminalTests.RunAsync(qemu, "sleep 1 & fg %1"));
        Assert.Contains("waited 3", await TerminalTests.RunAsync(qemu, "(exit 3) & wait $!; echo wait\"\"ed $?"));
        Assert.Contains("two jobs: 2", await TerminalTests.RunAsync(qemu, "sleep 200 & sleep 201 & echo two jobs\"\": $(jobs -p | grep -c .)"));
        Assert.Contains("none left: 0", await TerminalTests.RunAsync(qemu, "kill %1 %2; wait; echo none left\"\": $(jobs -p | grep -c .)"));
        return 0;
    });
}
