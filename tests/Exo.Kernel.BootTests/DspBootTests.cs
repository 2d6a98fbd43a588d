using System.Text.RegularExpressions;
using Exo.Testing;
using static Exo.Kernel.BootTests.AudioRecording;

namespace Exo.Kernel.BootTests;

/// <summary>
/// /dev/dsp through POSIX-X (OSS) and `play`, in one boot with QEMU's intel-hda recording into a wav file under -icount
/// (sleep=off), as AudioBootTests. The guest runs userland/rootfs/tests/dsp.sh as its console's program (init=dsp_test.conf):
/// dsp_check checks the ioctls' answers, their errors for bad values and back-pressure
/// (with silence, which the recording does not show); play refuses each malformed WAV file with its message and status 1;
/// then play plays the 48 kHz stereo sine, the 44.1 kHz mono one (resampled by the service) and the
/// WAVE_FORMAT_EXTENSIBLE one, and the host checks them in the recording: length, level, frequency, and for the 48 kHz
/// 1 kHz ones the phase from block to block (no sample dropped or repeated between write(2) and the device).
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class DspBootTests
{
    private const string Sounds = "/usr/share/sounds/exo";
    private readonly ITestOutputHelper _output;

    public DspBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Play_and_the_OSS_ioctls_work_through_dev_dsp(int processors)
    {
        string wav = Path.Combine(Path.GetTempPath(), $"exo-dsp-{Guid.NewGuid():N}.wav");
        string[] arguments =
        {
            "-icount", "shift=3,sleep=off",
            "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
            "-audiodev", $"wav,id=snd0,path={wav},out.frequency=48000,out.channels=2,out.format=s16",
        };
        try
        {
            await using (var qemu = QemuRunner.Start(Boot.Kernel("init=dsp_test.conf", "q35", "256M")
                with { Smp = processors, Timeout = TimeSpan.FromMinutes(10), ExtraArgs = arguments }))
            {
                try
                {
                    await qemu.WaitForAsync(new Regex(@"dsp-test: done\r?\n", RegexOptions.CultureInvariant), TimeSpan.FromMinutes(8));
                    var lines = SerialText.SplitLines(qemu.Serial).Select(line => line.TrimEnd()).ToList();
                    foreach (string line in lines.Where(line => line.StartsWith("dsp_check: ", StringComparison.Ordinal) || line.StartsWith("play: ", StringComparison.Ordinal)))
                        _output.WriteLine(line);
                    Assert.DoesNotContain(lines, line => line.StartsWith("dsp_check: FAIL", StringComparison.Ordinal));
                    Assert.Contains("dsp_check: done, 0 failures", lines);
                    Assert.True(lines.Count(line => line.StartsWith("dsp_check: PASS", StringComparison.Ordinal)) >= 35, "too few dsp_check lines");
                    Assert.Contains("dsp-test: dsp_check status 0", lines);

                    foreach (var (name, message) in new[]
                    {
                        ("truncated-header", "truncated header: the fmt chunk runs past the end of the file"),
                        ("bad-chunk-size", "bad chunk size: the fmt chunk is too short"),
                        ("unsupported-8-bit", "unsupported sample size: 8 bits (only 16)"),
                        ("unsupported-22k", "unsupported rate: 22050 Hz (only 44100 or 48000)"),
                        ("unsupported-float", "unsupported format: format tag 0x0003 (only PCM)"),
                        ("data-past-end", "data chunk runs past the end of the file"),
                    })
                    {
                        Assert.Contains($"play: {Sounds}/{name}.wav: {message}", lines);
                        Assert.Contains($"dsp-test: {name} status 1", lines);
                    }
                    Assert.Contains("play: /nonexistent.wav: No such file or directory", lines);
                    Assert.Contains("dsp-test: nonexistent status 2", lines);
                    Assert.Contains($"play: {Sounds}/sine-1k-48k-stereo.wav: 96000 frames, 48000 Hz, 2 channels", lines);
                    Assert.Contains($"play: {Sounds}/sine-1k5-44k-mono.wav: 44100 frames, 44100 Hz, 1 channel", lines);
                    Assert.Contains($"play: {Sounds}/sine-1k-48k-extensible.wav: 24000 frames, 48000 Hz, 2 channels", lines);
                    foreach (string name in new[] { "sine-1k-48k-stereo", "sine-1k5-44k-mono", "sine-1k-48k-extensible" })
                        Assert.Contains($"dsp-test: {name} status 0", lines);
                }
                catch
                {
                    _output.WriteLine(qemu.Serial.Length > 6000 ? qemu.Serial[^6000..] : qemu.Serial);
                    throw;
                }
            }
            CheckRecording(File.ReadAllBytes(wav));
        }
        finally
        {
            File.Delete(wav);
        }
    }

    private void CheckRecording(byte[] file)
    {
        short[] left = Channel(file, 0), right = Channel(file, 1);
        List<(int Start, int End)> segments = Segments(left);
        foreach (var (start, end) in segments)
            _output.WriteLine($"segment {start / (double)Rate:F3} s to {end / (double)Rate:F3} s ({(end - start) / (double)Rate:F3} s)");
        Assert.True(segments.Count == 3, $"expected 3 segments (the three tones), found {segments.Count}");
        CheckSteadyTone(left, right, segments[0], 2.0, "sine-1k-48k-stereo.wav");
        var resampled = segments[1];
        ExpectLength(resampled, 1.0, "sine-1k5-44k-mono.wav");
        Assert.InRange(Amplitude(left, resampled.Start + Rate / 4, Rate / 2, 1500), HalfScale * 0.97, HalfScale * 1.03);
        Assert.InRange(Amplitude(right, resampled.Start + Rate / 4, Rate / 2, 1500), HalfScale * 0.97, HalfScale * 1.03);
        Assert.InRange(PeakFrequency(left, resampled.Start + Rate / 4, Rate / 2, 1300, 1700), 1490, 1510);
        CheckSteadyTone(left, right, segments[2], 0.5, "sine-1k-48k-extensible.wav");
    }
}
