using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;

namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// The kernel's side of capabilities for system calls: the one capability lock (HandleTable's rule: every
    /// table operation holds it, as one operation may reach other tables through the derivation tree), lookups
    /// that take a reference for use after the lock is dropped, and errors as system call results.
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

        /// <summary>
        /// The object 'handle' names in 'process' with a reference the caller must Release; 0 on success or a
        /// system call error.
        /// </summary>
        public static ulong Reference(Process process, ulong handle, KernelObjectType type, Rights rights, out KernelObject value)
        {
            value = null;
            if (process == null || handle > uint.MaxValue)
                return SystemCalls.BadHandle;
            s_lock.Enter();
            CapabilityError error = process.Handles.Lookup(new Handle((uint)handle), type, rights, out Capability capability);
            if (error == CapabilityError.None)
            {
                value = (KernelObject)capability.Object;
                value.AddReference();
            }
            s_lock.Exit();
            return ToResult(error);
        }

        /// <summary>Gives 'process' a root capability to a new object and drops the creator's reference: returns
        /// the handle, or an error (and the object is destroyed).</summary>
        public static ulong InsertNew(Process process, KernelObject value, KernelObjectType type, Rights rights)
        {
            s_lock.Enter();
            CapabilityError error = process.Handles.Insert(value, type, rights, null, out Handle handle);
            s_lock.Exit();
            value.Release();
            return error == CapabilityError.None ? handle.Value : ToResult(error);
        }

        /// <summary>
        /// Sends 'handle' of 'from' to 'to' (copy, or move if bit 32 of 'transfer' is set), keeping its rights.
        /// Returns the receiver's handle, or 0 if none was sent. Call holding the capability lock.
        /// </summary>
        public static ulong TransferLocked(Process from, ulong transfer, Process to, out ulong error)
        {
            error = 0;
            if (transfer == 0)
                return 0;
            Handle source = new Handle((uint)transfer);
            bool move = (transfer & (1UL << 32)) != 0;
            Handle received = Handle.Invalid;
            CapabilityError result = from.Handles.Lookup(source, KernelObjectType.None, Rights.None, out Capability capability);
            if (result == CapabilityError.None)
                result = HandleTable.Transfer(from.Handles, source, to.Handles, capability.Rights, move, out received);
            if (result != CapabilityError.None)
            {
                error = ToResult(result);
                return 0;
            }
            return received.Value;
        }

        /// <summary>Checks that 'transfer' names a capability 'from' may send (so a call fails before it is delivered).</summary>
        public static ulong CheckTransfer(Process from, ulong transfer)
        {
            if (transfer == 0)
                return 0;
            if ((transfer & ~((1UL << 32) | uint.MaxValue)) != 0)
                return SystemCalls.InvalidArgument;
            s_lock.Enter();
            CapabilityError error = from.Handles.Lookup(new Handle((uint)transfer), KernelObjectType.None, Rights.Grant, out _);
            s_lock.Exit();
            return ToResult(error);
        }

        public static ulong ToResult(CapabilityError error)
        {
            switch (error)
            {
                case CapabilityError.None: return 0;
                case CapabilityError.InvalidHandle: return SystemCalls.BadHandle;
                case CapabilityError.WrongType: return SystemCalls.BadHandle;
                case CapabilityError.TableFull: return SystemCalls.OutOfMemory;
                case CapabilityError.RightsNotSubset: return SystemCalls.InvalidArgument;
                default: return SystemCalls.AccessDenied;   // insufficient rights, not grantable
            }
        }
    }
}
