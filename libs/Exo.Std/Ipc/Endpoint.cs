using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// A Fusion Ring endpoint: synchronous calls in registers. A client Calls (waits for the reply); a server
    /// Receives once, then loops on ReplyAndReceive (one system call per request: reply and wait together).
    /// </summary>
    public readonly unsafe struct Endpoint
    {
        public readonly Handle Handle;

        public Endpoint(Handle handle) { Handle = handle; }

        public static Error Create(out Endpoint endpoint)
        {
            long result = SystemCall.Call(SystemCallNumber.EndpointCreate);
            endpoint = result > 0 ? new Endpoint(new Handle((uint)result)) : default;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>Sends 'message' and waits for the reply, which replaces it (words, handle, badge).</summary>
        public Error Call(ref Message message) => Transfer(SystemCallNumber.IpcCall, ref message);

        /// <summary>Waits for a call; 'message' receives it, with the caller's badge.</summary>
        public Error Receive(out Message message)
        {
            IpcRegisters registers = default;
            long status = SystemCall.Ipc(SystemCallNumber.IpcReceive, Handle.Value, &registers);
            message = status >= 0 ? Message.FromRegisters(registers) : default;
            return SystemCall.ErrorOf(status);
        }

        /// <summary>Replies to the last call with 'message', then waits for the next call, which replaces it.</summary>
        public Error ReplyAndReceive(ref Message message) => Transfer(SystemCallNumber.IpcReplyReceive, ref message);

        private Error Transfer(SystemCallNumber number, ref Message message)
        {
            IpcRegisters registers = message.ToRegisters();
            long status = SystemCall.Ipc(number, Handle.Value, &registers);
            if (status >= 0)
                message = Message.FromRegisters(registers);
            return SystemCall.ErrorOf(status);
        }

        public Error Close() => Handle.Close();
        public Error Revoke() => Handle.Revoke();
        public Error Info(out ObjectType type, out Rights rights) => Handle.Info(out type, out rights);

        public Error Duplicate(Rights rights, out Endpoint duplicate)
        {
            Error error = Handle.Duplicate(rights, out Handle handle);
            duplicate = new Endpoint(handle);
            return error;
        }
    }
}
