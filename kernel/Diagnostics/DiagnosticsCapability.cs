using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Diagnostics
{
    /// <summary>
    /// What the test-only system calls need (DebugLog, BenchReport): a handle to this object with the Write right.
    /// The kernel grants it to the programs it starts itself only while it runs its tests or benchmarks
    /// (test=... or bench on its command line), so on a normal boot no program has it and the calls answer
    /// AccessDenied: the production kernel keeps them, but nothing can reach them.
    /// </summary>
    public sealed class DiagnosticsCapability : KernelObject
    {
        public const Rights GrantedRights = Rights.Write;

        /// <summary>The one object; the kernel's own reference keeps it for ever.</summary>
        public static DiagnosticsCapability Instance { get; private set; }

        /// <summary>Set by the test runner and the benchmarks before they start any program.</summary>
        public static bool Granted { get; private set; }

        /// <summary>From now on the kernel's own programs get the capability (test and bench boots only).</summary>
        public static void GrantToKernelPrograms()
        {
            Instance ??= new DiagnosticsCapability();
            Granted = true;
        }

        protected override void Destroy() { }   // never reached: the kernel's reference is never released
    }
}
