using Exo.Kernel.Arch.X64;
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
            Test("sse_state_survives_switches_between_programs", &SseStateSurvives);
            Test("smep_smap_on_where_available", &ProtectionFeatures);
            Test("user_copies_reject_bad_pointers", &UserCopiesRejectBadPointers);
            Test("address_spaces_are_separate", &AddressSpacesAreSeparate);
        }

        private static void NullCallsThenExit()
        {
            ulong before = Syscalls.SystemCalls.Calls;
            ulong result = UserModeRunner.RunProgram(UserModeRunner.ProgramNullCalls);
            Equal(42, result, "the program exited with 42");
            Equal(before + 1001, Syscalls.SystemCalls.Calls, "1000 null calls and one exit reached the kernel");
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
            => Equal(UserModeRunner.UnknownCallResult & 0xFFFFFFFF, UserModeRunner.RunProgram(UserModeRunner.ProgramBadCall), "system call 9999 returned -38 and the program went on to exit with it (a 32-bit status)");

        private static void LoadsGs()
            => Equal(7, UserModeRunner.RunProgram(UserModeRunner.ProgramLoadsGs), "after 'mov gs, ax' in ring 3 the system call and exit worked");

        private static ulong s_sseResultA, s_sseResultB;

        private static void RunSseA(ulong unused) => s_sseResultA = UserModeRunner.RunProgram(UserModeRunner.ProgramSseStateA);
        private static void RunSseB(ulong unused) => s_sseResultB = UserModeRunner.RunProgram(UserModeRunner.ProgramSseStateB);

        // Two programs on one processor yield to each other 200 times each, every register checked after every
        // switch: without the per-thread save (XSAVEOPT) the other program's or the kernel's values show up.
        private static void SseStateSurvives()
        {
            s_sseResultA = s_sseResultB = 99;
            Scheduler.Thread a = Scheduler.Scheduler.Create("sse-a", &RunSseA, 0, affinity: 0);
            Scheduler.Thread b = Scheduler.Scheduler.Create("sse-b", &RunSseB, 0, affinity: 0);
            Scheduler.Scheduler.Join(a);
            Scheduler.Scheduler.Join(b);
            Equal(0, s_sseResultA, "program A's XMM registers were intact after every switch");
            Equal(0, s_sseResultB, "program B's XMM registers were intact after every switch");
        }

        // Each feature the processor has must be on; with none of them there is nothing to check.
        private static void ProtectionFeatures()
        {
            if (!CpuFeatures.Smep && !CpuFeatures.Smap && !CpuFeatures.Xsave)
            {
                Skip("the processor has none of SMEP, SMAP, XSAVE");
                return;
            }
            ulong cr4 = Cpu.ReadCr4();
            if (CpuFeatures.Smep)
                Check((cr4 & (1UL << 20)) != 0, "SMEP is on (the kernel cannot execute user pages)", cr4);
            if (CpuFeatures.Smap)
                Check((cr4 & (1UL << 21)) != 0, "SMAP is on (the kernel touches user pages only in the copy helpers)", cr4);
            if (CpuFeatures.Xsave)
                Check((cr4 & (1UL << 18)) != 0, "XSAVE is enabled", cr4);
        }

        private static void UserCopiesRejectBadPointers()
        {
            ulong value = 0;
            Check(!Memory.UserMemory.CopyFromUser(&value, 0, 8), "a null user pointer is rejected");
            Check(!Memory.UserMemory.CopyFromUser(&value, Memory.KernelLayout.DirectMapBase, 8), "a kernel address is rejected");
            Check(!Memory.UserMemory.CopyFromUser(&value, 0x7FFFFFFFFFF8, 16), "a range running past the user half is rejected");
            Check(!Memory.UserMemory.CopyFromUser(&value, ulong.MaxValue - 4, 8), "a range that wraps around is rejected");
            ulong faultsBefore = FaultFixups.RecoveredFaults;
            Check(!Memory.UserMemory.CopyFromUser(&value, 0x500000000, 8), "an unmapped user page gives an error, not a kernel fault");
            Check(!Memory.UserMemory.CopyToUser(0x500000000, &value, 8), "writing an unmapped user page gives an error");
            Check(FaultFixups.RecoveredFaults == faultsBefore + 2, "both faults were recovered by the copy helper");
            Check(Memory.UserMemory.CopyFromUser(&value, 0x500000000, 0), "an empty copy succeeds");
        }

        // Two address spaces map the same user address to different frames; each sees only its own page,
        // and the kernel (upper half) is the same in both.
        private static void AddressSpacesAreSeparate()
        {
            const ulong address = 0x400000;
            Memory.AddressSpace first = Memory.AddressSpace.Create();
            Memory.AddressSpace second = Memory.AddressSpace.Create();
            ulong frameFirst = first.MapNew(address, writable: true, executable: false);
            ulong frameSecond = second.MapNew(address, writable: true, executable: false);
            Check(frameFirst != 0 && frameSecond != 0 && frameFirst != frameSecond, "each space got its own frame");
            *(ulong*)Memory.PhysicalMemory.ToVirtual(frameFirst) = 0x1111;
            *(ulong*)Memory.PhysicalMemory.ToVirtual(frameSecond) = 0x2222;
            Check(!first.Map(address, frameSecond, true, false, owned: false), "mapping over a mapped page is refused");
            Check(!first.Map(Memory.KernelLayout.DirectMapBase, frameSecond, true, false, owned: false), "a kernel-half address is refused");
            bool enabled = Cpu.DisableInterruptsSavingState();
            ulong valueFirst = 0, valueSecond = 0;
            Cpu.WriteCr3(first.Root);
            bool okFirst = Memory.UserMemory.CopyFromUser(&valueFirst, address, 8);
            Cpu.WriteCr3(second.Root);
            bool okSecond = Memory.UserMemory.CopyFromUser(&valueSecond, address, 8);
            bool kernelVisible = Memory.KernelPageTables.TryTranslate(Memory.KernelLayout.TextStart, out _, out _);
            Cpu.WriteCr3(Memory.KernelPageTables.Root);
            if (enabled) Cpu.EnableInterrupts();
            Check(okFirst && valueFirst == 0x1111, "the first space sees its page", valueFirst);
            Check(okSecond && valueSecond == 0x2222, "the second space sees its own page", valueSecond);
            Check(kernelVisible, "the kernel is mapped in a process's space");
            ulong usedBefore = Memory.PhysicalMemory.FreeBytes;
            first.Destroy();
            second.Destroy();
            Check(Memory.PhysicalMemory.FreeBytes > usedBefore, "destroying the spaces returned their frames");
            Exo.Runtime.ObjectAllocator.Free(first);
            Exo.Runtime.ObjectAllocator.Free(second);
        }

        private static void KernelGoesOn()
        {
            for (int i = 0; i < 5; i++)
                UserModeRunner.RunProgram(UserModeRunner.ProgramReadKernel);
            Equal(42, UserModeRunner.RunProgram(UserModeRunner.ProgramNullCalls), "after five faulting programs, a good one still runs");
            Check(!Memory.KernelPageTables.TryTranslate(UserModeRunner.CodeAddress, out _, out _), "the program's pages are unmapped afterwards");
        }
    }
}
