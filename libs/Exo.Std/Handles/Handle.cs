using Exo.Abi;

namespace Exo.Std.Handles
{
    /// <summary>
    /// A capability handle: a 32-bit value (12-bit slot index, 20-bit generation) in this process's handle
    /// table; 0 is never valid. The typed wrappers (Endpoint, Notification, MemoryObject, ProcessHandle) hold
    /// one and add the calls that make sense for their object. A plain value: copying it does not duplicate
    /// the capability (use <see cref="Duplicate"/>), and nothing closes it implicitly.
    /// </summary>
    public readonly struct Handle
    {
        public readonly uint Value;

        public Handle(uint value) { Value = value; }

        public static Handle None => default;
        public bool IsValid => Value != 0;

        /// <summary>Removes the handle from this process's table (derived handles elsewhere stay).</summary>
        public Error Close() => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.HandleClose, Value));

        /// <summary>A second handle to the same object with 'rights' (a subset of this one's; needs Duplicate).</summary>
        public Error Duplicate(Rights rights, out Handle duplicate)
        {
            long result = SystemCall.Call(SystemCallNumber.HandleDuplicate, Value, (ulong)rights);
            duplicate = result > 0 ? new Handle((uint)result) : default;
            return SystemCall.ErrorOf(result);
        }

        /// <summary>Removes every handle derived from this one, in every process (needs Revoke).</summary>
        public Error Revoke() => SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.HandleRevoke, Value));

        /// <summary>The object's kind and this handle's rights.</summary>
        public Error Info(out ObjectType type, out Rights rights)
        {
            long result = SystemCall.Call(SystemCallNumber.HandleInfo, Value);
            type = result >= 0 ? (ObjectType)(byte)result : ObjectType.None;
            rights = result >= 0 ? (Rights)(uint)((ulong)result >> 8) : Rights.None;
            return SystemCall.ErrorOf(result);
        }
    }
}
