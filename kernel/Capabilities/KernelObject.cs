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
