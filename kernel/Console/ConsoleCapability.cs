using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Console
{
    /// <summary>
    /// The console as a capability: a process may write to the console (console write, the Linux personality's
    /// write to descriptors 1 and 2, the bench report) only while it holds a handle to this object with the Write
    /// right. The kernel gives one to the programs it starts itself (shell, tests, init), as their last startup
    /// handle; any other process has it only if its parent granted it, like every capability.
    /// </summary>
    public sealed class ConsoleCapability : KernelObject
    {
        public const Rights GrantedRights = Rights.Write | Rights.Grant | Rights.Duplicate;

        /// <summary>The one console object; the kernel's own reference keeps it for ever.</summary>
        public static ConsoleCapability Instance { get; private set; }

        public static void Initialize() => Instance = new ConsoleCapability();

        /// <summary>May this process write to the console? Ring-3 code the kernel runs without a process (its
        /// own tests) may.</summary>
        public static bool MayWrite(Processes.Process process)
        {
            if (process == null)
                return true;
            CapabilitySpace.Enter();
            bool holds = process.Handles.Holds(ObjectType.Console, Rights.Write);
            CapabilitySpace.Exit();
            return holds;
        }

        protected override void Destroy() { }   // never reached: the kernel's reference is never released
    }
}
