using Exo.Std;

namespace HelloCs
{
    /// <summary>The first C# program in ring 3: greets with its process id and exits 0.</summary>
    public static class Program
    {
        public static int Main()
        {
            Console.Write("hello from C# in ring 3 (pid ");
            Console.Write(Process.Id);
            Console.WriteLine(")");
            return 0;
        }
    }
}
