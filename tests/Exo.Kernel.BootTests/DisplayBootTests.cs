using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// The desktop's drivers through QEMU's own screen and input (init=display_test.conf, std-vga, PS/2 keyboard and mouse): the
/// device manager starts display_bochs, ps2_input and the test client display_demo. Input goes in through QMP (send-key,
/// input-send-event), the screen comes out through QMP's screendump (PPM, kept under out/test-results/screenshots), and the
/// assertions read pixel regions and the client's console reports of the keys: the pattern in 1024x768, keys in the US
/// layout with Shift, Caps Lock and a held key's repeat, the German layout after F2, the box following relative pointer motion, a click
/// recolouring it, the wheel, and F3 switching to 1920x1080 (the screendump's size) and back. With a virtio tablet
/// (-device virtio-tablet-pci): absolute positions and its buttons through virtio_input. And QEMU's bochs-display, and
/// GRUB's framebuffer as the fallback display.
/// </summary>
[Collection(MultiprocessorCollection.Name)]
public sealed class DisplayBootTests
{
    private const int Red = 0xFF0000, Green = 0x00FF00, Blue = 0x0000FF, White = 0xFFFFFF, Yellow = 0xFFFF00, Magenta = 0xFF00FF;
    private const int BoxHalf = 16;
    private readonly ITestOutputHelper _output;

    public DisplayBootTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task The_desktop_drivers_draw_read_keys_and_the_pointer_and_switch_modes(int processors)
    {
        string socket = Socket();
        await using var qemu = Start(processors, socket);
        try
        {
            await qemu.WaitForAsync("display_demo: drawn 1024x768 pitch 4096", Boot.Timeout);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "ps2_input: keyboard on, mouse with wheel, layout us");
            Assert.Contains("devices: started display_bochs display0 00:01.0 0 2", qemu.Serial, StringComparison.Ordinal);
            Assert.Matches(@"display_bochs: vbe 0xb0c[2-5], 16 MiB, mode 1024x768x32", qemu.Serial);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            string Shot(string name) => Screenshot($"display-{processors}cpu-{name}");

            // The pattern: four quadrants, the yellow box in the middle.
            var screen = await DumpAsync(qmp, Shot("1-pattern"));
            Assert.Equal((1024, 768), (screen.Width, screen.Height));
            ExpectQuadrants(screen);
            Assert.True(screen.IsFilled(512 - BoxHalf, 384 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow), "the pointer's box in the middle");

            // Keys in the US layout: plain, Shift, Caps Lock.
            await KeyAsync(qemu, qmp, new[] { "a" }, "key down 0x1e key 30 char 'a' U+0061 mods 0x0 layout us");
            await KeyAsync(qemu, qmp, new[] { "shift", "a" }, "key down 0x1e key 30 char 'A' U+0041 mods 0x1 layout us");
            await KeyAsync(qemu, qmp, new[] { "shift", "2" }, "key down 0x3 key 3 char '@' U+0040 mods 0x1 layout us");
            await KeyAsync(qemu, qmp, new[] { "caps_lock" }, "key up 0x3a key 58 mods 0x20 layout us");
            await KeyAsync(qemu, qmp, new[] { "b" }, "key down 0x30 key 48 char 'B' U+0042 mods 0x20 layout us");
            await KeyAsync(qemu, qmp, new[] { "1" }, "key down 0x2 key 2 char '1' U+0031 mods 0x20 layout us");
            await KeyAsync(qemu, qmp, new[] { "caps_lock" }, "key up 0x3a key 58 mods 0x0 layout us");
            await KeyAsync(qemu, qmp, new[] { "y" }, "key down 0x15 key 21 char 'y' U+0079 mods 0x0 layout us");
            await KeyAsync(qemu, qmp, new[] { "up" }, "key down 0xe048 key 103 mods 0x0 layout us");
            // A key held with the host repeating it: a second make code before the break is a repeat.
            await ActAsync(qemu, () => qmp.SetKeyAsync("c", true), "key down 0x2e key 46 char 'c' U+0063 mods 0x0 layout us");
            await ActAsync(qemu, () => qmp.SetKeyAsync("c", true), "key repeat 0x2e key 46 char 'c' U+0063 mods 0x0 layout us");
            await ActAsync(qemu, () => qmp.SetKeyAsync("c", false), "key up 0x2e key 46 mods 0x0 layout us");

            // F2: the German layout (QWERTZ, umlauts, its own shifted digits).
            await KeyAsync(qemu, qmp, new[] { "f2" }, "display_demo: layout de");
            await KeyAsync(qemu, qmp, new[] { "y" }, "key down 0x15 key 21 char 'z' U+007A mods 0x0 layout de");
            await KeyAsync(qemu, qmp, new[] { "z" }, "key down 0x2c key 44 char 'y' U+0079 mods 0x0 layout de");
            await KeyAsync(qemu, qmp, new[] { "semicolon" }, "key down 0x27 key 39 U+00F6 mods 0x0 layout de");
            await KeyAsync(qemu, qmp, new[] { "shift", "2" }, "key down 0x3 key 3 char '\"' U+0022 mods 0x1 layout de");
            await KeyAsync(qemu, qmp, new[] { "f2" }, "display_demo: layout us");

            // The pointer: relative motion moves the box, a click turns it magenta, the wheel is reported.
            await ActAsync(qemu, () => qmp.MovePointerAsync(100, 50), "display_demo: pointer 612,434 clicks 0");
            screen = await DumpAsync(qmp, Shot("2-moved"));
            Assert.True(screen.IsFilled(612 - BoxHalf, 434 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow), "the box moved with the pointer");
            Assert.Equal(0, screen.Count(512 - BoxHalf, 384 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow));
            await ActAsync(qemu, () => qmp.ClickAsync("left"), "display_demo: pointer 612,434 clicks 1");
            Assert.Contains("display_demo: buttons 1", qemu.Serial, StringComparison.Ordinal);
            screen = await DumpAsync(qmp, Shot("3-clicked"));
            Assert.True(screen.IsFilled(612 - BoxHalf, 434 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Magenta), "a click recolours the box");
            await ActAsync(qemu, () => qmp.ClickAsync("wheel-down"), "display_demo: wheel 1");
            await ActAsync(qemu, () => qmp.ClickAsync("wheel-up"), "display_demo: wheel -1");

            // F3: 1920x1080, then back to 1024x768.
            await KeyAsync(qemu, qmp, new[] { "f3" }, "display_demo: drawn 1920x1080 pitch 7680");
            screen = await DumpAsync(qmp, Shot("4-1920x1080"));
            Assert.Equal((1920, 1080), (screen.Width, screen.Height));
            ExpectQuadrants(screen);
            Assert.Contains("display_bochs: mode 1920x1080x32", qemu.Serial, StringComparison.Ordinal);
            await KeyAsync(qemu, qmp, new[] { "f3" }, "display_demo: drawn 1024x768 pitch 4096");
            screen = await DumpAsync(qmp, Shot("5-back"));
            Assert.Equal((1024, 768), (screen.Width, screen.Height));
            ExpectQuadrants(screen);
            Assert.DoesNotContain("display_demo: mode refused", qemu.Serial, StringComparison.Ordinal);
        }
        finally
        {
            Boot.LogSerial(_output, qemu.Serial);
            File.Delete(socket);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_virtio_tablet_points_absolutely(int processors)
    {
        string socket = Socket();
        await using var qemu = Start(processors, socket, "-device", "virtio-tablet-pci");
        try
        {
            await qemu.WaitForAsync("display_demo: tablet attached", Boot.Timeout);
            await ConsoleCommands.WaitForTextAsync(qemu, 0, "display_demo: drawn 1024x768 pitch 4096");
            Assert.Contains("virtio_input: tablet0 ready", qemu.Serial, StringComparison.Ordinal);
            Assert.Matches(@"devices: started virtio_input tablet0 00:0\d\.0 ", qemu.Serial);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            // (16384, 8192) of 32768: the middle of the top half.
            await ActAsync(qemu, () => qmp.PointAtAsync(16384, 8192), "display_demo: pointer 512,192 clicks 0");
            var screen = await DumpAsync(qmp, Screenshot($"tablet-{processors}cpu-1-pointed"));
            Assert.True(screen.IsFilled(512 - BoxHalf, 192 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow), "the box where the tablet points");
            await ActAsync(qemu, () => qmp.ClickAsync("left"), "display_demo: pointer 512,192 clicks 1");
            await ActAsync(qemu, () => qmp.PointAtAsync(8192, 24576), "display_demo: pointer 256,576 clicks 1");
            screen = await DumpAsync(qmp, Screenshot($"tablet-{processors}cpu-2-clicked-and-moved"));
            Assert.True(screen.IsFilled(256 - BoxHalf, 576 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Magenta), "the clicked box moved");
            Assert.Equal(0, screen.Count(512 - BoxHalf, 192 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow));   // the old place redrawn
            Assert.True(screen.IsFilled(512 - BoxHalf, 192 - BoxHalf, BoxHalf, 2 * BoxHalf, Red), "the old place redrawn red left of the middle");
            Assert.True(screen.IsFilled(512, 192 - BoxHalf, BoxHalf, 2 * BoxHalf, Green), "and green right of it");
        }
        finally
        {
            Boot.LogSerial(_output, qemu.Serial);
            File.Delete(socket);
        }
    }

    /// <summary>QEMU's bochs-display (class 0380, the VBE registers without the VGA): the same driver, no VGA ports touched.</summary>
    [Fact]
    public async Task The_driver_also_drives_bochs_display()
    {
        string socket = Socket();
        await using var qemu = QemuRunner.Start(Boot.Kernel("init=display_test.conf") with
        {
            Timeout = TimeSpan.FromMinutes(5),
            ExtraArgs = new[] { "-vga", "none", "-device", "bochs-display", "-qmp", $"unix:{socket},server=on,wait=off" },
        });
        try
        {
            await qemu.WaitForAsync("display_demo: drawn 1024x768 pitch 4096", Boot.Timeout);
            Assert.Matches(@"devices: 00:0\d\.0 1234:1111 class 038000", qemu.Serial);
            await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
            var screen = await DumpAsync(qmp, Screenshot("bochs-display-1-pattern"));
            Assert.Equal((1024, 768), (screen.Width, screen.Height));
            ExpectQuadrants(screen);
            await KeyAsync(qemu, qmp, new[] { "f3" }, "display_demo: drawn 1920x1080 pitch 7680");
            screen = await DumpAsync(qmp, Screenshot("bochs-display-2-1920x1080"));
            Assert.Equal((1920, 1080), (screen.Width, screen.Height));
            ExpectQuadrants(screen);
        }
        finally
        {
            Boot.LogSerial(_output, qemu.Serial);
            File.Delete(socket);
        }
    }

    /// <summary>
    /// The fallback: GRUB's framebuffer (multiboot2, the 1024x768x32 the kernel's header asks for) as the display, through
    /// display_framebuffer, on an ISO made here with init=desktop_framebuffer.conf (whose device manager prefers the boot
    /// framebuffer to the std-vga that is there). Its one mode stays: F3's request is refused.
    /// </summary>
    [Fact]
    public async Task The_boot_framebuffer_is_the_fallback_display()
    {
        string work = Path.Combine(Path.GetTempPath(), $"exo-desktop-iso-{Guid.NewGuid():N}");
        string socket = Socket();
        try
        {
            string iso = MakeIso(work, "init=desktop_framebuffer.conf");
            await using var qemu = QemuRunner.Start(QemuOptions.ForIso(iso) with
            {
                Timeout = TimeSpan.FromMinutes(5),
                ExtraArgs = new[] { "-vga", "std", "-qmp", $"unix:{socket},server=on,wait=off" },
            });
            try
            {
                await qemu.WaitForAsync("display_demo: drawn 1024x768 pitch 4096", Boot.Timeout);
                Assert.Contains("display_framebuffer: boot framebuffer 1024x768x32, pitch 4096", qemu.Serial, StringComparison.Ordinal);
                Assert.DoesNotContain("display_bochs", qemu.Serial, StringComparison.Ordinal);
                await using var qmp = await QmpClient.ConnectAsync(socket, TimeSpan.FromSeconds(30));
                var screen = await DumpAsync(qmp, Screenshot("boot-framebuffer-1-pattern"));
                Assert.Equal((1024, 768), (screen.Width, screen.Height));
                ExpectQuadrants(screen);
                Assert.True(screen.IsFilled(512 - BoxHalf, 384 - BoxHalf, 2 * BoxHalf, 2 * BoxHalf, Yellow), "the pointer's box in the middle");
                await KeyAsync(qemu, qmp, new[] { "a" }, "key down 0x1e key 30 char 'a' U+0061 mods 0x0 layout us");
                await KeyAsync(qemu, qmp, new[] { "f3" }, "display_demo: mode refused");
            }
            finally
            {
                Boot.LogSerial(_output, qemu.Serial);
            }
        }
        finally
        {
            File.Delete(socket);
            if (Directory.Exists(work))
                Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A GRUB ISO in 'work' booting out/exo.elf with 'commandLine' and the initial RAM disk (grub-mkrescue, as make iso).</summary>
    private static string MakeIso(string work, string commandLine)
    {
        string boot = Path.Combine(work, "tree", "boot");
        Directory.CreateDirectory(Path.Combine(boot, "grub"));
        string root = ExoPaths.FindRepoRoot();
        File.Copy(Path.Combine(root, "out", "exo.elf"), Path.Combine(boot, "exo.elf"));
        File.Copy(ExoPaths.InitialRamDisk ?? throw new InvalidOperationException("no initial RAM disk: make build"), Path.Combine(boot, "initrd.cpio"));
        File.WriteAllText(Path.Combine(boot, "grub", "grub.cfg"), string.Join("\n",
            "set timeout=0", "set default=0", "serial --unit=0 --speed=115200", "terminal_input serial console", "terminal_output serial console",
            "insmod all_video", "menuentry \"Exo-OS desktop\" {", $"    multiboot2 /boot/exo.elf {commandLine}", "    module2 /boot/initrd.cpio initrd",
            "    boot", "}", ""));
        string iso = Path.Combine(work, "desktop.iso");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("grub-mkrescue", new[] { "-o", iso, Path.Combine(work, "tree") })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"grub-mkrescue failed: {errors}");
        return iso;
    }

    private static string Socket() => Path.Combine(Path.GetTempPath(), $"exo-qmp-{Guid.NewGuid():N}.sock");

    /// <summary>Boots init=display_test.conf with std-vga, a QMP socket at 'socket' and 'extra' arguments.</summary>
    private static QemuSession Start(int processors, string socket, params string[] extra)
        => QemuRunner.Start(Boot.Kernel("init=display_test.conf") with
        {
            Smp = processors,
            Timeout = TimeSpan.FromMinutes(5),
            ExtraArgs = new[] { "-vga", "std", "-qmp", $"unix:{socket},server=on,wait=off" }.Concat(extra).ToArray(),
        });

    /// <summary>Where screenshot 'name' goes: out/test-results/screenshots/NAME.ppm (kept as a test artifact).</summary>
    private static string Screenshot(string name)
    {
        string directory = Path.Combine(ExoPaths.FindRepoRoot(), "out", "test-results", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".ppm");
    }

    /// <summary>Keys pressed together, then waits for 'report' from the client after them.</summary>
    private static Task KeyAsync(QemuSession qemu, QmpClient qmp, string[] keys, string report)
        => ActAsync(qemu, () => qmp.SendKeysAsync(keys), report);

    private static async Task ActAsync(QemuSession qemu, Func<Task> action, string report)
    {
        int since = qemu.Serial.Length;
        await action();
        await ConsoleCommands.WaitForTextAsync(qemu, since, report);
    }

    /// <summary>A screendump to 'path' (PPM), with a PNG copy beside it for viewers.</summary>
    private static async Task<PpmImage> DumpAsync(QmpClient qmp, string path)
    {
        await qmp.ScreenDumpAsync(path);
        var image = PpmImage.Load(path);
        image.SavePng(Path.ChangeExtension(path, ".png"));
        return image;
    }

    /// <summary>Each quadrant's colour in a block away from the middle (where the box may be).</summary>
    private static void ExpectQuadrants(PpmImage screen)
    {
        int w = screen.Width, h = screen.Height, size = 64;
        Assert.True(screen.IsFilled(w / 8, h / 8, size, size, Red), "top left red");
        Assert.True(screen.IsFilled(w * 7 / 8 - size, h / 8, size, size, Green), "top right green");
        Assert.True(screen.IsFilled(w / 8, h * 7 / 8 - size, size, size, Blue), "bottom left blue");
        Assert.True(screen.IsFilled(w * 7 / 8 - size, h * 7 / 8 - size, size, size, White), "bottom right white");
    }
}
