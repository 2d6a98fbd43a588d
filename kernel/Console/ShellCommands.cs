namespace Exo.Kernel.Console
{
    /// <summary>
    /// The shell's command table. Each subsystem registers its own commands at boot (a *ShellCommands.cs file in
    /// its folder, called from KernelMain), so the console knows none of them: it parses a line, finds the
    /// command by its first word and runs it. Each command checks its arguments and reports misuse instead of
    /// guessing. 'help' lists the commands in the order they were registered.
    /// </summary>
    public static unsafe class ShellCommands
    {
        /// <summary>The most commands the table holds (an explicit limit, checked at registration).</summary>
        public const int Capacity = 32;

        private struct Command
        {
            public string Name;
            public string Help;
            public delegate*<CommandLine*, void> Run;
            public bool TakesArguments;
        }

        private static readonly Command[] s_commands = new Command[Capacity];
        private static int s_count;

        /// <summary>
        /// Adds a command (at boot, before the shell runs). 'help' is its line in the list (usage first). A command
        /// that takes no arguments is refused with a message when given some, before 'run' is called.
        /// </summary>
        public static void Register(string name, string help, delegate*<CommandLine*, void> run, bool takesArguments = false)
        {
            if (s_count == Capacity)
                Diagnostics.Panic.Fail("more shell commands than ShellCommands.Capacity");
            s_commands[s_count++] = new Command { Name = name, Help = help, Run = run, TakesArguments = takesArguments };
        }

        public static void Execute(CommandLine* line)
        {
            if (line->WordCount == 0)
                return;
            if (line->TooManyWords)
            {
                KernelConsole.WriteLine("error: too many words on the line (at most 16)");
                return;
            }
            if (line->WordIs(0, "help"))
            {
                if (NoArguments(line))
                    Help();
                return;
            }
            for (int i = 0; i < s_count; i++)
            {
                if (!line->WordIs(0, s_commands[i].Name))
                    continue;
                if (s_commands[i].TakesArguments || NoArguments(line))
                    s_commands[i].Run(line);
                return;
            }
            KernelConsole.Write("unknown command: ");
            line->WriteWord(0);
            KernelConsole.WriteLine(" (type 'help' for the list)");
        }

        private static bool NoArguments(CommandLine* line)
        {
            if (line->WordCount == 1)
                return true;
            KernelConsole.Write("error: ");
            line->WriteWord(0);
            KernelConsole.Write(" takes no arguments (got '");
            line->WriteWord(1);
            KernelConsole.WriteLine("')");
            return false;
        }

        private static void Help()
        {
            KernelConsole.WriteLine("Commands:");
            KernelConsole.WriteLine("  help      this list");
            for (int i = 0; i < s_count; i++)
            {
                KernelConsole.Write("  ");
                KernelConsole.WriteLine(s_commands[i].Help);
            }
        }

        /// <summary>A fixed-point number with three decimals (uptime's seconds, MHz).</summary>
        public static void WriteFixed3(ulong thousandths)
        {
            KernelConsole.WriteDecimal(thousandths / 1000);
            KernelConsole.Write('.');
            ulong fraction = thousandths % 1000;
            if (fraction < 100) KernelConsole.Write('0');
            if (fraction < 10) KernelConsole.Write('0');
            KernelConsole.WriteDecimal(fraction);
        }
    }
}
