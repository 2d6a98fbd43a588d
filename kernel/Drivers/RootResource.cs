using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Drivers
{
    /// <summary>
    /// The one object from which device resources (I/O port ranges, interrupt lines, physical ranges) are made,
    /// like Fuchsia's root resource: resource_create needs a handle to it with the Manage right. No system call
    /// creates it; the kernel hands a capability to it only to programs it starts itself on purpose (the
    /// drivers test suite, the shell's 'run-driver'), as the first handle they receive, and to init, which passes
    /// copies only to its driver services (the device manager). Whoever holds it can
    /// pass copies on (Grant) and revoke them; it can only ever make ranges the policies allow.
    /// </summary>
    public sealed class RootResource : KernelObject
    {
        public const Rights GrantedRights = Rights.Manage | Rights.Grant | Rights.Duplicate | Rights.Revoke;

        private static RootResource s_instance;

        /// <summary>The single root resource (made at boot). The kernel keeps the creator's reference forever, so it
        /// is never destroyed.</summary>
        public static RootResource Instance => s_instance;

        internal static void Initialize() => s_instance = new RootResource();

        protected override void Destroy() => Diagnostics.Panic.Fail("the root resource lost its last reference");
    }
}
