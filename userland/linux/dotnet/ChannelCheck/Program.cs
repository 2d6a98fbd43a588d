using System.Runtime.InteropServices;
using System.Text;
using Exo.Channels;
using Exo.Protocols.Channels;

// Talks to channel_echo (userland/csharp/channel_echo) the way a desktop application talks to the compositor: a
// service channel opened by name, shared memory, doorbells both ways. Each line says what was checked; the boot test
// (ServiceChannelBootTests) asserts on them. Modes: "missing" (only the missing service), "echo" and "again" (the
// checks; the last echo is the mode), "quit" (asks the service to end, then shows the client sees the end).
unsafe
{
    const string Service = "channel-echo";
    const ulong Size = 64 * 1024;
    const int RequestOffset = 0, ReplyOffset = 32 * 1024;
    string mode = args.Length > 0 ? args[0] : "echo";

    string Echo(ServiceChannel channel, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        byte* request = channel.Payload + RequestOffset;
        bytes.AsSpan().CopyTo(new Span<byte>(request + 4, bytes.Length));
        Volatile.Write(ref *(uint*)request, (uint)bytes.Length);
        if (!channel.Ring())
            return "<service ended>";
        ulong bits = channel.Wait(10_000);
        if (bits == 0)
            return "<no answer>";
        if ((bits & ServiceChannelLayout.ServiceEndedBit) != 0 && (bits & ~ServiceChannelLayout.ServiceEndedBit) == 0)
            return "<service ended>";
        byte* reply = channel.Payload + ReplyOffset;
        int length = (int)Volatile.Read(ref *(uint*)reply);
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(reply + 4, length));
    }

    try
    {
        using var missing = ServiceChannel.Connect("no-such-service", Size);
        Console.WriteLine("channel: a missing service connected?!");
    }
    catch (ServiceChannelException missing)
    {
        Console.WriteLine($"channel: missing service -> errno {missing.ErrorNumber}");
    }

    if (mode == "missing")
        return 0;
    if (mode == "quit")
    {
        using var channel = ServiceChannel.Connect(Service, Size);
        string answer = Echo(channel, "quit");
        Thread.Sleep(500);   // the kernel reports the service's end on the same console: after it, not inside our line
        Console.WriteLine($"channel: quit -> {answer}");
        Console.WriteLine($"channel: ring after the end -> {(channel.Ring() ? "rang" : "EPIPE")}");
        return 0;
    }

    using (var channel = ServiceChannel.Connect(Service, Size))
    {
        Console.WriteLine($"channel: connected, {channel.Size} bytes mapped");
        Console.WriteLine($"channel: echo -> {Echo(channel, "hello from .net through posix-x")}");
        int good = 0;
        for (int i = 0; i < 1000; i++)
            if (Echo(channel, $"round {i}") == $"ROUND {i}")
                good++;
        Console.WriteLine($"channel: {good} of 1000 round trips answered");
        Console.WriteLine($"channel: nothing rung -> wait gives {channel.Wait(200)}");
        ulong four = 1;
        nint result = Raw.write(channel.Descriptor, &four, 4);
        Console.WriteLine($"channel: 4-byte ring -> {result} errno {Marshal.GetLastPInvokeError()}");
        result = (nint)Raw.lseek(channel.Descriptor, 0, 0);
        Console.WriteLine($"channel: lseek -> {result} errno {Marshal.GetLastPInvokeError()}");
        // A second connection at the same time is its own channel.
        using var second = ServiceChannel.Connect(Service, Size);
        Console.WriteLine($"channel: second connection -> {Echo(second, "second")}, first still -> {Echo(channel, "first")}");
        // Garbage collections while the channel is mapped move nothing the channel holds (it is native memory).
        long total = 0;
        for (int i = 0; i < 2000; i++)
            total += new byte[64 * 1024].Length;
        GC.Collect();
        Console.WriteLine($"channel: after {total >> 20} MiB of garbage -> {Echo(channel, mode)}");
    }
    // Connections one after another: the service maps each and unmaps it when the client closes (more than a
    // process's 64 memory object mappings in all).
    int answered = 0;
    for (int i = 0; i < 100; i++)
    {
        using var brief = ServiceChannel.Connect(Service, Size);
        if (Echo(brief, "brief") == "BRIEF")
            answered++;
    }
    Console.WriteLine($"channel: {answered} of 100 connections one after another answered");
    Console.WriteLine("channel: done");
    return 0;
}

static unsafe partial class Raw
{
    [LibraryImport("libc.so.6", SetLastError = true)]
    public static partial nint write(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc.so.6", SetLastError = true)]
    public static partial long lseek(int descriptor, long offset, int whence);
}
