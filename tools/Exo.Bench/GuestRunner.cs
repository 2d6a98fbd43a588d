using System.Diagnostics;

namespace Exo.Bench;

/// <summary>How one guest run ended.</summary>
public sealed record GuestRun(
    string Label,
    bool Started,
    int? ExitCode,
    bool TimedOut,
    double WallSeconds,
    string SerialLog,
    string Transcript,
    string Stderr,
    string? StartError,
    bool FromLog = false)
{
    public BenchReport Report => BenchParser.Parse(Transcript);

    /// <summary>The guest printed EXO-BENCH-DONE but did not exit by itself; it was stopped.</summary>
    public bool KilledAfterDone { get; init; }

    /// <summary>Short status for the results header and messages.</summary>
    public string Status =>
        !Started ? "not run" + (StartError != null ? ": " + StartError : "")
        : FromLog ? "from " + SerialLog
        : TimedOut ? "timed out"
        : KilledAfterDone ? "stopped after EXO-BENCH-DONE (did not exit)"
        : $"exit {ExitCode}";
}

/// <summary>Runs one QEMU guest with its serial port on a file, under a wall-clock limit.</summary>
public static class GuestRunner
{
    /// <summary>How long a guest may keep running after it printed EXO-BENCH-DONE.</summary>
    public static TimeSpan DoneGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs the guest until it exits, 'timeoutSeconds' pass, or 'doneGrace' (default <see cref="DoneGrace"/>) after it
    /// printed EXO-BENCH-DONE (zero: a guest that has nothing left to do once it printed it, as the boot.to_shell boots,
    /// whose shell would wait for input).
    /// </summary>
    public static async Task<GuestRun> RunAsync(string label, string qemu, IReadOnlyList<string> args,
        string serialLog, int timeoutSeconds, CancellationToken cancel, TimeSpan? doneGrace = null)
    {
        var grace = doneGrace ?? DoneGrace;
        File.Delete(serialLog);
        var psi = new ProcessStartInfo(qemu)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);

        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (Exception e)
        {
            return new GuestRun(label, false, null, false, 0, serialLog, "", "", $"cannot start {qemu}: {e.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            bool timedOut = false, killedAfterDone = false;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            limit.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
            var exited = process.WaitForExitAsync(limit.Token);
            // A guest that printed EXO-BENCH-DONE but does not power off is stopped after a grace period.
            TimeSpan? doneAt = null;
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(500, CancellationToken.None));
                if (exited.IsCompleted || doneAt != null && clock.Elapsed - doneAt >= grace)
                    break;
                if (doneAt == null && File.Exists(serialLog) && BenchParser.Parse(ReadShared(serialLog)).Done)
                    doneAt = clock.Elapsed;
            }
            if (!exited.IsCompleted)
            {
                killedAfterDone = true;
            }
            else
            {
                try { await exited; }
                catch (OperationCanceledException) { timedOut = !cancel.IsCancellationRequested; }
            }
            if (!process.HasExited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None);
            }
            clock.Stop();
            var errText = (await stderr).Trim();
            var outText = (await stdout).Trim();
            var transcript = File.Exists(serialLog) ? ReadShared(serialLog) : "";
            return new GuestRun(label, true, timedOut || killedAfterDone ? null : process.ExitCode, timedOut,
                clock.Elapsed.TotalSeconds, serialLog, transcript,
                string.Join("\n", new[] { outText, errText }.Where(s => s.Length > 0)), null)
            {
                KilledAfterDone = killedAfterDone,
            };
        }
    }

    static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>First line of <c>qemu --version</c> after "version ", e.g. "7.2.22 (Debian 1:7.2+dfsg-7)".</summary>
    public static string QemuVersion(string qemu)
    {
        try
        {
            var psi = new ProcessStartInfo(qemu, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var first = text.Split('\n')[0].Trim();
            int at = first.IndexOf("version ", StringComparison.Ordinal);
            return at >= 0 ? first[(at + "version ".Length)..] : first;
        }
        catch (Exception e)
        {
            return "unknown (" + e.Message + ")";
        }
    }
}
