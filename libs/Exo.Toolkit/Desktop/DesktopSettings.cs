using System.Globalization;
using System.Text;
using Exo.Toolkit.Text;
using Exo.Toolkit.Theming;

namespace Exo.Toolkit.Desktop;

/// <summary>
/// The user's desktop settings as the Settings application keeps them: $XDG_CONFIG_HOME/exo/desktop.conf (~/.config by
/// default), one "name value" a line: `theme light|dark`, `background RRGGBB`, `display WIDTHxHEIGHT`, `keyboard us|de`.
/// Applications take their theme from it when they start (Theme); the compositor's settings are applied by the Settings
/// application through its requests. An unknown line or value is reported and skipped (the rest still counts).
/// </summary>
public sealed record DesktopSettings
{
    public const uint DefaultBackground = 0x305070;
    public static readonly string[] KeyboardLayouts = ["us", "de"];
    /// <summary>The modes Settings offers (the compositor takes any DesktopSettingRules allows).</summary>
    public static readonly (int Width, int Height)[] DisplayModes = [(1024, 768), (1280, 720), (1280, 800), (1280, 1024), (1600, 900), (1920, 1080)];
    private const int MaximumFileBytes = 64 * 1024;

    public bool Dark { get; init; }
    public uint Background { get; init; } = DefaultBackground;
    public int DisplayWidth { get; init; } = 1024;
    public int DisplayHeight { get; init; } = 768;
    /// <summary>An index into KeyboardLayouts (the input protocol's layout numbers).</summary>
    public int KeyboardLayout { get; init; }

    public static string DefaultPath
    {
        get
        {
            string? config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config))
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : "/", ".config");
            return Path.Combine(config, "exo", "desktop.conf");
        }
    }

    public Theme MakeTheme(FontSet fonts) => Dark ? Theme.Dark(fonts) : Theme.Light(fonts);

    /// <summary>The settings in 'text'; each problem told to 'problem' (its line number and why).</summary>
    public static DesktopSettings Parse(string text, Action<string>? problem = null)
    {
        var settings = new DesktopSettings();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int space = line.IndexOf(' ');
            string name = space < 0 ? line : line[..space], value = space < 0 ? "" : line[(space + 1)..].Trim();
            DesktopSettings? changed = name switch
            {
                "theme" when value is "light" or "dark" => settings with { Dark = value == "dark" },
                "background" when value.Length == 6 && uint.TryParse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint colour)
                    => settings with { Background = colour },
                "display" when ParseMode(value) is { } mode => settings with { DisplayWidth = mode.Width, DisplayHeight = mode.Height },
                "keyboard" when Array.IndexOf(KeyboardLayouts, value) is >= 0 and var layout => settings with { KeyboardLayout = layout },
                _ => null,
            };
            if (changed == null)
                problem?.Invoke($"line {number}: '{line}' is not a setting (theme light|dark, background RRGGBB, display WxH, keyboard us|de)");
            else
                settings = changed;
        }
        return settings;
    }

    private static (int Width, int Height)? ParseMode(string value)
    {
        int x = value.IndexOf('x');
        if (x <= 0 || !int.TryParse(value.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(value.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int height))
            return null;
        return Exo.Protocols.Compositor.DesktopSettingRules.IsDisplayMode(width, height) ? (width, height) : null;
    }

    public string Format()
    {
        var text = new StringBuilder("# The desktop's settings (written by Settings).\n");
        text.Append(CultureInfo.InvariantCulture, $"theme {(Dark ? "dark" : "light")}\n");
        text.Append(CultureInfo.InvariantCulture, $"background {Background:X6}\n");
        text.Append(CultureInfo.InvariantCulture, $"display {DisplayWidth}x{DisplayHeight}\n");
        text.Append(CultureInfo.InvariantCulture, $"keyboard {KeyboardLayouts[KeyboardLayout]}\n");
        return text.ToString();
    }

    /// <summary>The saved settings, or the defaults when there is no file (or it cannot be read: said to 'problem').</summary>
    public static DesktopSettings Load(string? path = null, Action<string>? problem = null)
    {
        path ??= DefaultPath;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return new DesktopSettings();
            if (info.Length > MaximumFileBytes)
            {
                problem?.Invoke($"{path}: larger than {MaximumFileBytes} bytes, not read");
                return new DesktopSettings();
            }
            return Parse(File.ReadAllText(path), line => problem?.Invoke($"{path}: {line}"));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            problem?.Invoke($"{path}: {error.Message}");
            return new DesktopSettings();
        }
    }

    /// <summary>Writes the file whole or not at all (a new file, then renamed over the old one); throws IOException.</summary>
    public void Save(string? path = null)
    {
        path ??= DefaultPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".new";
        File.WriteAllText(temporary, Format());
        File.Move(temporary, path, overwrite: true);
    }
}
