using Exo.Abi;

namespace Exo.Std.Handles
{
    /// <summary>A handle to a child process (from <see cref="Exo.Std.Process.Spawn(string, out ProcessHandle)"/>).</summary>
    public readonly struct ProcessHandle
    {
        /// <summary>What Wait returns for a process that faulted: this plus the exception vector.</summary>
        public const long FaultStatusBase = (long)Constants.FaultStatusBase;
        /// <summary>What Wait returns for a process that was killed.</summary>
        public const long KilledStatus = (long)Constants.KilledStatus;

        public readonly Handle Handle;

        public ProcessHandle(Handle handle) { Handle = handle; }

        /// <summary>Waits for the process to end: its exit status, or FaultStatusBase + vector if it faulted.</summary>
        public Error Wait(out long status)
        {
            long result = SystemCall.Call(SystemCallNumber.ProcessWait, Handle.Value);
            // Exit statuses are 32-bit and a fault is 2^32 + vector, so a result that is negative as 64 bits is an error.
            status = result >= 0 ? result : 0;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>True if a status from Wait means the process faulted rather than exited.</summary>
        public static bool IsFault(long status) => status >= FaultStatusBase && status < KilledStatus;

        /// <summary>True if a status from Wait means the process was killed.</summary>
        public static bool IsKilled(long status) => status == KilledStatus;

        /// <summary>Writes how a process ended, as supervisors report it: " was killed", " was ended by a fault (vector
        /// N)" or " exited with status N", without a line end.</summary>
        public static void WriteEnd(long status)
        {
            if (IsKilled(status))
            {
                Console.Write(" was killed");
            }
            else if (IsFault(status))
            {
                Console.Write(" was ended by a fault (vector ");
                Console.Write(status - FaultStatusBase);
                Console.Write(")");
            }
            else
            {
                Console.Write(" exited with status ");
                Console.Write(status);
            }
        }

        /// <summary>Ends the process (needs Manage): at once if it runs or waits in the kernel; a call it made ends with its reply.</summary>
        public Error Kill() => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ProcessKill, Handle.Value));

        /// <summary>Asks the kernel to signal 'bits' on 'notification' when this process ends (at once if it has).</summary>
        public Error Watch(Ipc.Notification notification, ulong bits)
            => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.ProcessWatch, Handle.Value, notification.Handle.Value, bits));

        public Error Close() => Handle.Close();
        public Error Revoke() => Handle.Revoke();
        public Error Info(out ObjectType type, out Rights rights) => Handle.Info(out type, out rights);
    }
}
