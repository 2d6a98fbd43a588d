using Exo.Testing;
using static Exo.Kernel.BootTests.AudioRecording;

namespace Exo.Kernel.BootTests;

/// <summary>
/// Normal boots with QEMU's intel-hda and hda-duplex recording into a wav file (-audiodev wav): the device manager starts
/// intel_hda and the audio service, and audio_test (userland/config/audio_test.conf) plays its segments a second apart
/// through `tone` clients. QEMU runs under -icount (sleep=off): its HDA model and the wav back end move on the virtual
/// clock, so the recording follows guest time and a loaded host cannot starve the guest out of real time. The host finds
/// the segments in the recording and checks each: frequency, level, duration, and for the steady 1 kHz ones the phase of
/// every 10 ms block (480 samples, exactly ten cycles: a dropped or repeated sample turns it by 2 pi / 48); the sweep's
/// frequency at its start, middle and end; both peaks of two mixed clients; the 44.1 kHz float mono client resampled; the
/// silence a stalled client leaves; the 5 ms-queue client alone and beside a CPU hog (a spinning process) and the IPC load test (ipc_load's four calling
/// processes: the direct hand-off's starvation of the mixer, docs/audio.md). Then the driver, and later the service, are killed under a long stream: the stream
/// ends with an error, the manager starts the program again, and a new stream plays.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class AudioBootTests
{
    private const int Rate = AudioRecording.Rate;
    private const double HalfScale = AudioRecording.HalfScale;
    private readonly ITestOutputHelper _output;

    public AudioBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Tones_mixes_and_restarts_play_right_in_the_recording(int processors)
    {
        string wav = Path.Combine(Path.GetTempPath(), $"exo-audio-{Guid.NewGuid():N}.wav");
        string[] arguments =
        {
            "-icount", "shift=3,sleep=off",
            "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
            "-audiodev", $"wav,id=snd0,path={wav},out.frequency=48000,out.channels=2,out.format=s16",
        };
        string serialLog = "";
        try
        {
            await using (var qemu = QemuRunner.Start(Boot.Kernel("init=audio_test.conf", "q35", "256M")
                with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = arguments }))
            {
                try
                {
                await qemu.WaitForAsync(ConsoleGuest.Prompt, Boot.Timeout);
                await ConsoleCommands.WaitForTextAsync(qemu, 0, "audio_test: long stream 1 started");
                string serial = qemu.Serial;
                Assert.Contains("devices: 00:03.0 8086:2668 class 040300", serial, StringComparison.Ordinal);
                Assert.Contains("intel_hda: codec 0, DAC 2 to pin 3, capture from pin 5 by ADC 4, 48 kHz 16-bit stereo", serial, StringComparison.Ordinal);
                // The controller's plain MSI, programmed by the kernel, wakes the driver (no 100 ms poll).
                Assert.Matches(@"intel_hda: MSI vector \d+\r?\n", serial);
                Assert.Contains("intel_hda: 64 message interrupts taken", serial, StringComparison.Ordinal);
                Assert.Contains("audio_test: PASS stalling client", serial, StringComparison.Ordinal);
                Assert.Contains("audio_test: PASS bad values: rate 22050 refused: invalid argument", serial, StringComparison.Ordinal);
                Assert.Contains("audio_test: PASS bad values: 3 channels refused: invalid argument", serial, StringComparison.Ordinal);
                Assert.Contains("audio_test: PASS bad values: format 7 refused: invalid argument", serial, StringComparison.Ordinal);
                Assert.Contains("audio_test: PASS bad values: master volume 300% refused", serial, StringComparison.Ordinal);
                // The plain segments: no underrun; back-pressure paced every tone to its length (2 s within 5%).
                foreach (string segment in new[] { "1 kHz", "sweep", "two tones" })
                    Assert.Contains($"audio_test: segment {segment}: service: underruns 0,", serial, StringComparison.Ordinal);
                Assert.Matches(@"tone: played 96000 frames in (19\d\d|20\d\d) ms", serial);
                foreach (string line in serial.Split('\n').Where(line => line.Contains("audio_test: bench", StringComparison.Ordinal)))
                    _output.WriteLine(line.TrimEnd());
                Assert.Matches(@"audio_test: bench: audio\.latency_p50 \d+ us, audio\.latency_p99 \d+ us, audio\.underruns 0,", serial);
                // Beside the load the figures are checked at 1 processor only; at 2 they are printed (docs/audio.md, known
                // problems: one virtual processor at a time under -icount turns a spin across processors into stalls of
                // up to tens of milliseconds).
                Assert.Matches(@"audio_test: bench under a CPU hog and the IPC load: audio\.latency_p50 \d+ us, audio\.latency_p99 \d+ us, "
                    + (processors == 1 ? @"audio\.underruns 0," : @"audio\.underruns \d+,"), serial);
                if (processors == 1)
                {
                    // The mixer is time-critical: beside the load it wakes within the tick's phase (1 ms) plus a little; a
                    // normal-class mixer waited for a hog's or a call chain's slice, up to 4.9 ms (docs/audio.md).
                    var lateness = System.Text.RegularExpressions.Regex.Match(serial,
                        @"audio_test: bench under a CPU hog and the IPC load: .*wake-up lateness p99 \d+ us, max (\d+) us");
                    Assert.True(lateness.Success && int.Parse(lateness.Groups[1].Value) < 2000,
                        $"the mixer woke up to {lateness.Groups[1].Value} us late beside the load (2,000 allowed)");
                }

                // The driver killed mid-stream: the stream ends with an error, a new driver comes, a new stream plays.
                int since = qemu.Serial.Length;
                await ConsoleCommands.KillFromMonitorAsync(qemu, "intel_hda");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "audio_test: PASS long stream 1 ended: peer gone");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "audio_test: long stream 2 started");
                string report = qemu.Serial[since..];
                Assert.Contains("devices: an intel_hda driver ended with status", report, StringComparison.Ordinal);
                Assert.Contains("devices: restarting intel_hda for audio0 (restart 1 of 3)", report, StringComparison.Ordinal);
                Assert.Contains("audio: the driver is gone: every stream ended with an error", report, StringComparison.Ordinal);
                Assert.Contains("audio_test: segment after the driver's restart: service: ", report, StringComparison.Ordinal);
                // The killed driver's end released its MSI (vector back, MSI off), so the new driver bound it again.
                Assert.Matches(@"intel_hda: MSI vector \d+\r?\n", report);

                // The service killed mid-stream: the client sees no progress and ends with an error; a new service plays.
                since = qemu.Serial.Length;
                await ConsoleCommands.KillFromMonitorAsync(qemu, "audio");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "audio_test: PASS long stream 2 ended: peer gone");
                await ConsoleCommands.WaitForTextAsync(qemu, since, "audio_test: done");
                report = qemu.Serial[since..];
                Assert.Contains("devices: the audio service was killed", report, StringComparison.Ordinal);
                Assert.Contains("devices: restarting the audio service for audio0 (restart 2 of 3)", report, StringComparison.Ordinal);
                Assert.DoesNotContain("audio_test: FAIL", qemu.Serial, StringComparison.Ordinal);
                Assert.DoesNotContain("tone: the stream ended", qemu.Serial, StringComparison.Ordinal);
                Assert.DoesNotContain("intel_hda: no message interrupt", qemu.Serial, StringComparison.Ordinal);
                // The new driver's messages arrive too (it runs the streams from its start, with or without clients).
                Assert.Equal(2, CountOf(qemu.Serial, "intel_hda: 64 message interrupts taken"));
                serialLog = qemu.Serial;
                }
                catch
                {
                    _output.WriteLine(qemu.Serial.Length > 6000 ? qemu.Serial[^6000..] : qemu.Serial);
                    throw;
                }
            }
            CheckRecording(File.ReadAllBytes(wav), serialLog, processors);
        }
        finally
        {
            File.Delete(wav);
        }
    }

    private static int CountOf(string text, string line)
    {
        int count = 0;
        for (int at = text.IndexOf(line, StringComparison.Ordinal); at >= 0; at = text.IndexOf(line, at + line.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private void CheckRecording(byte[] file, string serial, int processors)
    {
        try
        {
            CheckSegments(file, processors);
        }
        catch
        {
            _output.WriteLine(serial.Length > 8000 ? serial[^8000..] : serial);
            throw;
        }
    }

    private void CheckSegments(byte[] file, int processors)
    {
        short[] left = Channel(file, 0), right = Channel(file, 1);
        List<(int Start, int End)> segments = Segments(left);
        foreach (var (start, end) in segments)
            _output.WriteLine($"segment {start / (double)Rate:F3} s to {end / (double)Rate:F3} s ({(end - start) / (double)Rate:F3} s)");
        Assert.True(segments.Count >= 10, $"expected at least 10 segments, found {segments.Count}");
        int s = 0;
        CheckSteadyTone(left, right, segments[s++], 2.0, "1 kHz");
        CheckSweep(left, segments[s++]);
        var mixed = segments[s++];
        ExpectLength(mixed, 2.0, "two tones");
        Assert.InRange(Amplitude(left, mixed.Start + Rate / 2, Rate, 1000), HalfScale / 2 * 0.95, HalfScale / 2 * 1.05);
        Assert.InRange(Amplitude(left, mixed.Start + Rate / 2, Rate, 2500), HalfScale / 2 * 0.95, HalfScale / 2 * 1.05);
        Assert.InRange(Amplitude(left, mixed.Start + Rate / 2, Rate, 1750), 0, 100);
        var resampled = segments[s++];
        ExpectLength(resampled, 1.0, "44.1 kHz float mono");
        Assert.InRange(Amplitude(left, resampled.Start + Rate / 4, Rate / 2, 1500), HalfScale * 0.97, HalfScale * 1.03);
        Assert.InRange(Amplitude(right, resampled.Start + Rate / 4, Rate / 2, 1500), HalfScale * 0.97, HalfScale * 1.03);
        // The stalled client: two halves of 0.5 s with about 300 ms of silence between.
        var first = segments[s++];
        var second = segments[s++];
        ExpectLength(first, 0.5, "stalled client, first half");
        ExpectLength(second, 0.5, "stalled client, second half");
        Assert.InRange((second.Start - first.End) / (double)Rate, 0.28, 0.40);
        CheckSteadyTone(left, right, segments[s++], 3.0, "bench");
        // The segment beside the load: checked like the others at 1 processor; at 2 only found, and the pieces its gaps
        // may make are passed over.
        var loaded = segments[s++];
        if (processors == 1)
            CheckSteadyTone(left, right, loaded, 3.0, "bench under a CPU hog and the IPC load");
        else
            while (s < segments.Count && segments[s].Start < loaded.Start + Rate * 7 / 2)
                s++;   // its pieces (the next stream starts a second or more after its end)
        // The kills' edges are not exact in the recording: the device loops what its ring holds until the new program has
        // silenced it (docs/audio.md), and QEMU's codec restarts. So the new streams are found from the end: the last
        // segment ends with the 1 s stream after the service's restart, some segment before it with the 1 s stream after
        // the driver's restart (either may run on from the killed stream's last buffer).
        var tail = segments.Skip(s).ToList();
        Assert.True(tail.Count >= 2, $"expected the long streams and the new ones after them, found {tail.Count} segments");
        var last = tail[^1];
        Assert.True(last.End - last.Start >= Rate * 98 / 100, "the last segment is shorter than the stream after the service's restart");
        string? problem = SteadyToneProblem(left, right, (last.End - Rate, last.End), 10);
        Assert.True(problem == null, $"after the service's restart: {problem}");
        bool driverRestartPlayed = tail.Take(tail.Count - 1).Any(segment => segment.End - segment.Start >= Rate * 98 / 100
            && SteadyToneProblem(left, right, (segment.End - Rate, segment.End), 10) == null);
        Assert.True(driverRestartPlayed, "no steady 1 s of 1 kHz after the driver's restart");
    }

    private static void CheckSweep(short[] samples, (int Start, int End) segment)
    {
        ExpectLength(segment, 2.0, "sweep");
        // 200 Hz to 4 kHz linearly over 2 s: the frequency over a 20 ms window at 0.25 s, 1 s and 1.75 s.
        foreach (double at in new[] { 0.25, 1.0, 1.75 })
        {
            double expected = 200 + (4000 - 200) * at / 2.0;
            double found = PeakFrequency(samples, segment.Start + (int)(at * Rate) - 480, 960, expected - 200, expected + 200);
            Assert.InRange(found, expected - 30, expected + 30);
        }
    }
}
