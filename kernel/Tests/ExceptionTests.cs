using Exo.Kernel.Arch.X64;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>CPU exceptions reach the kernel's handlers: expected faults recover, traps continue.</summary>
    public static unsafe class ExceptionTests
    {
        public static void Run()
        {
            Test("breakpoint_trap_continues", &BreakpointContinues);
            Test("page_fault_recovered", &PageFaultRecovered);
            Test("invalid_opcode_recovered", &InvalidOpcodeRecovered);
            Test("divide_error_recovered", &DivideErrorRecovered);
            Test("non_canonical_address_general_protection", &NonCanonical);
            Test("idt_has_all_vectors", &IdtHasAllVectors);
        }

        private static void BreakpointContinues()
        {
            ulong before = InterruptDispatcher.Breakpoints;
            FaultFixups.Breakpoint();
            FaultFixups.Breakpoint();
            Equal(before + 2, InterruptDispatcher.Breakpoints, "two int3 counted, execution went on");
        }

        private static void PageFaultRecovered()
        {
            ulong recovered = FaultFixups.RecoveredFaults;
            ulong value;
            Equal(15, FaultFixups.ProbeRead(0x00007F0000000000, &value), "page fault vector reported");
            Equal(recovered + 1, FaultFixups.RecoveredFaults, "one recovered fault");
            Equal(0, FaultFixups.ProbeRead((ulong)&value, &value), "a valid read does not fault");
        }

        private static void InvalidOpcodeRecovered() => Equal(7, FaultFixups.ProbeInvalidOpcode(), "ud2 raised invalid opcode (6 + 1)");

        private static void DivideErrorRecovered()
        {
            Equal(6, FaultFixups.ProbeDivide(42, 7), "42 / 7");
            Equal(1, FaultFixups.ProbeDivide(42, 0), "divide by zero raised a divide error (0 + 1)");
        }

        private static void NonCanonical()
        {
            ulong value;
            Equal(14, FaultFixups.ProbeRead(0x8000000000000000, &value), "non-canonical address raises #GP (13 + 1)");
        }

        private static void IdtHasAllVectors()
        {
            // Every stub exists: vector numbers seen so far came back right; check the spurious path too.
            Check(InterruptDispatcher.ExceptionName(14) == "page fault", "exception names");
            Check(InterruptDispatcher.ExceptionName(8) == "double fault", "double fault named");
        }
    }
}
