using System.Diagnostics;
using Exo.Bench;

/// <summary>The runner against shell scripts that stand in for QEMU (they write the "serial" file).</summary>
public class GuestRunnerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("exo-bench-tests").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string FakeQemu(string body)
    {
        var path = Path.Combine(dir, "fake-qemu.sh");
        File.WriteAllText(path, "#!/bin/sh\n# $1 = serial log\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public async Task CollectsTheTranscriptAndExitCode()
    {
        var log = Path.Combine(dir, "serial.log");
        var qemu = FakeQemu("printf 'EXO-BENCH a median=1 min=1 iterations=1 unit=instructions\\nEXO-BENCH-DONE\\n' > \"$1\"; exit 1");
        var run = await GuestRunner.RunAsync("exo", qemu, new[] { log }, log, 30, CancellationToken.None);
        Assert.True(run.Started);
        Assert.Equal(1, run.ExitCode);
        Assert.False(run.TimedOut);
        Assert.True(run.Report.Done);
        Assert.Single(run.Report.Results);
    }

    [Fact]
    public async Task KillsAHungGuestAtItsTimeout()
    {
        var log = Path.Combine(dir, "serial.log");
        var qemu = FakeQemu("echo booting > \"$1\"; exec sleep 60");
        var clock = Stopwatch.StartNew();
        var run = await GuestRunner.RunAsync("exo", qemu, new[] { log }, log, 1, CancellationToken.None);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
        Assert.True(run.TimedOut);
        Assert.Null(run.ExitCode);
        Assert.Empty(run.Report.Results);
        Assert.Equal("timed out", run.Status);
    }

    [Fact]
    public async Task StopsAGuestThatIsDoneButDoesNotExit()
    {
        var log = Path.Combine(dir, "serial.log");
        var qemu = FakeQemu("printf 'EXO-BENCH-DONE\\n' > \"$1\"; exec sleep 60");
        var saved = GuestRunner.DoneGrace;
        GuestRunner.DoneGrace = TimeSpan.FromSeconds(1);
        try
        {
            var run = await GuestRunner.RunAsync("linux", qemu, new[] { log }, log, 50, CancellationToken.None);
            Assert.False(run.TimedOut);
            Assert.True(run.KilledAfterDone);
            Assert.True(run.Report.Done);
            Assert.True(run.WallSeconds < 20);
        }
        finally
        {
            GuestRunner.DoneGrace = saved;
        }
    }

    [Fact]
    public async Task AGuestWithNoGraceIsStoppedAtDone()
    {
        var log = Path.Combine(dir, "serial.log");
        var qemu = FakeQemu("printf 'EXO-BENCH boot.to_shell median=5 min=5 iterations=1 unit=instructions\\nEXO-BENCH-DONE\\n' > \"$1\"; exec sleep 60");
        var run = await GuestRunner.RunAsync("exo_shell", qemu, new[] { log }, log, 50, CancellationToken.None, TimeSpan.Zero);
        Assert.True(run.KilledAfterDone);
        Assert.Equal(5UL, run.Report.Find("boot.to_shell")!.Median);
        Assert.True(run.WallSeconds < 10);
    }

    [Fact]
    public async Task AMissingEmulatorIsReportedNotThrown()
    {
        var run = await GuestRunner.RunAsync("exo", Path.Combine(dir, "no-such-qemu"), Array.Empty<string>(),
            Path.Combine(dir, "serial.log"), 5, CancellationToken.None);
        Assert.False(run.Started);
        Assert.NotNull(run.StartError);
    }
}
