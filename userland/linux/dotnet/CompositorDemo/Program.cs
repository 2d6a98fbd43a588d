using CompositorDemo;
using Exo.Toolkit.Client;
using Exo.Protocols.Compositor;

// The compositor's demo client (docs/desktop.md, "The compositor"). Without arguments: two windows ("Demo red", 360x240
// in one colour; "Demo green", 320x200 in bands), each redrawn on a Configure with a size (maximise) and when 'c' is pressed
// in it (its colour changes), every event printed ("compositor_demo: window 1 key down 30 char 'a' mods 0x0"), a window
// destroyed on Close, the program ends when none is left. With an argument, a test mode:
//   crash            one window "Doomed", then the program exits without a word after 3 seconds (its window must go)
//   silent           one window "Silent", then never reads an event again (the others must not notice)
//   hostile-size     a buffer of 100000 x 10 pixels
//   hostile-damage   damage outside the attached buffer
//   hostile-unknown  a commit of a surface that was never created
//   hostile-flood    commits as fast as it can
// A hostile mode waits for the compositor's verdict in the channel header and prints it.
const uint Red = 0xD04040, Blue = 0x4040D0, Green = 0x40A040, DarkGreen = 0x308030, Yellow = 0xD0D040, DarkYellow = 0xA0A030, Doomed = 0x2020F0;

string mode = args.Length > 0 ? args[0] : "demo";
using var connection = CompositorConnection.Connect(TimeSpan.FromSeconds(60));
Console.WriteLine($"compositor_demo: connected ({mode}), screen {connection.ScreenSize}");
ulong half = CompositorLayout.BufferBytes / 2 & ~4095UL;

switch (mode)
{
    case "demo":
        return RunDemo();
    case "crash":
    {
        var doomed = new DemoWindow(connection, 1, "Doomed", 0, 200, 150, Doomed, Doomed);
        doomed.Create();
        Thread.Sleep(3000);
        Console.WriteLine("compositor_demo: crashing");
        Environment.Exit(9);
        return 9;
    }
    case "silent":
    {
        var silent = new DemoWindow(connection, 1, "Silent", 0, 200, 150, Yellow, Yellow);
        silent.Create();
        Console.WriteLine("compositor_demo: not reading events from now on");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
    case "hostile-size":
        connection.Send(CompositorConnection.Request(CompositorOperation.CreateSurface, 1));
        connection.Send(CompositorConnection.Request(CompositorOperation.Attach, 1, width: 100000, height: 10, stride: 400000));
        return AwaitVerdict();
    case "hostile-damage":
        connection.Send(CompositorConnection.Request(CompositorOperation.CreateSurface, 1));
        connection.Send(CompositorConnection.Request(CompositorOperation.Attach, 1, width: 100, height: 100, stride: 400));
        connection.Send(CompositorConnection.Request(CompositorOperation.Damage, 1, 50, 50, 100, 100));
        return AwaitVerdict();
    case "hostile-unknown":
        connection.Send(CompositorConnection.Request(CompositorOperation.Commit, 99));
        return AwaitVerdict();
    case "hostile-flood":
    {
        var flood = new DemoWindow(connection, 1, "Flood", 0, 64, 64, Red, Red);
        flood.Create();
        for (int i = 0; i < 1_000_000 && connection.Problem == 0; i++)
        {
            connection.Send(CompositorConnection.Request(CompositorOperation.Damage, 1, 0, 0, 8, 8));
            connection.Send(CompositorConnection.Request(CompositorOperation.Commit, 1));
            if (i % 64 == 0)
                connection.Flush();
        }
        return AwaitVerdict();
    }
    default:
        Console.WriteLine($"compositor_demo: unknown mode {mode}");
        return 2;
}

int AwaitVerdict()
{
    connection.Flush();
    for (int i = 0; i < 100 && connection.Problem == 0; i++)
        Thread.Sleep(100);
    uint problem = connection.Problem;
    Console.WriteLine(problem == 0
        ? "compositor_demo: still connected"
        : $"compositor_demo: disconnected by the compositor: {CompositorProblem.Describe(problem)} (request {connection.ProblemRequest})");
    return problem == 0 ? 1 : 0;
}

int RunDemo()
{
    var windows = new List<DemoWindow>
    {
        new(connection, 1, "Demo red", 0, 360, 240, Red, Blue),
        new(connection, 2, "Demo green", half, 320, 200, Green, Yellow, DarkGreen, DarkYellow),
    };
    foreach (var window in windows)
        window.Create();
    while (windows.Count > 0)
    {
        if (!connection.TryNext(out CompositorEvent record, 1000))
        {
            if (connection.Problem != 0)
            {
                Console.WriteLine($"compositor_demo: disconnected: {CompositorProblem.Describe(connection.Problem)}");
                return 3;
            }
            continue;
        }
        DemoWindow? target = windows.Find(w => w.Id == record.Surface);
        if (target == null)
            continue;
        string name = $"compositor_demo: window {target.Id}";
        switch (record.Kind)
        {
            case CompositorEventKind.Configure:
                Console.WriteLine($"{name} configure {record.Width}x{record.Height} state {record.State}");
                if (record.Width > 0 && record.Height > 0)
                    target.Resize(record.Width, record.Height);
                break;
            case CompositorEventKind.Close:
                Console.WriteLine($"{name} close");
                target.Destroy();
                windows.Remove(target);
                break;
            case CompositorEventKind.KeyDown:
            case CompositorEventKind.KeyUp:
            {
                string direction = record.Kind == CompositorEventKind.KeyUp ? "up" : record.State == 1 ? "repeat" : "down";
                string character = record.Character is >= 0x20 and < 0x7F ? $" char '{(char)record.Character}'" : "";
                Console.WriteLine($"{name} key {direction} {record.Code}{character} mods 0x{record.Modifiers:x}");
                if (record.Kind == CompositorEventKind.KeyDown && record.Character == 'c')
                    target.ToggleColour();
                break;
            }
            case CompositorEventKind.PointerEnter:
                Console.WriteLine($"{name} pointer enter {record.X},{record.Y}");
                break;
            case CompositorEventKind.PointerLeave:
                Console.WriteLine($"{name} pointer leave");
                break;
            case CompositorEventKind.PointerButton:
                Console.WriteLine($"{name} buttons {record.Code} at {record.X},{record.Y}");
                break;
            case CompositorEventKind.Focus:
                Console.WriteLine($"{name} focus {(record.State == 1 ? "gained" : "lost")}");
                break;
        }
    }
    Console.WriteLine("compositor_demo: every window closed");
    return 0;
}
