using static Exo.Kernel.Tests.KernelTestRunner;
using UserModeRunner = Exo.Kernel.UserMode.UserMode;

namespace Exo.Kernel.Tests
{
    /// <summary>Ring-3 code: system calls in and out, and faults that end the program, not the kernel.</summary>
    public static unsafe class UserModeTests
    {
        public static void Run()
        {
            Test("null_calls_then_exit", &NullCallsThenExit);
            Test("reading_kernel_memory_ends_the_program", &ReadingKernelMemory);
            Test("privileged_instruction_ends_the_program", &PrivilegedInstruction);
            Test("unknown_call_returns_an_error", &UnknownCall);
            Test("kernel_goes_on_after_faults", &KernelGoesOn);
            Test("program_that_loads_gs_still_makes_calls", &LoadsGs);
        }

        private static void NullCallsThenExit()
        {
            ulong before = UserModeRunner.SystemCalls;
            ulong result = UserModeRunner.RunProgram(UserModeRunner.ProgramNullCalls);
            Equal(42, result, "the program exited with 42");
            Equal(before + 1001, UserModeRunner.SystemCalls, "1000 null calls and one exit reached the kernel");
        }

        private static void ReadingKernelMemory()
        {
            ulong faultsBefore = UserModeRunner.Faults;
            ulong result = UserModeRunner.RunProgram(UserModeRunner.ProgramReadKernel);
            Equal(UserModeRunner.FaultResultBase + 14, result, "a page fault ended the program");
            Equal(faultsBefore + 1, UserModeRunner.Faults, "one user fault reported");
        }

        private static void PrivilegedInstruction()
            => Equal(UserModeRunner.FaultResultBase + 13, UserModeRunner.RunProgram(UserModeRunner.ProgramPrivileged), "cli in ring 3 raised a general-protection fault");

        private static void UnknownCall()
            => Equal(UserModeRunner.UnknownCallResult, UserModeRunner.RunProgram(UserModeRunner.ProgramBadCall), "system call 9999 returned -38 and the program went on to exit with it");

        private static void LoadsGs()
            => Equal(7, UserModeRunner.RunProgram(UserModeRunner.ProgramLoadsGs), "after 'mov gs, ax' in ring 3 the system call and exit worked");

        private static void KernelGoesOn()
        {
            for (int i = 0; i < 5; i++)
                UserModeRunner.RunProgram(UserModeRunner.ProgramReadKernel);
            Equal(42, UserModeRunner.RunProgram(UserModeRunner.ProgramNullCalls), "after five faulting programs, a good one still runs");
            Check(!Memory.KernelPageTables.TryTranslate(UserModeRunner.CodeAddress, out _, out _), "the program's pages are unmapped afterwards");
        }
    }
}
