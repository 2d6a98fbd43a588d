namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// Every handle table as one space: the one capability lock (HandleTable's rule: every table operation holds
    /// it, as one operation may reach other tables through the derivation tree), and lookups that take a
    /// reference for use after the lock is dropped. It knows tables, not their owners: processes, system calls
    /// and drivers use it, never the other way round (a driver hooks HandleTable.CapabilityRemoved itself).
    /// Lock order: Sync.LockRank (the capability lock comes before object and processor locks).
    /// </summary>
    public static unsafe class CapabilitySpace
    {
        private static Sync.SpinLock s_lock;

        public static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.Capabilities;
            HandleTable.ObjectAcquired = &KernelObject.Acquired;
            HandleTable.ObjectReleased = &KernelObject.Released;
        }

        public static void Enter() => s_lock.Enter();
        public static void Exit() => s_lock.Exit();

        /// <summary>The object 'handle' names in 'table' with a reference the caller must Release (on success).</summary>
        public static Error Reference(HandleTable table, ulong handle, ObjectType type, Rights rights, out KernelObject value)
        {
            value = null;
            if (handle > uint.MaxValue)
                return Error.BadHandle;
            s_lock.Enter();
            Error error = table.Lookup(new Handle((uint)handle), type, rights, out Capability capability);
            if (error == Error.None)
            {
                value = (KernelObject)capability.Object;
                value.AddReference();
            }
            s_lock.Exit();
            return error;
        }

        /// <summary>Gives 'table' a root capability to a new object and drops the creator's reference (on an
        /// error the object is destroyed).</summary>
        public static Error InsertNew(HandleTable table, KernelObject value, ObjectType type, Rights rights, out Handle handle)
        {
            s_lock.Enter();
            Error error = table.Insert(value, type, rights, null, out handle);
            s_lock.Exit();
            value.Release();
            return error;
        }

        /// <summary>
        /// Sends 'handle' of 'from' to 'to' (copy, or move if <see cref="Constants.MoveHandle"/> is set in
        /// 'transfer'), keeping its rights; 'received' is the receiver's handle. Call holding the capability lock.
        /// </summary>
        public static Error TransferLocked(HandleTable from, ulong transfer, HandleTable to, out Handle received)
        {
            Handle source = new Handle((uint)transfer);
            bool move = (transfer & Constants.MoveHandle) != 0;
            received = Handle.Invalid;
            Error error = from.Lookup(source, ObjectType.None, Rights.None, out Capability capability);
            if (error == Error.None)
                error = HandleTable.Transfer(from, source, to, capability.Rights, move, out received);
            return error;
        }

        /// <summary>Checks that 'transfer' (0: none) names a capability 'from' may send (so a call fails before it is delivered).</summary>
        public static Error CheckTransfer(HandleTable from, ulong transfer)
        {
            if (transfer == 0)
                return Error.None;
            if ((transfer & ~(Constants.MoveHandle | uint.MaxValue)) != 0)
                return Error.Invalid;
            s_lock.Enter();
            Error error = from.Lookup(new Handle((uint)transfer), ObjectType.None, Rights.Grant, out _);
            s_lock.Exit();
            return error;
        }
    }
}
