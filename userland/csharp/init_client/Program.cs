using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace InitClient
{
    /// <summary>
    /// The init test's client task (userland/config/init_test.conf): finds the echo service through the name
    /// service, uses it, makes it crash, then finds the service init restarted under the same name and uses it
    /// again; the name service must refuse a missing name, a hijack of "echo" and a malformed name. Exits 0 when
    /// every step held, otherwise the number of the first step that failed.
    /// </summary>
    public static unsafe class Program
    {
        private const ulong OperationEcho = 1, OperationProcessId = 2, OperationCrash = 3;
        /// <summary>How many times to look the restarted service up before giving up (init restarts it quickly).</summary>
        private const int RestartAttempts = 10000;

        public static int Main()
        {
            if (Process.StartupHandleCount < 1)
                return Fail(1, "no name service handle", Error.BadHandle);
            NameService names = new NameService(new Endpoint(Process.StartupHandle(0)));

            Error error = names.Lookup("echo", out Endpoint echo);
            if (error != Error.None)
                return Fail(2, "lookup echo", error);
            Message message = new Message(OperationEcho, 11, 22, 33);
            if ((error = echo.Call(ref message)) != Error.None || message.Word1 != 11 || message.Word3 != 33)
                return Fail(3, "echo call", error);
            message = new Message(OperationProcessId);
            if ((error = echo.Call(ref message)) != Error.None)
                return Fail(4, "echo process id", error);
            ulong firstServer = message.Word1;

            message = new Message(OperationCrash, 0xDEAD);
            error = echo.Call(ref message);
            if (error != Error.PeerGone)
                return Fail(5, "a crashing server reports peer gone", error);
            echo.Close();

            // init restarts the service with a new endpoint under the same name: look it up until that happened.
            ulong secondServer = 0;
            for (int attempt = 0; attempt < RestartAttempts && secondServer == 0; attempt++)
            {
                if (names.Lookup("echo", out echo) != Error.None)
                    return Fail(6, "lookup echo after the crash", error);
                message = new Message(OperationProcessId);
                if (echo.Call(ref message) == Error.None)
                    secondServer = message.Word1;
                else
                    Process.Yield();   // still the crashed one's endpoint
                echo.Close();
            }
            if (secondServer == 0 || secondServer == firstServer)
                return Fail(7, "the restarted service answers under the same name", Error.PeerGone);
            Console.Write("init_client: echo answered from pid ");
            Console.Write(firstServer);
            Console.Write(", crashed, and answered again from pid ");
            Console.Write(secondServer);
            Console.WriteLine();

            if ((error = names.Lookup("no-such-service", out _)) != Error.NotFound)
                return Fail(8, "a missing name is not found", error);
            if ((error = Endpoint.Create(out Endpoint impostor)) != Error.None)
                return Fail(9, "endpoint create", error);
            impostor.Duplicate(NameService.RegisteredRights, out Endpoint impostorCopy);
            if ((error = names.Register("echo", impostorCopy)) != Error.AlreadyExists)
                return Fail(10, "another process cannot take the name echo", error);
            if ((error = names.Register("mine", impostorCopy)) != Error.None)
                return Fail(11, "a new name registers", error);
            if ((error = names.Register("mine", impostor)) != Error.Invalid)
                return Fail(12, "an endpoint with every right (receive too) is refused", error);
            message = new Message(NameService.OperationLookup, 0x20, 0x41);   // a space, then bytes after a zero
            if ((error = names.Endpoint.Call(ref message)) != Error.None || SystemCall.ErrorOf((long)message.Word0) != Error.Invalid)
                return Fail(13, "a malformed name is refused", SystemCall.ErrorOf((long)message.Word0));
            if ((error = names.Remove("mine")) != Error.None || names.Lookup("mine", out _) != Error.NotFound)
                return Fail(14, "its registrant removes a name", error);
            Console.WriteLine("init_client: the name service found, refused and removed as it should");
            return 0;
        }

        private static int Fail(int step, string what, Error error)
        {
            Console.Write("init_client: step ");
            Console.Write(step);
            Console.Write(" failed: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return step;
        }
    }
}
