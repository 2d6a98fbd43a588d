namespace Exo.Kernel.Capabilities
{
    /// <summary>Why a capability operation was refused; None when it succeeded. Nothing changes on a refusal.</summary>
    public enum CapabilityError : byte
    {
        None,
        /// <summary>Index out of range, stale generation (closed, revoked, moved away), free slot, or forged.</summary>
        InvalidHandle,
        WrongType,
        InsufficientRights,
        TableFull,
        /// <summary>Asked for rights the source capability does not hold.</summary>
        RightsNotSubset,
        /// <summary>Sending a capability that lacks <see cref="Rights.Grant"/>.</summary>
        NotGrantable,
    }

    public static class CapabilityErrors
    {
        public static string Describe(CapabilityError error)
        {
            switch (error)
            {
                case CapabilityError.None: return "no error";
                case CapabilityError.InvalidHandle: return "invalid handle";
                case CapabilityError.WrongType: return "handle names another kind of object";
                case CapabilityError.InsufficientRights: return "handle lacks a required right";
                case CapabilityError.TableFull: return "handle table full";
                case CapabilityError.RightsNotSubset: return "requested rights exceed those held";
                case CapabilityError.NotGrantable: return "capability may not be sent (no grant right)";
                default: return "unknown capability error";
            }
        }
    }
}
