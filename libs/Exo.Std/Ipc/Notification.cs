using Exo.Abi;
using Exo.Std.Handles;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// A word of event bits in the kernel: Signal ORs bits in and wakes a waiter; Wait sleeps until some bit
    /// is set and takes (clears) them all; Poll takes them without sleeping. Bits stay set until taken, so a
    /// signal sent before the waiter sleeps is never lost (the rings rely on this).
    /// </summary>
    public readonly struct Notification
    {
        public readonly Handle Handle;

        public Notification(Handle handle) { Handle = handle; }

        public static Error Create(out Notification notification)
        {
            long result = SystemCall.Call(SystemCallNumber.NotificationCreate);
            notification = result > 0 ? new Notification(new Handle((uint)result)) : default;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>ORs 'bits' into the word and wakes a waiter (needs Signal).</summary>
        public Error Signal(ulong bits) => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.NotificationSignal, Handle.Value, bits));

        /// <summary>Sleeps until some bit is set, then takes them all (needs Wait).</summary>
        public Error Wait(out ulong bits)
        {
            long result = SystemCall.Call(SystemCallNumber.NotificationWait, Handle.Value);
            bits = result >= 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>
        /// As <see cref="Wait"/>, but gives up with TimedOut (no bits) once <see cref="Exo.Std.MonotonicClock"/> passes
        /// 'deadlineNanoseconds'; a deadline already past polls.
        /// </summary>
        public Error WaitUntil(ulong deadlineNanoseconds, out ulong bits)
        {
            long result = SystemCall.Call(SystemCallNumber.NotificationWaitUntil, Handle.Value, deadlineNanoseconds);
            bits = result >= 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>Takes the bits that are set (possibly none) without sleeping.</summary>
        public Error Poll(out ulong bits)
        {
            long result = SystemCall.Call(SystemCallNumber.NotificationPoll, Handle.Value);
            bits = result >= 0 ? (ulong)result : 0;
            return SystemCall.ErrorOf(result);
        }

        public Error Close() => Handle.Close();
        public Error Revoke() => Handle.Revoke();
        public Error Info(out ObjectType type, out Rights rights) => Handle.Info(out type, out rights);

        public Error Duplicate(Rights rights, out Notification duplicate)
        {
            Error error = Handle.Duplicate(rights, out Handle handle);
            duplicate = new Notification(handle);
            return error;
        }
    }
}
