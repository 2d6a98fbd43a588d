using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;

namespace EchoService
{
    /// <summary>
    /// A small service for init to supervise: it serves the endpoint init grants it (startup handle 1; handle 0
    /// is the name service). Operations: echo the words back, report its process id, or crash on request (a
    /// write to address 0), which is how the init test shows a crashed service being restarted.
    /// </summary>
    public static unsafe class Program
    {
        public const ulong OperationEcho = 1, OperationProcessId = 2, OperationCrash = 3;

        public static int Main()
        {
            if (Process.StartupHandleCount < 2)
            {
                Console.WriteLine("echo_service: no endpoint to serve (init grants it)");
                return 1;
            }
            Endpoint own = new Endpoint(Process.StartupHandle(1));
            Error error = own.Receive(out Message message);
            while (true)
            {
                if (error != Error.None)
                {
                    error = own.Receive(out message);
                    continue;
                }
                if (message.Handle.IsValid)
                    message.Handle.Close();   // it keeps nothing it is sent
                message.Handle = default;
                switch (message.Word0)
                {
                    case OperationEcho:
                        break;   // the same words go back
                    case OperationProcessId:
                        message.Word1 = Process.Id;
                        break;
                    case OperationCrash:
                        *(ulong*)0 = message.Word1;   // a page fault: the kernel ends this process, init restarts it
                        break;
                    default:
                        message.Word0 = SystemCall.ResultOf(Error.Invalid);
                        break;
                }
                error = own.ReplyAndReceive(ref message);
            }
        }
    }
}
