using Exo.Std;

namespace HelloCs
{
    /// <summary>The first C# program in ring 3: greets with its process id, lists its arguments, exits 0.</summary>
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
            return 0;
        }
    }
}
