using Exo.Abi;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Devices
{
    /// <summary>
    /// A device's interrupt line: each interrupt masks it and signals the bound notification's bits; quiet the
    /// device, then Acknowledge to unmask it for the next one.
    /// </summary>
    public readonly struct InterruptLine
    {
        public readonly Handle Handle;

        public InterruptLine(Handle handle) { Handle = handle; }

        /// <summary>Signal 'bits' (1 to 2^63 - 1) of 'notification' on each interrupt (needs Manage; Signal on the notification).</summary>
        public Error Bind(Notification notification, ulong bits)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.InterruptBind, Handle.Value, notification.Handle.Value, bits));

        /// <summary>Unmasks the line (needs Wait).</summary>
        public Error Acknowledge() => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.InterruptAcknowledge, Handle.Value));

        public Error Close() => Handle.Close();
    }
}
