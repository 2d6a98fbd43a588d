using Exo.Kernel.Processes;

namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// The kernel's side of capabilities for system calls: the one capability lock (HandleTable's rule: every
    /// table operation holds it, as one operation may reach other tables through the derivation tree), and
    /// lookups that take a reference for use after the lock is dropped.
    /// Lock order: the capability lock, then object locks (endpoint, notification), then processor locks.
    /// </summary>
    public static unsafe class CapabilitySpace
    {
        private static Sync.SpinLock s_lock;

        public static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.Capabilities;
            HandleTable.ObjectAcquired = &KernelObject.Acquired;
            HandleTable.ObjectReleased = &KernelObject.Released;
            HandleTable.CapabilityRemoved = &Drivers.IoPortGrants.OnCapabilityRemoved;
        }

        public static void Enter() => s_lock.Enter();
        public static void Exit() => s_lock.Exit();

        /// <summary>The calling thread's process, or null for a kernel thread.</summary>
        public static Process CurrentProcess => Scheduler.Scheduler.Current.Process as Process;

        /// <summary>The object 'handle' names in 'process' with a reference the caller must Release (on success).</summary>
        public static Error Reference(Process process, ulong handle, ObjectType type, Rights rights, out KernelObject value)
        {
            value = null;
            if (process == null || handle > uint.MaxValue)
                return Error.BadHandle;
            s_lock.Enter();
            Error error = process.Handles.Lookup(new Handle((uint)handle), type, rights, out Capability capability);
            if (error == Error.None)
            {
                value = (KernelObject)capability.Object;
                value.AddReference();
            }
            s_lock.Exit();
            return error;
        }

        /// <summary>Gives 'process' a root capability to a new object and drops the creator's reference (on an
        /// error the object is destroyed).</summary>
        public static Error InsertNew(Process process, KernelObject value, ObjectType type, Rights rights, out Handle handle)
        {
            s_lock.Enter();
            Error error = process.Handles.Insert(value, type, rights, null, out handle);
            s_lock.Exit();
            value.Release();
            return error;
        }

        /// <summary>InsertNew for a system call: the handle, or the error as its result (also ProcessTable's
        /// grants, which test the result for a handle).</summary>
        public static ulong InsertNew(Process process, KernelObject value, ObjectType type, Rights rights)
            => Syscalls.SystemCallResult.From(InsertNew(process, value, type, rights, out Handle handle), handle.Value);

        /// <summary>
        /// Sends 'handle' of 'from' to 'to' (copy, or move if <see cref="Constants.MoveHandle"/> is set in
        /// 'transfer'), keeping its rights; 'received' is the receiver's handle. Call holding the capability lock.
        /// </summary>
        public static Error TransferLocked(Process from, ulong transfer, Process to, out Handle received)
        {
            Handle source = new Handle((uint)transfer);
            bool move = (transfer & Constants.MoveHandle) != 0;
            received = Handle.Invalid;
            Error error = from.Handles.Lookup(source, ObjectType.None, Rights.None, out Capability capability);
            if (error == Error.None)
                error = HandleTable.Transfer(from.Handles, source, to.Handles, capability.Rights, move, out received);
            return error;
        }

        /// <summary>Checks that 'transfer' (0: none) names a capability 'from' may send (so a call fails before it is delivered).</summary>
        public static Error CheckTransfer(Process from, ulong transfer)
        {
            if (transfer == 0)
                return Error.None;
            if ((transfer & ~(Constants.MoveHandle | uint.MaxValue)) != 0)
                return Error.Invalid;
            s_lock.Enter();
            Error error = from.Handles.Lookup(new Handle((uint)transfer), ObjectType.None, Rights.Grant, out _);
            s_lock.Exit();
            return error;
        }
    }
}
