using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace Init
{
    /// <summary>
    /// init, the first user program (the kernel starts it, kernel/Processes/InitProcess.cs). Its one capability
    /// is a read-only memory object with its configuration (InitConfiguration), plus the console, which it passes on. It starts the name service,
    /// then every service and task the configuration lists; each gets a calling handle to the name service,
    /// and a service also the endpoint init registered under its name. When a program ends, a notification bit
    /// tells init (process watch): a service is reported and restarted with a fresh endpoint bound to its name,
    /// up to the restart limit; a task's status is reported.
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>init's own failures exit with 100 + one of these (normally init never exits).</summary>
        private const int NoConfiguration = 1, UnreadableConfiguration = 2, NoNotification = 3, NoNameService = 4;
        private const int NamesBit = 0;
        private const ulong MaximumConfigurationBytes = 64 * 1024;

        private static InitConfiguration s_configuration;
        private static byte* s_text;
        private static Notification s_exits;
        private static Endpoint s_namesEndpoint;   // init's own, every right
        private static ProcessHandle s_namesProcess;
        private static int s_namesRestarts;
        private static Handle s_console;           // passed on to every program: they may print
        private static Handle s_rootResource;      // passed on only to driver services
        private static ProcessHandle[] s_processes;
        private static Endpoint[] s_endpoints;
        private static int[] s_restarts;
        private static bool[] s_running;

        public static int Main()
        {
            s_console = Process.ConsoleHandle;
            s_rootResource = FirstStartupHandle(ObjectType.Resource);
            Handle configuration = FirstStartupHandle(ObjectType.MemoryObject);
            if (!configuration.IsValid)
            {
                Console.WriteLine("init: no configuration (the kernel grants it as a memory object)");
                return 100 + NoConfiguration;
            }
            Error error = new MemoryObject(configuration).Map(writable: false, out s_text);
            if (error != Error.None)
                return Fail("cannot map the configuration", error, UnreadableConfiguration);
            int length = 0;
            while ((ulong)length < MaximumConfigurationBytes && s_text[length] != 0)
                length++;
            s_configuration = InitConfiguration.Parse(s_text, length);
            ReportProblems();

            int count = s_configuration.Count;
            s_processes = new ProcessHandle[count];
            s_endpoints = new Endpoint[count];
            s_restarts = new int[count];
            s_running = new bool[count];
            if ((error = Notification.Create(out s_exits)) != Error.None)
                return Fail("cannot create its notification", error, NoNotification);
            if ((error = StartNameService()) != Error.None)
                return Fail("cannot start the name service", error, NoNameService);
            for (int i = 0; i < count; i++)
                Start(i);

            int failedTasks = 0;
            while (true)
            {
                if (s_configuration.ExitAfterTasks && !AnyTaskRunning())
                {
                    Console.Write("init: every task has ended, ");
                    Console.Write(failedTasks);
                    Console.WriteLine(" failed; init stops the services and exits (exit-after-tasks)");
                    StopServices();
                    return failedTasks;
                }
                if (s_exits.Wait(out ulong bits) != Error.None)
                    continue;
                if ((bits & (1UL << NamesBit)) != 0)
                    NameServiceEnded();
                for (int i = 0; i < count; i++)
                    if ((bits & BitOf(i)) != 0 && s_running[i] && !Ended(i))
                        failedTasks++;
            }
        }

        // Kills every service and the name service, and waits for each to end (exit-after-tasks).
        private static void StopServices()
        {
            for (int i = 0; i < s_configuration.Count; i++)
            {
                if (!s_running[i])
                    continue;
                s_processes[i].Kill();
                s_processes[i].Wait(out long status);
                s_processes[i].Close();
                s_running[i] = false;
                Console.Write("init: stopped ");
                WriteEntry(i);
                ReportEnd(null, status);
            }
            s_namesProcess.Kill();
            s_namesProcess.Wait(out long namesStatus);
            s_namesProcess.Close();
            ReportEnd("the name service (names)", namesStatus);
        }

        private static Handle FirstStartupHandle(ObjectType wanted)
        {
            for (int i = 0; i < Process.StartupHandleCount; i++)
                if (Process.StartupHandle(i).Info(out ObjectType type, out _) == Error.None && type == wanted)
                    return Process.StartupHandle(i);
            return Handle.None;
        }

        private static ulong BitOf(int entry) => 1UL << (entry + 1);

        private static bool AnyTaskRunning()
        {
            for (int i = 0; i < s_configuration.Count; i++)
                if (s_configuration.Entries[i].Kind == EntryKind.Task && s_running[i])
                    return true;
            return false;
        }

        // names gets the endpoint it serves (receive only); init keeps the full one to register services.
        private static Error StartNameService()
        {
            Error error = Endpoint.Create(out Endpoint endpoint);
            if (error != Error.None)
                return error;
            if ((error = endpoint.Handle.Duplicate(Rights.Read | Rights.Grant, out Handle serve)) == Error.None)
            {
                error = Process.Spawn("names", serve, s_console, out s_namesProcess);
                serve.Close();
            }
            if (error == Error.None)
                error = s_namesProcess.Watch(s_exits, 1UL << NamesBit);
            if (error != Error.None)
            {
                endpoint.Close();
                return error;
            }
            s_namesEndpoint = endpoint;
            Console.WriteLine("init: started the name service (names)");
            return Error.None;
        }

        // The name service ended: a new one, with every running service bound again. Programs already holding
        // the old name service's endpoint get "peer gone" from it; those started from now on get the new one.
        private static void NameServiceEnded()
        {
            s_namesProcess.Wait(out long status);
            s_namesProcess.Close();
            s_namesEndpoint.Close();
            ReportEnd("the name service (names)", status);
            if (s_namesRestarts == s_configuration.RestartLimit || StartNameService() != Error.None)
            {
                Console.WriteLine("init: the name service stays down");
                return;
            }
            s_namesRestarts++;
            for (int i = 0; i < s_configuration.Count; i++)
                if (s_running[i] && s_configuration.Entries[i].Kind == EntryKind.Service)
                    Register(i, s_endpoints[i]);
        }

        private static bool Start(int index)
        {
            ref ConfigurationEntry entry = ref s_configuration.Entries[index];
            Handle* grants = stackalloc Handle[4];
            int grantCount = 0;
            Error error = s_namesEndpoint.Handle.Duplicate(NameService.RegisteredRights, out grants[grantCount]);
            if (error == Error.None)
                grantCount++;
            Endpoint endpoint = default;
            if (error == Error.None && entry.Kind == EntryKind.Service)
            {
                error = Endpoint.Create(out endpoint);
                if (error == Error.None)
                    error = Register(index, endpoint);
                if (error == Error.None && (error = endpoint.Handle.Duplicate(Rights.Read | Rights.Grant, out grants[grantCount])) == Error.None)
                    grantCount++;
            }
            if (error == Error.None && entry.GetsRootResource && s_rootResource.IsValid
                && (error = s_rootResource.Duplicate(Rights.Manage | Rights.Grant | Rights.Duplicate, out grants[grantCount])) == Error.None)
                grantCount++;
            ProcessHandle process = default;
            if (s_console.IsValid)
                grants[grantCount] = s_console;   // the last startup handle; not init's to close
            int spawnCount = s_console.IsValid ? grantCount + 1 : grantCount;
            if (error == Error.None)
                error = Process.Spawn(s_text + entry.CommandStart, entry.CommandLength, grants, spawnCount, out process);
            if (error == Error.None)
                error = process.Watch(s_exits, BitOf(index));
            for (int i = 0; i < grantCount; i++)
                grants[i].Close();   // the child has its own copies
            if (error != Error.None)
            {
                Console.Write("init: cannot start ");
                WriteEntry(index);
                Console.Write(": ");
                Console.WriteLine(Errors.Describe(error));
                if (endpoint.Handle.IsValid)
                    endpoint.Close();
                return false;
            }
            s_processes[index] = process;
            s_endpoints[index] = endpoint;
            s_running[index] = true;
            Console.Write("init: started ");
            WriteEntry(index);
            Console.WriteLine();
            return true;
        }

        // Binds the service's name to a calling copy of its endpoint (init registered it first, so it may rebind).
        private static Error Register(int index, Endpoint endpoint)
        {
            Error error = endpoint.Duplicate(NameService.RegisteredRights, out Endpoint copy);
            if (error != Error.None)
                return error;
            error = new NameService(s_namesEndpoint).Register(s_configuration.Entries[index].Name, copy);
            copy.Close();   // the name service has its own copy
            return error;
        }

        // A program ended: report it; restart a service (up to the limit). False for a task that failed.
        private static bool Ended(int index)
        {
            ref ConfigurationEntry entry = ref s_configuration.Entries[index];
            s_processes[index].Wait(out long status);
            s_processes[index].Close();
            s_running[index] = false;
            Console.Write("init: ");
            WriteEntry(index);
            ReportEnd(null, status);
            if (entry.Kind == EntryKind.Task)
                return status == 0;
            if (entry.Kind == EntryKind.Console && !ProcessHandle.IsFault(status) && !ProcessHandle.IsKilled(status))
            {
                Start(index);   // the shell was left (exit, end of input): a new one takes the console
                return true;
            }
            if (entry.Kind == EntryKind.Service)
                s_endpoints[index].Close();   // callers of the old one got "peer gone"; the new one takes its name
            if (s_restarts[index] == s_configuration.RestartLimit)
            {
                Console.Write("init: gave up on ");
                WriteEntry(index);
                Console.Write(" after ");
                Console.Write(s_restarts[index]);
                Console.WriteLine(" restarts");
                return true;
            }
            s_restarts[index]++;
            Console.Write("init: restarting ");
            WriteEntry(index);
            Console.Write(" (restart ");
            Console.Write(s_restarts[index]);
            Console.Write(" of ");
            Console.Write(s_configuration.RestartLimit);
            Console.WriteLine(")");
            Start(index);
            return true;
        }

        private static void ReportEnd(string what, long status)
        {
            if (what != null)
            {
                Console.Write("init: ");
                Console.Write(what);
            }
            ProcessHandle.WriteEnd(status);
            Console.WriteLine();
        }

        // "service echo (echo_service)", "task init_client" or "console /bin/sh".
        private static void WriteEntry(int index)
        {
            ref ConfigurationEntry entry = ref s_configuration.Entries[index];
            int nameLength = 0;
            while (nameLength < entry.CommandLength && s_text[entry.CommandStart + nameLength] != (byte)' ')
                nameLength++;
            if (entry.Kind != EntryKind.Service)
            {
                Console.Write(entry.Kind == EntryKind.Task ? "task " : "console ");
                Console.WriteBytes(s_text + entry.CommandStart, nameLength);
                return;
            }
            byte* name = stackalloc byte[ServiceName.MaximumLength];
            int length = entry.Name.CopyTo(name);
            Console.Write("service ");
            Console.WriteBytes(name, length);
            Console.Write(" (");
            Console.WriteBytes(s_text + entry.CommandStart, nameLength);
            Console.Write(")");
        }

        private static void ReportProblems()
        {
            for (int i = 0; i < s_configuration.ProblemCount; i++)
            {
                Console.Write("init: configuration line ");
                Console.Write(s_configuration.ProblemLines[i]);
                Console.Write(": ");
                Console.Write(InitConfiguration.Describe(s_configuration.Problems[i]));
                Console.WriteLine(" (line skipped)");
            }
        }

        private static int Fail(string what, Error error, int code)
        {
            Console.Write("init: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 100 + code;
        }
    }
}
