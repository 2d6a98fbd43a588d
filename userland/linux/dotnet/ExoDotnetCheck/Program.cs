// Exercises what a .NET program leans on: the garbage collector under pressure, exceptions across methods,
// threads, tasks and Parallel.For, Console, System.IO, the environment and arguments, and the exit code.
// Every line it prints is the same on any machine with any processor count, so Linux's output and Exo-OS's
// can be compared byte for byte.
using System.Collections.Concurrent;
using System.Text;

static class Program
{
    static int Main(string[] arguments)
    {
        Console.WriteLine("dotnet check: start");
        Console.WriteLine($"arguments: {string.Join(",", arguments)}");
        Console.WriteLine($"EXO_CHECK={Environment.GetEnvironmentVariable("EXO_CHECK") ?? "(unset)"}");
        Console.WriteLine($"64-bit process: {Environment.Is64BitProcess}");
        Console.WriteLine($"processors >= 1: {Environment.ProcessorCount >= 1}");

        GarbageCollection();
        Exceptions();
        Threads();
        Tasks();
        Files();

        Console.WriteLine("dotnet check: done");
        return 42;
    }

    // Hundreds of MiB allocated in small and large objects while a few survive: collections must happen and
    // the survivors must stay intact.
    static void GarbageCollection()
    {
        int collectionsBefore = GC.CollectionCount(0);
        var survivors = new List<byte[]>();
        long allocated = 0;
        ulong checksum = 0;
        for (int i = 0; i < 40_000; i++)
        {
            int size = i % 100 == 0 ? 100_000 : 8_000;   // every hundredth one is on the large object heap
            var block = new byte[size];
            block[0] = (byte)i;
            block[size - 1] = (byte)(i >> 8);
            allocated += size;
            if (i % 1000 == 0)
                survivors.Add(block);
        }
        GC.Collect();
        foreach (var block in survivors)
            checksum = checksum * 31 + block[0] + block[^1];
        var text = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
            text.Append((char)('a' + i % 26));
        Console.WriteLine($"gc: allocated {allocated >> 20} MiB, {survivors.Count} survivors, checksum {checksum}");
        Console.WriteLine($"gc: collections happened: {GC.CollectionCount(0) > collectionsBefore}");
        Console.WriteLine($"gc: string length {text.ToString().Length}, hash {Fnv(text.ToString())}");
    }

    static uint Fnv(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
            hash = (hash ^ c) * 16777619;
        return hash;
    }

    static void Exceptions()
    {
        var trail = new StringBuilder();
        try
        {
            Outer(trail);
        }
        catch (InvalidOperationException exception)
        {
            trail.Append($"caught({exception.Message})");
        }
        finally
        {
            trail.Append(" finally");
        }
        Console.WriteLine($"exceptions: {trail}");

        try
        {
            int[] numbers = new int[3];
            int index = numbers.Length;
            numbers[index] = 1;
        }
        catch (IndexOutOfRangeException)
        {
            Console.WriteLine("exceptions: index out of range caught");
        }
        try
        {
            object? nothing = null;
            Console.WriteLine(nothing!.ToString());
        }
        catch (NullReferenceException)
        {
            Console.WriteLine("exceptions: null reference caught");
        }
        try
        {
            int zero = arguments_length_zero();
            Console.WriteLine(10 / zero);
        }
        catch (DivideByZeroException)
        {
            Console.WriteLine("exceptions: divide by zero caught");
        }
        int depth = 0;
        try
        {
            Recurse(ref depth, 500);
        }
        catch (ApplicationException exception)
        {
            Console.WriteLine($"exceptions: unwound {depth} frames: {exception.Message}");
        }
    }

    static int arguments_length_zero() => Environment.GetCommandLineArgs().Length > 1000 ? 1 : 0;

    static void Outer(StringBuilder trail)
    {
        try
        {
            trail.Append("outer ");
            Inner(trail);
        }
        finally
        {
            trail.Append("outer-finally ");
        }
    }

    static void Inner(StringBuilder trail)
    {
        trail.Append("inner ");
        throw new InvalidOperationException("from inner");
    }

    static void Recurse(ref int depth, int limit)
    {
        depth++;
        if (depth == limit)
            throw new ApplicationException("deep");
        Recurse(ref depth, limit);
    }

    static void Threads()
    {
        const int threadCount = 8;
        long total = 0;
        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                long sum = 0;
                for (int i = 0; i < 1_000_000; i++)
                    sum += i % (index + 2);
                Interlocked.Add(ref total, sum);
            });
            threads[t].Start();
        }
        foreach (var thread in threads)
            thread.Join();
        Console.WriteLine($"threads: {threadCount} joined, total {total}");

        var gate = new object();
        int turns = 0;
        var pingPong = new Thread(() =>
        {
            for (int i = 0; i < 1000; i++)
                lock (gate)
                {
                    while (turns % 2 == 0)
                        Monitor.Wait(gate);
                    turns++;
                    Monitor.PulseAll(gate);
                }
        });
        pingPong.Start();
        for (int i = 0; i < 1000; i++)
            lock (gate)
            {
                while (turns % 2 == 1)
                    Monitor.Wait(gate);
                turns++;
                Monitor.PulseAll(gate);
            }
        pingPong.Join();
        Console.WriteLine($"threads: monitor ping-pong {turns} turns");
    }

    static void Tasks()
    {
        var squares = new long[100_000];
        var workers = new ConcurrentDictionary<int, bool>();
        Parallel.For(0, squares.Length, i =>
        {
            squares[i] = (long)i * i;
            workers[Environment.CurrentManagedThreadId] = true;
        });
        long sum = 0;
        foreach (long square in squares)
            sum += square;
        Console.WriteLine($"tasks: Parallel.For sum {sum}");

        var results = Enumerable.Range(1, 16).Select(n => Task.Run(async () =>
        {
            await Task.Delay(n % 4);
            return Fibonacci(20 + n % 5);
        })).ToArray();
        Task.WaitAll(results);
        Console.WriteLine($"tasks: {results.Length} tasks, results sum {results.Sum(task => task.Result)}");

        try
        {
            Task.Run(() => throw new FormatException("in a task")).Wait();
        }
        catch (AggregateException aggregate)
        {
            Console.WriteLine($"tasks: {aggregate.InnerException!.GetType().Name}: {aggregate.InnerException.Message}");
        }
    }

    static long Fibonacci(int n) => n < 2 ? n : Fibonacci(n - 1) + Fibonacci(n - 2);

    static void Files()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"exo-dotnet-check-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "lines.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 1000).Select(i => $"line {i}"));
        File.AppendAllText(path, "last\n");
        string[] lines = File.ReadAllLines(path);
        Console.WriteLine($"files: {lines.Length} lines, first '{lines[0]}', last '{lines[^1]}', {new FileInfo(path).Length} bytes");

        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Seek(5, SeekOrigin.Begin);
            stream.WriteByte((byte)'X');
            stream.Seek(0, SeekOrigin.Begin);
            var buffer = new byte[6];
            stream.ReadExactly(buffer);
            Console.WriteLine($"files: after seek and write '{Encoding.ASCII.GetString(buffer)}'");
        }
        File.Move(path, path + ".moved");
        Console.WriteLine($"files: moved exists {File.Exists(path + ".moved")}, old exists {File.Exists(path)}");
        Console.WriteLine($"files: directory entries {Directory.GetFiles(directory).Length}");
        try
        {
            File.ReadAllText(Path.Combine(directory, "missing"));
        }
        catch (FileNotFoundException)
        {
            Console.WriteLine("files: missing file gives FileNotFoundException");
        }
        Directory.Delete(directory, recursive: true);
        Console.WriteLine($"files: directory removed {!Directory.Exists(directory)}");
    }
}
