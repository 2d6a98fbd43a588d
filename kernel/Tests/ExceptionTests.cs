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
            Test("idt_gates_point_at_their_stubs", &IdtHasAllVectors);
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

        // The exceptions for which the CPU pushes an error code: their stubs must not push a dummy one.
        private static bool HasErrorCode(int vector)
            => vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30;

        // Faults that must not run on a possibly broken stack get their own (interrupt stack table index).
        private static int ExpectedStackIndex(int vector) => vector switch
        {
            8 => DescriptorTables.DoubleFaultStack,
            2 => DescriptorTables.NonMaskableInterruptStack,
            18 => DescriptorTables.MachineCheckStack,
            _ => 0,
        };

        /// <summary>
        /// Decodes the stub at 'code': [push 0] push vector, jmp. Returns the jump's target, or 0 if the code
        /// is not that shape for 'vector' (a wrong vector, a dummy error code where the CPU pushes one, or none where it does not).
        /// </summary>
        private static ulong StubTarget(byte* code, int vector)
        {
            if (!HasErrorCode(vector))
            {
                if (code[0] != 0x6A || code[1] != 0x00)   // push 0: the missing error code
                    return 0;
                code += 2;
            }
            if (vector < 128)
            {
                if (code[0] != 0x6A || code[1] != vector)   // push imm8
                    return 0;
                code += 2;
            }
            else
            {
                if (code[0] != 0x68 || *(uint*)(code + 1) != (uint)vector)   // push imm32 (imm8 would sign-extend)
                    return 0;
                code += 5;
            }
            if (code[0] == 0xE9)   // jmp rel32
                return (ulong)(code + 5) + (ulong)(long)*(int*)(code + 1);
            if (code[0] == 0xEB)   // jmp rel8 (the last stubs are near the common entry)
                return (ulong)(code + 2) + (ulong)(long)*(sbyte*)(code + 1);
            return 0;
        }

        // Reads the IDT the processor has loaded (SIDT): each of the 256 gates is present, a 64-bit interrupt gate
        // of DPL 0 into the kernel's code segment, on the right interrupt stack, and points at its own stub, which
        // pushes that vector (and a dummy error code only where the CPU pushes none) and jumps to the common entry.
        // The interrupt stacks it names are set in this processor's TSS (STR, SGDT) and mapped.
        private static void IdtHasAllVectors()
        {
            byte* register = stackalloc byte[16];
            Cpu.StoreInterruptTable(register);
            ulong limit = *(ushort*)register;
            byte* idt = (byte*)*(ulong*)(register + 2);
            Equal(256 * 16 - 1, limit, "the loaded IDT's limit covers 256 gates");
            ulong commonEntry = 0;
            for (int vector = 0; vector < 256; vector++)
            {
                byte* gate = idt + vector * 16;
                ulong offset = *(ushort*)gate | ((ulong)*(ushort*)(gate + 6) << 16) | ((ulong)*(uint*)(gate + 8) << 32);
                byte attributes = gate[5];
                if (!Check((attributes & 0x80) != 0, "gate present (value: vector)", (ulong)vector)
                    | !Check((attributes & 0x1F) == 0x0E, "64-bit interrupt gate, interrupts masked on entry (value: vector)", (ulong)vector)
                    | !Check((attributes >> 5 & 3) == 0, "DPL 0: ring 3 cannot raise it with INT n (value: vector)", (ulong)vector)
                    | !Check(*(ushort*)(gate + 2) == DescriptorTables.KernelCode, "the gate's selector is the kernel's code segment (value: vector)", (ulong)vector)
                    | !Check((gate[4] & 7) == ExpectedStackIndex(vector), "the gate's interrupt stack index: 1 #DF, 2 NMI, 3 #MC, else 0 (value: vector)", (ulong)vector)
                    | !Check(offset == DescriptorTables.InterruptStub(vector), "the gate points at its vector's stub (value: vector)", (ulong)vector))
                    return;
                ulong target = StubTarget((byte*)offset, vector);
                if (!Check(target != 0, "the stub pushes its own vector, and a dummy error code only where the CPU pushes none (value: vector)", (ulong)vector))
                    return;
                if (commonEntry == 0)
                    commonEntry = target;
                if (!Check(target == commonEntry, "every stub jumps to the common entry (value: vector)", (ulong)vector))
                    return;
            }

            // The interrupt stacks named by the gates: this processor's TSS, through its GDT descriptor.
            Cpu.StoreGlobalTable(register);
            ulong* gdt = (ulong*)*(ulong*)(register + 2);
            ushort taskRegister = Cpu.StoreTaskRegister();
            Equal(DescriptorTables.TaskState, taskRegister, "the task register holds the TSS selector");
            ulong low = gdt[taskRegister / 8], high = gdt[taskRegister / 8 + 1];
            ulong* tss = (ulong*)(((low >> 16) & 0xFFFFFF) | (((low >> 56) & 0xFF) << 24) | (high << 32));
            for (int index = 1; index <= 3; index++)
            {
                // IST1 is at byte 36 of the TSS: 4 + 3 x 8 + 8 (the 8-byte fields are not 8-aligned).
                ulong top = *(ulong*)((byte*)tss + 36 + 8 * (index - 1));
                Check(top != 0, "the TSS has a stack for each IST index a gate uses (value: index)", (ulong)index);
                Check(Memory.KernelPageTables.TryTranslate(top - 8, out _, out _), "that stack is mapped", top);
            }

            Check(InterruptDispatcher.ExceptionName(14) == "page fault", "exception names");
            Check(InterruptDispatcher.ExceptionName(8) == "double fault", "double fault named");
        }
    }
}
