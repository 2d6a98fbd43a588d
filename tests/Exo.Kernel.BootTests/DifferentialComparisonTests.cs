namespace Exo.Kernel.BootTests;

/// <summary>The differential harness's own logic, on made-up transcripts (no guest booted).</summary>
public sealed class DifferentialComparisonTests
{
    private static ExoOsRun Run(params string[] lines) =>
        ExoOsProgramRunner.Parse("p", "run p", "run p\r\n" + string.Concat(lines.Select(l => l + "\r\n")), TimeSpan.Zero, null, 1);

    [Fact]
    public void The_shell_transcript_splits_into_program_lines_kernel_notes_and_the_ending()
    {
        var run = Run("one: yes", "posix_x: not implemented yet: rseq (334)", "two: ENOENT", "process 7 exited with status 0");
        Assert.Equal(new[] { "one: yes", "two: ENOENT" }, run.Lines);
        Assert.Equal(new[] { "posix_x: not implemented yet: rseq (334)" }, run.KernelNotes);
        Assert.Equal(0, run.ExitStatus);
        Assert.True(run.ExitedWithZero);
        Assert.Equal("process 7 exited with status 0", run.Ending);
    }

    [Fact]
    public void A_fault_or_a_missing_status_line_is_no_exit_status()
    {
        var faulted = Run("one: yes", "process 3 ended by page fault");
        Assert.Null(faulted.ExitStatus);
        Assert.Equal("process 3 ended by page fault", faulted.Ending);
        var hung = ExoOsProgramRunner.Parse("p", "run p", "run p\r\none: yes\r\n", TimeSpan.Zero, "hung: no prompt within 120 s", 1);
        Assert.Equal(new[] { "one: yes" }, hung.Lines);
        Assert.Null(hung.ExitStatus);
        Assert.StartsWith("hung", hung.Ending);
    }

    [Fact]
    public void The_same_lines_and_status_0_pass()
    {
        Assert.Null(PosixDifferentialTests.Compare("p", new[] { "a", "b" }, Run("a", "b", "process 1 exited with status 0")));
    }

    [Fact]
    public void The_first_difference_is_shown_with_its_context_and_both_sides()
    {
        var linux = new[] { "l1", "l2", "l3", "l4", "l5: ok", "l6" };
        var message = PosixDifferentialTests.Compare("p", linux, Run("l1", "l2", "l3", "l4", "l5: ENOSYS", "l6", "process 1 exited with status 0"))!;
        Assert.Contains("at line 5", message);
        Assert.Contains("       2  l2", message);
        Assert.Contains("  -    5  l5: ok    (Linux)", message);
        Assert.Contains("  +    5  l5: ENOSYS    (Exo-OS)", message);
        Assert.DoesNotContain("l1", message);
    }

    [Fact]
    public void Missing_lines_and_a_bad_ending_are_differences()
    {
        var shorter = PosixDifferentialTests.Compare("p", new[] { "a", "b" }, Run("a", "process 1 ended by page fault"))!;
        Assert.Contains("(Exo-OS printed nothing more)", shorter);
        Assert.Contains("ended by page fault", shorter);
        var status = PosixDifferentialTests.Compare("p", new[] { "a" }, Run("a", "process 1 exited with status 3"))!;
        Assert.Contains("exit 0 expected", status);
        Assert.Equal(-1, PosixDifferentialTests.FirstDifference(new[] { "a" }, new[] { "a" }));
        Assert.Equal(1, PosixDifferentialTests.FirstDifference(new[] { "a", "b" }, new[] { "a" }));
    }
}
