using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Faults that are expected: an instruction (or a range of them) listed in FaultProbes.asm may fault, and then execution
    /// resumes at its recovery address with RAX = vector + 1. Everything else is a kernel bug.
    /// </summary>
    public static unsafe class FaultFixups
    {
        private static ulong s_recoveredFaults;
        public static ulong RecoveredFaults => s_recoveredFaults;

        [DllImport("*", EntryPoint = "ExoGetFaultFixups"), SuppressGCTransition]
        private static extern ulong* GetTable(ulong** end);

        [DllImport("*", EntryPoint = "ExoProbeRead"), SuppressGCTransition] public static extern ulong ProbeRead(ulong address, ulong* value);
        [DllImport("*", EntryPoint = "ExoProbeWrite"), SuppressGCTransition] public static extern ulong ProbeWrite(ulong address, ulong value);
        [DllImport("*", EntryPoint = "ExoProbeInvalidOpcode"), SuppressGCTransition] public static extern ulong ProbeInvalidOpcode();
        [DllImport("*", EntryPoint = "ExoProbeDivide"), SuppressGCTransition] public static extern ulong ProbeDivide(ulong dividend, ulong divisor);
        [DllImport("*", EntryPoint = "ExoBreakpoint"), SuppressGCTransition] public static extern void Breakpoint();

        /// <summary>If the faulting instruction has a recovery address, redirects the frame there.</summary>
        public static bool TryRecover(RegisterFrame* frame)
        {
            ulong* end;
            ulong* table = GetTable(&end);
            for (ulong* entry = table; entry < end; entry += 3)
            {
                if (frame->Rip >= entry[0] && frame->Rip < entry[1])
                {
                    frame->Rip = entry[2];
                    frame->Rax = frame->Vector + 1;
                    s_recoveredFaults++;
                    return true;
                }
            }
            return false;
        }
    }
}
