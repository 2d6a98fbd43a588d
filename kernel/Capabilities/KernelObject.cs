using System.Threading;

namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// What a capability names: a process, memory object, endpoint or notification. Counted references keep it
    /// alive: one per capability that names it (the handle tables take and drop them through
    /// <see cref="HandleTable.ObjectAcquired"/>/<see cref="HandleTable.ObjectReleased"/>) plus any the kernel
    /// holds itself (a running process, a mapping). The last release destroys it.
    /// </summary>
    public abstract class KernelObject
    {
        private int _references = 1;   // the creator's

        public int References => Volatile.Read(ref _references);

        public void AddReference() => Interlocked.Increment(ref _references);

        /// <summary>
        /// A reference unless the object is already on its way out (none left): for holders of a weak pointer that
        /// the object's destruction clears under a lock they hold (epoll's watched files).
        /// </summary>
        public bool TryAddReference()
        {
            for (;;)
            {
                int current = Volatile.Read(ref _references);
                if (current == 0)
                    return false;
                if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
                    return true;
            }
        }

        /// <summary>Drops a reference unless it is the last (then false, nothing done): the caller releases it later, outside its locks.</summary>
        public bool ReleaseUnlessLast()
        {
            for (;;)
            {
                int current = Volatile.Read(ref _references);
                if (current <= 1)
                    return false;
                if (Interlocked.CompareExchange(ref _references, current - 1, current) == current)
                    return true;
            }
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
                Destroy();
        }

        /// <summary>Writes what this object covers, for the shell's capability listing (a device's ports, line or range); nothing by default.</summary>
        public virtual void WriteDetails() { }

        /// <summary>Frees what the object holds and the object itself; runs once, when nothing refers to it.</summary>
        protected abstract void Destroy();

        // The handle tables' hooks (set once at boot: host tests leave them null).
        internal static void Acquired(object value) => ((KernelObject)value).AddReference();
        internal static void Released(object value) => ((KernelObject)value).Release();
    }
}
