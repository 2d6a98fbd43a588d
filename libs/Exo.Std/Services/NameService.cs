using Exo.Abi;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// A client of the name service (userland/csharp/names), through the endpoint init grants every program it
    /// starts. One call per request: Word0 the operation, Words 1-3 the name (ServiceName), the endpoint in the
    /// message's handle; the reply's Word0 is 0 or an error, and a lookup's reply carries a copy of the endpoint.
    /// </summary>
    public readonly struct NameService
    {
        public const ulong OperationRegister = 1, OperationLookup = 2, OperationRemove = 3;
        /// <summary>Rights a registered endpoint should carry: call it, and let the name service hand out copies.</summary>
        public const Rights RegisteredRights = Rights.Write | Rights.Grant | Rights.Duplicate;

        public readonly Endpoint Endpoint;

        public NameService(Endpoint endpoint) { Endpoint = endpoint; }

        /// <summary>Binds 'name' to a copy of 'service': exactly RegisteredRights or more, but never Read (that would let lookers receive its calls).</summary>
        public Error Register(string name, Endpoint service) => Request(OperationRegister, name, service.Handle, out _);

        public Error Register(in ServiceName name, Endpoint service) => Request(OperationRegister, name, service.Handle, out _);

        /// <summary>A handle of this process's own to the endpoint bound to 'name'; NotFound if none is.</summary>
        public Error Lookup(string name, out Endpoint service)
        {
            Error error = Request(OperationLookup, name, Handle.None, out Handle handle);
            service = new Endpoint(handle);
            return error;
        }

        /// <summary>Unbinds 'name' (only its registrant may).</summary>
        public Error Remove(string name) => Request(OperationRemove, name, Handle.None, out _);

        private Error Request(ulong operation, string name, Handle send, out Handle received)
        {
            received = Handle.None;
            if (!ServiceName.TryCreate(name, out ServiceName packed))
                return Error.Invalid;
            return Request(operation, packed, send, out received);
        }

        private Error Request(ulong operation, in ServiceName packed, Handle send, out Handle received)
        {
            received = Handle.None;
            Message message = new Message(operation, packed.Part0, packed.Part1, packed.Part2);
            message.Handle = send;
            Error error = Endpoint.Call(ref message);
            if (error != Error.None)
                return error;
            received = message.Handle;
            return SystemCall.ErrorOf((long)message.Word0);   // the reply's status word
        }
    }
}
