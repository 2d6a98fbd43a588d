using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Exo.Testing;

/// <summary>
/// A client of QEMU's machine protocol (QMP) on a Unix socket (<c>-qmp unix:PATH,server=on,wait=off</c>): the greeting,
/// <c>qmp_capabilities</c>, then one command at a time, its answer read past any asynchronous events. The helpers cover
/// what the desktop's screenshot tests send: keys (<c>send-key</c>, or single key events), pointer motion, buttons and the
/// wheel (<c>input-send-event</c>), and <c>screendump</c>.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects to 'path' (retrying while QEMU creates the socket, up to 'timeout') and negotiates capabilities.</summary>
    public static async Task<QmpClient> ConnectAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
                var client = new QmpClient(socket);
                await client.ReadMessageAsync().ConfigureAwait(false);   // {"QMP": {...}}
                await client.ExecuteAsync("qmp_capabilities").ConfigureAwait(false);
                return client;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs 'command' with 'arguments' and returns its "return" value; throws with QEMU's "error" description.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, object? arguments = null)
    {
        var request = new JsonObject { ["execute"] = command };
        if (arguments != null)
            request["arguments"] = JsonSerializer.SerializeToNode(arguments);
        byte[] bytes = Encoding.UTF8.GetBytes(request.ToJsonString() + "\n");
        await _stream.WriteAsync(bytes).ConfigureAwait(false);
        while (true)
        {
            JsonObject message = await ReadMessageAsync().ConfigureAwait(false);
            if (message.TryGetPropertyValue("return", out JsonNode? result))
                return result;
            if (message.TryGetPropertyValue("error", out JsonNode? error))
                throw new InvalidOperationException($"QMP {command}: {error?["desc"]}");
            // an asynchronous event ({"event": ...}): not the answer
        }
    }

    /// <summary>Presses the keys named by QEMU key codes ('qcodes', e.g. "shift", "a") together and lets them go.</summary>
    public Task SendKeysAsync(params string[] qcodes)
        => ExecuteAsync("send-key", new { keys = qcodes.Select(k => new { type = "qcode", data = k }).ToArray() });

    /// <summary>One key (a QEMU key code) down or up, as a host's own key events come (a second down before the up is the
    /// host's autorepeat).</summary>
    public Task SetKeyAsync(string qcode, bool down)
        => SendEventsAsync(new { type = "key", data = new { down, key = new { type = "qcode", data = qcode } } });

    /// <summary>Relative pointer motion by ('dx', 'dy').</summary>
    public Task MovePointerAsync(int dx, int dy)
        => SendEventsAsync(RelativeAxis("x", dx), RelativeAxis("y", dy));

    /// <summary>An absolute pointer position (0..32767 on each axis), for a tablet.</summary>
    public Task PointAtAsync(int x, int y)
        => SendEventsAsync(new { type = "abs", data = new { axis = "x", value = x } }, new { type = "abs", data = new { axis = "y", value = y } });

    /// <summary>Button 'button' ("left", "right", "middle", "wheel-up", "wheel-down") down or up.</summary>
    public Task SetButtonAsync(string button, bool down)
        => SendEventsAsync(new { type = "btn", data = new { button, down } });

    /// <summary>A click: 'button' down, then up.</summary>
    public async Task ClickAsync(string button)
    {
        await SetButtonAsync(button, true).ConfigureAwait(false);
        await SetButtonAsync(button, false).ConfigureAwait(false);
    }

    /// <summary>Writes the screen to 'path' as a binary PPM (P6), as QEMU's screendump does.</summary>
    public Task ScreenDumpAsync(string path) => ExecuteAsync("screendump", new { filename = path });

    private Task SendEventsAsync(params object[] events) => ExecuteAsync("input-send-event", new { events });

    private static object RelativeAxis(string axis, int value) => new { type = "rel", data = new { axis, value } };

    private async Task<JsonObject> ReadMessageAsync()
    {
        string? line = await _reader.ReadLineAsync().ConfigureAwait(false);
        if (line == null)
            throw new IOException("QMP: QEMU closed the socket");
        return JsonNode.Parse(line) as JsonObject ?? throw new IOException($"QMP: not an object: {line}");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
