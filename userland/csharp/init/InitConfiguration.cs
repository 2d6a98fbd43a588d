using Exo.Std.Services;

namespace Init
{
    public enum EntryKind : byte { Service, Task, Console }

    /// <summary>
    /// One program init starts: a service (named, restarted when it ends), a task (run once), or the console's
    /// program (a shell: started again whenever it ends, as a getty is).
    /// </summary>
    public struct ConfigurationEntry
    {
        public EntryKind Kind;
        /// <summary>A service's name in the name service.</summary>
        public ServiceName Name;
        /// <summary>Where the program's command line (its name, then its arguments) is in the configuration text.</summary>
        public int CommandStart, CommandLength;
        public int Line;
        /// <summary>A driver service: init passes it a copy of the root resource (device resources are made from it).</summary>
        public bool GetsRootResource;
    }

    public enum ConfigurationProblem : byte { UnknownDirective, MissingProgram, BadServiceName, TooManyEntries, BadNumber, CommandTooLong }

    /// <summary>
    /// init's configuration (userland/config/*.conf), one directive per line, '#' starts a comment:
    ///   service NAME PROGRAM [ARGUMENTS...]  a server: init gives it an endpoint registered as NAME, and
    ///                                       restarts the program whenever it ends
    ///   driver-service NAME PROGRAM [ARGS...] a service that also gets the root resource (the device manager)
    ///   task PROGRAM [ARGUMENTS...]          a program run once
    ///   console PROGRAM [ARGUMENTS...]       the console's program (a login shell): started again whenever it
    ///                                       ends; only ends by a fault count against the restart limit
    ///   restart-limit N                      restarts per service before init gives up on it (default 3)
    ///   exit-after-tasks                     when every task has ended, init exits (status: tasks that failed)
    /// A bad line is recorded as a problem (init reports it) and skipped; the rest still counts.
    /// </summary>
    public sealed unsafe class InitConfiguration
    {
        public const int MaximumEntries = 16;
        public const int MaximumProblems = 8;
        public const int MaximumCommandLength = 256;

        public readonly ConfigurationEntry[] Entries = new ConfigurationEntry[MaximumEntries];
        public int Count;
        public int RestartLimit = 3;
        public bool ExitAfterTasks;
        public readonly ConfigurationProblem[] Problems = new ConfigurationProblem[MaximumProblems];
        public readonly int[] ProblemLines = new int[MaximumProblems];
        public int ProblemCount;

        public static InitConfiguration Parse(byte* text, int length)
        {
            InitConfiguration configuration = new InitConfiguration();
            int line = 0, position = 0;
            while (position < length)
            {
                line++;
                int end = position;
                while (end < length && text[end] != (byte)'\n')
                    end++;
                int lineEnd = end;
                for (int i = position; i < end; i++)
                {
                    if (text[i] == (byte)'#')
                    {
                        lineEnd = i;
                        break;
                    }
                }
                configuration.ParseLine(text, position, lineEnd, line);
                position = end + 1;
            }
            return configuration;
        }

        private void ParseLine(byte* text, int start, int end, int line)
        {
            int directive = SkipSpaces(text, start, end);
            if (directive == end)
                return;   // empty or a comment
            int directiveEnd = WordEnd(text, directive, end);
            int next = SkipSpaces(text, directiveEnd, end);
            if (WordIs(text, directive, directiveEnd, "exit-after-tasks") && next == end)
            {
                ExitAfterTasks = true;
            }
            else if (WordIs(text, directive, directiveEnd, "restart-limit"))
            {
                if (!TryParseNumber(text, next, TrimEnd(text, next, end), out int limit))
                    AddProblem(ConfigurationProblem.BadNumber, line);
                else
                    RestartLimit = limit;
            }
            else if (WordIs(text, directive, directiveEnd, "service") || WordIs(text, directive, directiveEnd, "driver-service"))
            {
                int nameEnd = WordEnd(text, next, end);
                if (!ServiceName.TryCreate(text + next, nameEnd - next, out ServiceName name))
                    AddProblem(ConfigurationProblem.BadServiceName, line);
                else if (AddEntry(EntryKind.Service, name, text, SkipSpaces(text, nameEnd, end), end, line))
                    Entries[Count - 1].GetsRootResource = text[directive] == (byte)'d';
            }
            else if (WordIs(text, directive, directiveEnd, "task"))
            {
                AddEntry(EntryKind.Task, default, text, next, end, line);
            }
            else if (WordIs(text, directive, directiveEnd, "console"))
            {
                AddEntry(EntryKind.Console, default, text, next, end, line);
            }
            else
            {
                AddProblem(ConfigurationProblem.UnknownDirective, line);
            }
        }

        private bool AddEntry(EntryKind kind, in ServiceName name, byte* text, int commandStart, int end, int line)
        {
            int commandEnd = TrimEnd(text, commandStart, end);
            if (commandStart == commandEnd)
            {
                AddProblem(ConfigurationProblem.MissingProgram, line);
                return false;
            }
            if (commandEnd - commandStart > MaximumCommandLength)
            {
                AddProblem(ConfigurationProblem.CommandTooLong, line);
                return false;
            }
            if (Count == MaximumEntries)
            {
                AddProblem(ConfigurationProblem.TooManyEntries, line);
                return false;
            }
            Entries[Count++] = new ConfigurationEntry
            {
                Kind = kind, Name = name, CommandStart = commandStart, CommandLength = commandEnd - commandStart, Line = line,
            };
            return true;
        }

        private void AddProblem(ConfigurationProblem problem, int line)
        {
            if (ProblemCount == MaximumProblems)
                return;   // the first ones are enough to fix the file
            Problems[ProblemCount] = problem;
            ProblemLines[ProblemCount] = line;
            ProblemCount++;
        }

        public static string Describe(ConfigurationProblem problem)
        {
            switch (problem)
            {
                case ConfigurationProblem.UnknownDirective: return "unknown directive (expected service, task, restart-limit or exit-after-tasks)";
                case ConfigurationProblem.MissingProgram: return "no program named";
                case ConfigurationProblem.BadServiceName: return "bad service name (1 to 24 printable characters)";
                case ConfigurationProblem.TooManyEntries: return "too many programs (at most 16)";
                case ConfigurationProblem.BadNumber: return "expected a number";
                default: return "command line longer than 256 bytes";
            }
        }

        private static bool IsSpace(byte value) => value == (byte)' ' || value == (byte)'\t' || value == (byte)'\r';

        private static int SkipSpaces(byte* text, int position, int end)
        {
            while (position < end && IsSpace(text[position]))
                position++;
            return position;
        }

        private static int WordEnd(byte* text, int position, int end)
        {
            while (position < end && !IsSpace(text[position]))
                position++;
            return position;
        }

        private static int TrimEnd(byte* text, int start, int end)
        {
            while (end > start && IsSpace(text[end - 1]))
                end--;
            return end;
        }

        private static bool WordIs(byte* text, int start, int end, string word)
        {
            if (end - start != word.Length)
                return false;
            for (int i = 0; i < word.Length; i++)
                if (text[start + i] != word[i])
                    return false;
            return true;
        }

        private static bool TryParseNumber(byte* text, int start, int end, out int value)
        {
            value = 0;
            if (start == end || end - start > 6)
                return false;
            for (int i = start; i < end; i++)
            {
                if (text[i] < (byte)'0' || text[i] > (byte)'9')
                    return false;
                value = value * 10 + (text[i] - (byte)'0');
            }
            return true;
        }
    }
}
