using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Exo.Kernel.BootTests;

/// <summary>
/// An HTTP/1.0 server on the host's loopback, a task per connection: GET /small, GET /big (8 MiB of random bytes),
/// GET /huge (<see cref="HugeBytes"/> of <see cref="Pattern"/>), GET /pattern/N (N bytes of it), and PUT /upload, which
/// answers the SHA-256 of the body it read.
/// </summary>
internal sealed class NetworkHostServer : IAsyncDisposable
{
    public const long HugeBytes = 100L << 20;
    public static readonly byte[] Small = Encoding.ASCII.GetBytes("hello from the host\n");
    public static readonly byte[] Big = MakeBig();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    public int Requests;

    public NetworkHostServer()
    {
        _listener.Start(1000);
        _serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private static byte[] MakeBig()
    {
        var data = new byte[8 << 20];
        new Random(20261203).NextBytes(data);
        return data;
    }

    /// <summary>Byte 'position' of /huge and of tcp_clients' uploads.</summary>
    public static void Pattern(long position, Span<byte> into)
    {
        for (int i = 0; i < into.Length; i++)
        {
            long at = position + i;
            into[i] = (byte)((at * 7 + at / 65536) & 255);
        }
    }

    public static string PatternHash(long bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[65536];
        for (long done = 0; done < bytes; done += chunk.Length)
        {
            int part = (int)Math.Min(chunk.Length, bytes - done);
            Pattern(done, chunk.AsSpan(0, part));
            hash.AppendData(chunk, 0, part);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private async Task ServeAsync()
    {
        var connections = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException) { break; }
            connections.Add(AnswerAsync(client));
        }
        try { await Task.WhenAll(connections); } catch (Exception) { }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new List<byte>();
                var one = new byte[1];
                while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
                {
                    if (await stream.ReadAsync(one, _stop.Token) == 0)
                        return;
                    head.Add(one[0]);
                }
                string request = Encoding.ASCII.GetString(head.ToArray());
                Interlocked.Increment(ref Requests);
                if (request.StartsWith("PUT /upload", StringComparison.Ordinal))
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new byte[65536];
                    int count;
                    while ((count = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                        hash.AppendData(buffer, 0, count);
                    await RespondAsync(stream, Encoding.ASCII.GetBytes(Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant() + "\n"));
                }
                else if (request.StartsWith("GET /huge", StringComparison.Ordinal))
                {
                    await SendPatternAsync(stream, HugeBytes);
                }
                else if (request.StartsWith("GET /pattern/", StringComparison.Ordinal)
                    && long.TryParse(request["GET /pattern/".Length..request.IndexOf(' ', "GET /pattern/".Length)], out long bytes) && bytes >= 0)
                {
                    await SendPatternAsync(stream, bytes);
                }
                else
                {
                    await RespondAsync(stream, request.StartsWith("GET /big", StringComparison.Ordinal) ? Big : Small);
                }
            }
            catch (IOException) { }
            catch (SocketException) { }
            catch (OperationCanceledException) { }
        }
    }

    private async Task SendPatternAsync(NetworkStream stream, long bytes)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {bytes}\r\n\r\n"), _stop.Token);
        var chunk = new byte[65536];
        for (long done = 0; done < bytes; done += chunk.Length)
        {
            Pattern(done, chunk);
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - done)), _stop.Token);
        }
    }

    private async Task RespondAsync(NetworkStream stream, byte[] body)
    {
        byte[] header = Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: application/octet-stream\r\n\r\n");
        await stream.WriteAsync(header, _stop.Token);
        await stream.WriteAsync(body, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _serving; } catch (Exception) { }
    }
}
