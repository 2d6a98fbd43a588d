using Exo.Abi;
using Exo.Protocols.Rings;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// A ring doorbell on a kernel <see cref="Notification"/>: Ring signals 'Bits', Wait sleeps until any bit
    /// is set. Several doorbells may share one notification with different bits (a process that waits on one
    /// notification for several rings); Wait takes every bit, which is safe because the ring calls re-check
    /// their ring after each wake-up and sleep only after announcing it (see SpscConsumer).
    /// </summary>
    public struct NotificationDoorbell : IRingDoorbell
    {
        public Notification Notification;
        public ulong Bits;
        /// <summary>The first error a Ring or Wait met (None if they all worked).</summary>
        public Error Error;

        public NotificationDoorbell(Notification notification, ulong bits)
        {
            Notification = notification;
            Bits = bits;
            Error = Error.None;
        }

        public bool Ring() => Check(Notification.Signal(Bits));

        public bool Wait() => Check(Notification.Wait(out _));

        private bool Check(Error error)
        {
            if (error == Error.None)
                return true;
            if (Error == Error.None)
                Error = error;
            return false;
        }
    }
}
