using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// The I/O port capabilities a process enabled (io_port_enable) and the bitmap they add up to. Made on the
    /// first enable, so a process that never asks for ports has none. The bitmap is always recomputed from the
    /// enabled handles that are still live in the process's table: when a capability to an I/O port range
    /// leaves a table (close, revoke from any process, move, the process ending) the table's hook calls
    /// <see cref="OnCapabilityRemoved"/>, so a port whose capability is gone faults at the next IN or OUT.
    /// </summary>
    public sealed unsafe class IoPortGrants
    {
        /// <summary>Enabled capabilities per process (an explicit limit, checked).</summary>
        public const int Capacity = 16;
        /// <summary>What io_port_enable needs: the bitmap allows IN and OUT alike.</summary>
        public const Rights RequiredRights = Rights.Read | Rights.Write;

        public readonly IoPermissionBitmap Bitmap = new IoPermissionBitmap();
        private readonly uint[] _handles = new uint[Capacity];
        private int _count;

        /// <summary>Remembers an enabled handle; false if the process already enabled Capacity others.</summary>
        public bool Add(uint handle)
        {
            for (int i = 0; i < _count; i++)
                if (_handles[i] == handle)
                    return true;
            if (_count >= Capacity)
                return false;
            _handles[_count++] = handle;
            return true;
        }

        /// <summary>
        /// Rebuilds the bitmap from the enabled handles still live in 'table' (with the rights), forgetting the
        /// others. Hold the capability lock and IoPermissions' lock.
        /// </summary>
        public void RecomputeLocked(HandleTable table)
        {
            Bitmap.Clear();
            int kept = 0;
            for (int i = 0; i < _count; i++)
            {
                if (table.Lookup(new Handle(_handles[i]), ObjectType.IoPortRange, RequiredRights, out Capability capability) != Error.None)
                    continue;   // closed, revoked, moved away, or its rights are gone: its ports go
                IoPortRange range = (IoPortRange)capability.Object;
                Bitmap.Allow(range.First, range.Count);
                _handles[kept++] = _handles[i];
            }
            _count = kept;
        }

        /// <summary>HandleTable's hook (under the capability lock): a capability left 'table'.</summary>
        internal static void OnCapabilityRemoved(HandleTable table, ObjectType type)
        {
            if (type != ObjectType.IoPortRange || table.Owner is not Process process || process.IoPorts is not IoPortGrants grants)
                return;
            IoPermissions.Enter();
            grants.RecomputeLocked(table);
            IoPermissions.RefreshLocked(grants.Bitmap);
            IoPermissions.Exit();
        }

        /// <summary>Frees the record (its process is gone; no processor holds the bitmap any more).</summary>
        public void Free()
        {
            Bitmap.Destroy(&Exo.Runtime.ObjectAllocator.Free);
            Exo.Runtime.ObjectAllocator.Free(_handles);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
