using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Console
{
    /// <summary>
    /// The kernel shell on the serial console: reads a line (echo, backspace), runs the command, repeats.
    /// A bad command or argument gets a message and the shell goes on.
    /// </summary>
    public static unsafe class Shell
    {
        public const string Prompt = "exo> ";
        private static CommandLine s_line;

        /// <summary>
        /// Runs the shell. 'dormant' (init gives the console to a program): it stays silent and reads nothing until
        /// Ctrl-] hands it the input (the kernel monitor), and goes quiet again at the next Ctrl-].
        /// </summary>
        public static void Run(bool dormant = false)
        {
            KernelConsole.WriteLine(dormant ? "The kernel monitor: Ctrl-] (then 'help')." : "Type 'help' for the list of commands.");
            while (true)
            {
                if (dormant && !SerialPort.InMonitor)
                {
                    while (!SerialPort.InMonitor)
                    {
                        int seen = SerialPort.InputEvents;
                        while (SerialPort.TryRead() >= 0) { }   // typed for nobody (between two shells): dropped
                        if (!SerialPort.InMonitor)
                            SerialPort.WaitForInput(seen);
                    }
                    KernelConsole.WriteLine();
                    KernelConsole.WriteLine("kernel monitor (Ctrl-] gives the console back)");
                }
                KernelConsole.Write(Prompt);
                if (!ReadLine(dormant))
                    continue;   // the console was given back mid-line: the next Ctrl-] starts afresh, with its banner and prompt
                s_line.Split();
                fixed (CommandLine* line = &s_line)
                    ShellCommands.Execute(line);
            }
        }

        // False if a dormant shell lost the console (Ctrl-]) before the line's end.
        private static bool ReadLine(bool dormant)
        {
            s_line.Clear();
            bool overflowReported = false;
            while (true)
            {
                int seen = SerialPort.InputEvents;
                int value = SerialPort.TryRead();
                if (value < 0)
                {
                    if (dormant && !SerialPort.InMonitor)
                        return false;
                    SerialPort.WaitForInput(seen);   // sleeps until a byte or the monitor key comes
                    continue;
                }
                if (value == '\r' || value == '\n')
                {
                    KernelConsole.WriteLine();
                    return true;
                }
                if (value == 0x08 || value == 0x7F)
                {
                    if (s_line.RemoveLast())
                        KernelConsole.Write("\b \b");
                    continue;
                }
                if (value < 0x20 || value > 0x7E)
                    continue;
                if (!s_line.Append((byte)value))
                {
                    if (!overflowReported)
                    {
                        KernelConsole.Write("\n(line too long: at most 255 characters)\n");
                        overflowReported = true;
                    }
                    continue;
                }
                KernelConsole.Write((char)value);
            }
        }
    }
}
