using System.Globalization;
using System.Text.RegularExpressions;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Capture through /dev/dsp (OSS read) in one boot with QEMU's intel-hda and hda-duplex under -icount (sleep=off), so the
/// capture stream moves at guest time as the output does in AudioBootTests. QEMU's input back ends without a sound server
/// give silence (`none`: zeros at the stream's rate; `wav` has no input: the codec's input never moves), so this checks
/// what can be checked: counts, rates and errors, and that the data is QEMU's zeros. The guest runs
/// userland/rootfs/tests/capture.sh (init=capture_test.conf): `record check` (GETISPACE, SPEED's answer, EBUSY, EAGAIN,
/// an overrun by a reader that stops, SYNC, RESET, O_RDWR), `record 2 2` and `record 1 1` (the frame count in guest
/// time within 10 %), dd's 47 blocks, then a `record until-error` the host ends by killing the audio service (the read
/// fails with EIO; a recording of fixed length, 30 s once, could end first when the host was slow: idle guest time runs
/// ahead of the host's clock) and a new `record` after the restart. Meanwhile `audio_test capture` checks exo_std's AudioCapture as a task
/// (CaptureCheck: the count in guest time, an overrun counted), a second client beside the script's.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class CaptureBootTests
{
    private readonly ITestOutputHelper _output;

    public CaptureBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Record_reads_frames_at_the_rate_and_ends_with_the_service(int processors)
    {
        string[] arguments =
        {
            "-icount", "shift=3,sleep=off",
            "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
            "-audiodev", "none,id=snd0,out.frequency=48000,out.channels=2,out.format=s16,in.frequency=48000,in.channels=2,in.format=s16",
        };
        await using var qemu = QemuRunner.Start(Boot.Kernel("init=capture_test.conf", "q35", "256M")
            with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = arguments });
        string step = "the last recording's start";
        try
        {
            await qemu.WaitForAsync(new Regex(@"record: started, until a read fails, 2 channels\r?\n", RegexOptions.CultureInvariant), TimeSpan.FromMinutes(8));
            var lines = Lines(qemu.Serial);
            foreach (string line in lines.Where(line => line.StartsWith("record: ", StringComparison.Ordinal) || line.StartsWith("capture-test: ", StringComparison.Ordinal)))
                _output.WriteLine(line);
            Assert.DoesNotContain(lines, line => line.StartsWith("record: FAIL", StringComparison.Ordinal));
            Assert.Contains("record: done, 0 failures", lines);
            Assert.True(lines.Count(line => line.StartsWith("record: PASS", StringComparison.Ordinal)) >= 20, "too few record check lines");
            Assert.Contains("capture-test: check status 0", lines);
            // QEMU's `none` input is silence: zeros, nothing else.
            Assert.Contains("record: capture data: 0 nonzero samples of 96000, peak 0", lines);
            ExpectRecording(lines, 96000, 2.0);
            ExpectRecording(lines, 48000, 1.0);
            Assert.Contains("capture-test: stereo status 0", lines);
            Assert.Contains("capture-test: mono status 0", lines);
            Assert.Contains("47+0 records in", lines);
            Assert.Contains("capture-test: dd status 0 bytes 192512", lines);

            // exo_std's AudioCapture (audio_test capture, a task beside the script): bad values refused, 1 s of mono
            // frames in 1 s, an overrun counted.
            step = "audio_test's capture";
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "audio_test: capture done");
            lines = Lines(qemu.Serial);
            foreach (string line in lines.Where(line => line.StartsWith("audio_test: ", StringComparison.Ordinal)))
                _output.WriteLine(line);
            Assert.DoesNotContain(lines, line => line.StartsWith("audio_test: capture FAIL", StringComparison.Ordinal));
            Assert.Contains("audio_test: capture PASS rate 44100 refused: invalid argument", lines);
            Assert.Contains("audio_test: capture PASS 3 channels refused: invalid argument", lines);
            Assert.Contains(lines, line => Regex.IsMatch(line, @"^audio_test: capture PASS 48000 mono frames in \d+ ms, 0 nonzero$"));
            Assert.Contains(lines, line => line.StartsWith("audio_test: capture PASS overrun after 1 s unread: ", StringComparison.Ordinal));

            // The service killed mid-capture: the read fails with EIO; a new service captures again.
            step = "the kill from the monitor";
            int since = qemu.Serial.Length;
            await ConsoleCommands.KillFromMonitorAsync(qemu, "audio");
            step = "the script's end after the kill";
            await ConsoleCommands.WaitForTextAsync(qemu, since, "capture-test: done");
            step = "the lines after the kill";
            lines = Lines(qemu.Serial[since..]);
            foreach (string line in lines.Where(line => line.Contains("record: ", StringComparison.Ordinal) || line.Contains("capture-test: ", StringComparison.Ordinal)))
                _output.WriteLine(line);
            Assert.Contains(lines, line => Regex.IsMatch(line, @"record: read failed after \d+ frames: Input/output error$"));
            Assert.Contains("capture-test: killed status 1", lines);
            // Contains: the monitor's prompt, printed after the kill, may come first on that line.
            Assert.Contains(lines, line => line.Contains("devices: the audio service was killed", StringComparison.Ordinal));
            ExpectRecording(lines, 48000, 1.0);
            Assert.Contains("capture-test: after the restart status 0", lines);
        }
        catch (Exception failure)
        {
            _output.WriteLine(qemu.Serial.Length > 6000 ? qemu.Serial[^6000..] : qemu.Serial);
            // Which step and the serial's last lines in the message itself: CI keeps only the start of each error message.
            string tail = qemu.Serial.Length > 600 ? qemu.Serial[^600..] : qemu.Serial;
            throw new Xunit.Sdk.XunitException($"at {step}: {failure.Message}\nthe serial's last lines:\n{tail}");
        }
    }

    private static List<string> Lines(string serial) => SerialText.SplitLines(serial).Select(line => line.TrimEnd()).ToList();

    // "record: N frames in T ms, Z nonzero samples, peak P": N frames of zeros in 'seconds' of guest time within 10 %.
    private static void ExpectRecording(List<string> lines, int frames, double seconds)
    {
        var pattern = new Regex($@"record: {frames} frames in (\d+) ms, 0 nonzero samples, peak 0$", RegexOptions.CultureInvariant);
        string? line = lines.FirstOrDefault(line => pattern.IsMatch(line));
        Assert.True(line != null, $"no recording of {frames} frames of silence");
        double milliseconds = double.Parse(pattern.Match(line!).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(milliseconds, seconds * 900, seconds * 1100);
    }
}
