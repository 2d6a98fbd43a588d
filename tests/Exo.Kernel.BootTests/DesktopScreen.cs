using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>What the desktop's boot tests share: screendumps kept in out/test-results/screenshots, taken until a condition holds, and tablet positions.</summary>
internal static class DesktopScreen
{
    public const int Width = 1024, Height = 768;
    private const int AttemptDelayMilliseconds = 500;

    public static string Screenshot(string name)
    {
        string directory = Path.Combine(ExoPaths.FindRepoRoot(), "out", "test-results", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".ppm");
    }

    /// <summary>Screendumps until 'ready' holds (the compositor composes after the client's report), at most 'attempts' times 0.5 s; the last one, with a PNG copy.</summary>
    public static async Task<PpmImage> WaitForAsync(QmpClient qmp, string path, Func<PpmImage, bool> ready, int attempts)
    {
        PpmImage image = null!;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            await qmp.ScreenDumpAsync(path);
            image = PpmImage.Load(path);
            if (ready(image))
                break;
            await Task.Delay(AttemptDelayMilliseconds);
        }
        image.SavePng(Path.ChangeExtension(path, ".png"));
        return image;
    }

    /// <summary>The tablet's absolute position for screen pixel (x, y) (0..32767 over the screen; rounded up so that the compositor's scaling gives x, y back).</summary>
    public static Task PointAtAsync(QmpClient qmp, int x, int y)
        => qmp.PointAtAsync((x * 32768 + Width - 1) / Width, (y * 32768 + Height - 1) / Height);
}
