using Exo.Kernel.Arch.X64;
using static Exo.Kernel.Tests.KernelTestRunner;
using UserModeRunner = Exo.Kernel.UserMode.UserMode;

namespace Exo.Kernel.Tests
{
    /// <summary>
    /// Ring-3 code: system calls in and out, and faults that end the program, not the kernel. Each program is a
    /// static ELF64 from the initial RAM disk (userland/programs: null_calls, read_kernel, privileged, bad_call,
    /// loads_gs, sse_state, null_call_bench), spawned as a process like any other.
    /// </summary>
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
            Test("timed_null_calls_report_their_cost", &TimedNullCalls);
            Test("smep_smap_on_where_available", &ProtectionFeatures);
            Test("user_copies_reject_bad_pointers", &UserCopiesRejectBadPointers);
            Test("address_spaces_are_separate", &AddressSpacesAreSeparate);
            Test("wide_user_copies", &WideUserCopies);
        }

        // Spawns 'program' and waits for it; checks that it was spawned (a missing program would make every
        // later check about its status meaningless).
        private static ulong Run(string program, out bool faulted)
        {
            ulong status = ProcessTests.RunByName(program, out faulted, out Error error);
            Check(error == Error.None, "the program was spawned from the boot image");
            return status;
        }

        private static void NullCallsThenExit()
        {
            ulong before = Syscalls.SystemCalls.Calls;
            ulong status = Run("null_calls", out bool faulted);
            Check(!faulted, "null_calls did not fault", status);
            Equal(42, status, "the program exited with 42");
            Equal(before + 1001, Syscalls.SystemCalls.Calls, "1000 null calls and one exit reached the kernel");
        }

        private static void ReadingKernelMemory()
        {
            ulong faultsBefore = UserModeRunner.Faults;
            ulong status = Run("read_kernel", out bool faulted);
            Check(faulted, "read_kernel was ended by a fault", status);
            Equal(UserModeRunner.FaultResultBase + 14, status, "a page fault ended the program");
            Equal(faultsBefore + 1, UserModeRunner.Faults, "one user fault reported");
        }

        private static void PrivilegedInstruction()
        {
            ulong status = Run("privileged", out bool faulted);
            Check(faulted, "privileged was ended by a fault", status);
            Equal(UserModeRunner.FaultResultBase + 13, status, "cli in ring 3 raised a general-protection fault");
        }

        private static void UnknownCall()
        {
            ulong status = Run("bad_call", out bool faulted);
            Check(!faulted, "bad_call did not fault", status);
            Equal(UserModeRunner.UnknownCallResult & 0xFFFFFFFF, status, "system call 9999 returned -38 and the program went on to exit with it (a 32-bit status)");
        }

        private static void LoadsGs()
        {
            ulong status = Run("loads_gs", out bool faulted);
            Check(!faulted, "loads_gs did not fault", status);
            Equal(7, status, "after 'mov gs, ax' in ring 3 the system call and exit worked");
        }

        // Two programs pinned to one processor yield to each other 200 times each, every XMM register checked
        // after every switch: without the per-thread save (XSAVEOPT) the other program's or the kernel's values
        // show up. The switch count shows that the yields did switch (a yield with no one to switch to tests nothing).
        // The test spawns them from processor 0 itself: spawned from another processor, the first could make its 200
        // yields alone (each with no one to switch to) while the second was still being loaded (1 soak run in 10 at
        // 2 processors counted 12 switches); on processor 0, the first's yields switch to this thread, which goes on
        // to spawn the second.
        private static void SseStateSurvives()
        {
            ulong switchesBefore = Scheduler.Scheduler.Switches;
            Scheduler.Scheduler.PinCurrent(0);
            Processes.Process a = Processes.ProgramLauncher.Spawn("sse_state 1", out Error errorA, affinity: 0);
            Processes.Process b = Processes.ProgramLauncher.Spawn("sse_state 2", out Error errorB, affinity: 0);
            Scheduler.Scheduler.PinCurrent(-1);
            Check(a != null && b != null, "both sse_state programs were spawned");
            bool faultedA = false, faultedB = false;
            ulong resultA = a != null ? Processes.ProcessWaiting.Wait(a, out faultedA) : ulong.MaxValue;
            ulong resultB = b != null ? Processes.ProcessWaiting.Wait(b, out faultedB) : ulong.MaxValue;
            ulong switches = Scheduler.Scheduler.Switches - switchesBefore;
            Check(!faultedA && !faultedB, "neither program faulted");
            Equal(0, resultA, "program A's XMM registers were intact after every switch (1: a wrong register, 2: a bad argument)");
            Equal(0, resultB, "program B's XMM registers were intact after every switch (1: a wrong register, 2: a bad argument)");
            // Interleaved, each yield switches to the other program: about 400 switches (407 and 408 measured at 1
            // and 2 processors). One program running alone would make about 200.
            Check(switches >= 300, "most of their 400 yields switched the processor (at least 300 switches)", switches);
        }

        // null_call_bench (make bench's syscall.null) times 10000 null calls and exits with the cycles per call.
        private static void TimedNullCalls()
        {
            ulong before = Syscalls.SystemCalls.Calls;
            ulong perCall = Run("null_call_bench", out bool faulted);
            Check(!faulted, "null_call_bench did not fault", perCall);
            Equal(before + 10001, Syscalls.SystemCalls.Calls, "10000 null calls and one exit reached the kernel");
            Check(perCall > 0 && perCall < 1_000_000, "it exited with a cost per call between 1 and 999999 cycles", perCall);
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
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), first.Root);
            bool okFirst = Memory.UserMemory.CopyFromUser(&valueFirst, address, 8);
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), second.Root);
            bool okSecond = Memory.UserMemory.CopyFromUser(&valueSecond, address, 8);
            bool kernelVisible = Memory.KernelPageTables.TryTranslate(Memory.KernelLayout.TextStart, out _, out _);
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), Memory.KernelPageTables.Root);
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

        // The YMM copy (UserMemory.WideBlock bytes and more): whole blocks and a tail, at odd offsets, both ways, read back
        // exactly; a copy running into an unmapped page fails with both copies' faults recovered (the wide one's, then the
        // byte-exact one's that it falls back to), and the bytes before the hole are there.
        private static void WideUserCopies()
        {
            if (!Memory.UserMemory.WideCopies)
            {
                Skip("XCR0 does not enable AVX: every copy is rep movsq");
                return;
            }
            const ulong address = 0x600000;
            const int length = 8192 + 300;
            Memory.AddressSpace space = Memory.AddressSpace.Create();
            bool mapped = space.MapNew(address, writable: true, executable: false) != 0 && space.MapNew(address + 4096, writable: true, executable: false) != 0
                && space.MapNew(address + 8192, writable: true, executable: false) != 0;
            byte* source = (byte*)Memory.Heap.KernelHeap.AllocateUninitialized(3 * 4096);
            byte* back = (byte*)Memory.Heap.KernelHeap.AllocateUninitialized(3 * 4096);
            for (int i = 0; i < 3 * 4096; i++)
            {
                source[i] = (byte)(i * 7 + (i >> 8));
                back[i] = 0;
            }
            bool enabled = Cpu.DisableInterruptsSavingState();
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), space.Root);
            bool wrote = Memory.UserMemory.CopyToUser(address + 100, source + 3, length);
            bool read = Memory.UserMemory.CopyFromUser(back + 5, address + 100, length);
            ulong faultsBefore = FaultFixups.RecoveredFaults;
            bool intoHole = Memory.UserMemory.CopyToUser(address + 8192, source, 8192);
            ulong faultsAfter = FaultFixups.RecoveredFaults;
            ulong lastPage = 0;
            bool lastRead = Memory.UserMemory.CopyFromUser(&lastPage, address + 8192 + 4088, 8);
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), Memory.KernelPageTables.Root);
            if (enabled) Cpu.EnableInterrupts();
            int wrong = -1;
            for (int i = 0; i < length && wrong < 0; i++)
                if (back[5 + i] != source[3 + i])
                    wrong = i;
            Check(mapped, "three user pages mapped");
            Check(wrote && read, "a copy of two pages and 300 bytes went out and came back");
            Check(wrong < 0, "every byte came back as it went out", (ulong)(long)wrong);
            Check(back[4] == 0 && back[5 + length] == 0, "nothing was written around the copy");
            Check(!intoHole, "a copy running into an unmapped page fails");
            Check(faultsAfter == faultsBefore + 2, "the wide copy's fault and the byte-exact copy's were both recovered", faultsAfter - faultsBefore);
            Check(lastRead && lastPage == *(ulong*)(source + 4088), "the mapped page before the hole was written", lastPage);
            Memory.Heap.KernelHeap.Free(source);
            Memory.Heap.KernelHeap.Free(back);
            space.Destroy();
            Exo.Runtime.ObjectAllocator.Free(space);
        }

        // Five programs ended by a fault, then one that runs to its end; all six are reaped.
        private static void KernelGoesOn()
        {
            int processesBefore = ProcessTests.SettledProcessCount();
            for (int i = 0; i < 5; i++)
            {
                ulong faultStatus = ProcessTests.RunByName("read_kernel", out bool faultedHere, out Error error);
                if (!Check(error == Error.None && faultedHere && faultStatus == UserModeRunner.FaultResultBase + 14,
                        "each of five read_kernel runs was spawned and ended by a page fault", faultStatus))
                    return;
            }
            ulong status = Run("null_calls", out bool faulted);
            Check(!faulted && status == 42, "after five faulting programs, a good one still runs", status);
            ProcessTests.WaitForReaper(processesBefore);
            Check(Processes.ProcessRegistry.Count <= processesBefore, "the six processes were reaped", (ulong)Processes.ProcessRegistry.Count);
        }
    }
}
