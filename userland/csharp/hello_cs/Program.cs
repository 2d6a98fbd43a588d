using Exo.Std;

namespace HelloCs
{
    /// <summary>The first C# program in ring 3: greets with its process id, lists its arguments, says how it reads the clock, exits 0.</summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            Console.Write("hello from C# in ring 3 (pid ");
            Console.Write(Process.Id);
            Console.WriteLine(")");
            int count = Process.ArgumentCount;
            for (int i = 1; i < count; i++)
            {
                Process.TryGetArgument(i, out byte* argument, out int length);
                Console.Write("hello_cs: argument ");
                Console.Write(i);
                Console.Write(": ");
                Console.WriteBytes(argument, length);
                Console.WriteLine();
            }
            // The clock read from the time page must fall in step with the kernel's: a kernel reading taken between
            // two page readings lies between them.
            Console.Write("hello_cs: clock: ");
            if (!MonotonicClock.UsesTimePage)
                Console.WriteLine("system calls");
            else
            {
                ulong before = MonotonicClock.Nanoseconds, kernel = MonotonicClock.KernelNanoseconds, after = MonotonicClock.Nanoseconds;
                Console.WriteLine(before <= kernel && kernel <= after ? "time page, in step with the kernel" : "time page, NOT in step with the kernel");
            }
            return 0;
        }
    }
}
