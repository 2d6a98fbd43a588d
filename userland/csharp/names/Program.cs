using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace Names
{
    /// <summary>
    /// The name service: services register endpoints under names, clients look them up (protocol:
    /// Exo.Std.Services.NameService). init starts it first and grants it one handle, the endpoint it serves;
    /// every other program init starts gets a calling copy. It never exits: init restarts it if it ends.
    /// </summary>
    public static class Program
    {
        public static int Main()
        {
            if (Process.StartupHandleCount < 1)
            {
                Console.WriteLine("names: no endpoint to serve (init grants it)");
                return 1;
            }
            Endpoint own = new Endpoint(Process.StartupHandle(0));
            NameRegistry registry = new NameRegistry();
            Error error = own.Receive(out Message request);
            while (true)
            {
                if (error != Error.None)
                {
                    // The caller went away before the reply (peer gone): nothing to answer, take the next call.
                    error = own.Receive(out request);
                    continue;
                }
                Message reply = Serve(registry, request);
                error = own.ReplyAndReceive(ref reply);
                request = reply;
            }
        }

        private static Message Serve(NameRegistry registry, in Message request)
        {
            Message reply = new Message(0);
            if (!ServiceName.TryFromWords(request.Word1, request.Word2, request.Word3, out ServiceName name))
            {
                CloseIfValid(request.Handle);
                reply.Word0 = SystemCall.ResultOf(Error.Invalid);
                return reply;
            }
            Error result;
            switch (request.Word0)
            {
                case NameService.OperationRegister:
                    result = Register(registry, name, request);
                    break;
                case NameService.OperationLookup:
                    result = registry.TryLookup(name, out uint found) ? Error.None : Error.NotFound;
                    reply.Handle = new Handle(found);   // a copy goes to the caller; the registry keeps its own
                    break;
                case NameService.OperationRemove:
                    result = registry.Remove(name, request.Badge, out uint removed);
                    CloseIfValid(new Handle(removed));
                    break;
                default:
                    result = Error.Invalid;
                    break;
            }
            if (request.Word0 != NameService.OperationRegister)
                CloseIfValid(request.Handle);   // a handle sent with anything but a registration is not kept
            reply.Word0 = SystemCall.ResultOf(result);
            return reply;
        }

        private static Error Register(NameRegistry registry, in ServiceName name, in Message request)
        {
            if (request.Handle.Info(out ObjectType type, out Rights rights) != Error.None || type != ObjectType.Endpoint
                || (rights & NameService.RegisteredRights) != NameService.RegisteredRights || (rights & Rights.Read) != 0)
            {
                request.Handle.Close();
                return Error.Invalid;   // only endpoints that can be called and handed on, and not received from
            }
            Error result = registry.Register(name, request.Handle.Value, request.Badge, out uint replaced);
            if (result != Error.None)
                request.Handle.Close();
            CloseIfValid(new Handle(replaced));   // the endpoint of a service that was restarted
            return result;
        }

        private static void CloseIfValid(Handle handle)
        {
            if (handle.IsValid)
                handle.Close();
        }
    }
}
