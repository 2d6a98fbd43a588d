using System.Runtime.InteropServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;

namespace Exo.Kernel.UserMode
{
    /// <summary>
    /// First step of user mode: a thread runs code in ring 3 (SYSCALL/SYSRET for system calls) and comes
    /// back when the code exits or faults; a fault ends the program with a report, never the kernel.
    /// Not yet (issue 6): separate address spaces (the user pages live in the shared kernel tables, with the
    /// user bit), SWAPGS, user-pointer checks, processes, capabilities, ELF loading.
    /// </summary>
    public static unsafe class UserMode
    {
        public const ulong FaultResultBase = 0xFFFFFFFFFFFF0000;   // returned for a fault: base + vector
        public const ulong KilledResult = FaultResultBase + 0x100;   // returned when the process was killed
        public const ulong UnknownCallResult = unchecked((ulong)-38);

        public const uint KernelGsBaseMsr = 0xC0000102;

        private const uint EferMsr = 0xC0000080, StarMsr = 0xC0000081, LStarMsr = 0xC0000082, SfMaskMsr = 0xC0000084;

        private static ulong s_faults;
        public static ulong Faults => s_faults;

        [DllImport("*", EntryPoint = "ExoEnterUserMode"), SuppressGCTransition]
        private static extern ulong EnterUserMode(ulong entry, ulong userStack, ulong* kernelStackSave, ulong argument0, ulong argument1);

        [DllImport("*", EntryPoint = "ExoReturnFromUserMode"), SuppressGCTransition]
        private static extern void ReturnFromUserMode(ulong savedKernelStack, ulong result);

        [DllImport("*", EntryPoint = "ExoGetSystemCallEntry"), SuppressGCTransition]
        private static extern ulong GetSystemCallEntry();

        /// <summary>Enables SYSCALL on the calling processor (each processor at start-up).</summary>
        public static void EnableSystemCalls()
        {
            Syscalls.SystemCalls.Initialize();
            Cpu.WriteMsr(EferMsr, Cpu.ReadMsr(EferMsr) | 1);                   // SCE
            // SYSRET loads CS = base + 16, SS = base + 8 from STAR[63:48]; SYSCALL CS = STAR[47:32], SS = +8.
            Cpu.WriteMsr(StarMsr, ((ulong)(DescriptorTables.UserData - 8) << 48) | ((ulong)DescriptorTables.KernelCode << 32));
            Cpu.WriteMsr(LStarMsr, GetSystemCallEntry());
            Cpu.WriteMsr(SfMaskMsr, (1 << 9) | (1 << 10) | (1 << 8));          // IF, DF, TF cleared on entry
        }

        /// <summary>
        /// Runs ring-3 code on the current thread in 'space' until it exits or faults (RDI and RSI hold the two
        /// arguments at entry); returns the exit value, or FaultResultBase + vector. System calls and faults run
        /// on this thread's stack below the current frame; a switch installs that stack, the thread's SSE area
        /// and GS base on whichever processor runs it, so the thread may migrate (and IPC may hand off to it).
        /// </summary>
        public static ulong RunInAddressSpace(AddressSpace space, ulong entry, ulong stackPointer, ulong argument0 = 0, ulong argument1 = 0)
        {
            ulong extendedState = PhysicalMemory.AllocateFrame();
            if (extendedState == 0)
                return FaultResultBase;
            Scheduler.Thread thread = Scheduler.Scheduler.Current;
            bool enabled = Cpu.DisableInterruptsSavingState();
            int cpu = Cpu.CurrentProcessor();
            // System calls and faults from ring 3 run on this thread's stack, below everything in use now.
            ulong kernelEntryStack = (Cpu.ReadStackPointer() - 512) & ~15UL;
            thread.UserKernelStack = kernelEntryStack;
            thread.ExtendedState = (ulong)PhysicalMemory.ToVirtual(extendedState);
            Smp.Processors.SetSystemCallStack(cpu, kernelEntryStack);
            Smp.Processors.SetLocalWord(cpu, Smp.Processors.ExtendedStateWord, thread.ExtendedState);
            if (thread.SystemCallDispatcher == 0)
                thread.SystemCallDispatcher = Syscalls.SystemCalls.DispatcherFor(Processes.Personality.Native);
            Smp.Processors.SetLocalWord(cpu, Smp.Processors.SystemCallDispatcherWord, thread.SystemCallDispatcher);
            DescriptorTables.SetKernelStack(cpu, kernelEntryStack);
            thread.PageTableRoot = space.Root;
            Cpu.WriteCr3(space.Root);

            thread.UserGsBase = 0;
            Cpu.WriteMsr(KernelGsBaseMsr, 0);   // the program starts with GS base 0 (swapped in on entry)
            ulong result = EnterUserMode(entry, stackPointer,
                (ulong*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref thread.UserSavedStack), argument0, argument1);

            // Back in the kernel for good (interrupts are masked on this path): leave the space and user state.
            thread.UserKernelStack = 0;
            thread.ExtendedState = 0;
            thread.IoPermissions = null;
            IoPermissions.Switch(Cpu.CurrentProcessor(), null);   // kernel threads never leave ports open
            Smp.Processors.SetLocalWord(Cpu.CurrentProcessor(), Smp.Processors.ExtendedStateWord, 0);
            thread.PageTableRoot = KernelPageTables.Root;
            Cpu.WriteCr3(KernelPageTables.Root);
            if (enabled)
                Cpu.EnableInterrupts();
            PhysicalMemory.FreeFrame(extendedState);
            return result;
        }

        /// <summary>Ends the running program (the exit system call): back to the kernel side of RunInAddressSpace.</summary>
        public static void ExitToKernel(ulong result) => ReturnFromUserMode(SavedKernelStack(), result);

        /// <summary>
        /// A blocking system call's result on its way back to ring 3: "interrupted" means the process is being
        /// killed, so the thread ends here instead (the program never sees it; the processor's dispatcher word may
        /// not have been switched yet if the wait was cut short before the thread stopped).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static ulong EndIfKilled(ulong result)
        {
            if (result == Ipc.Notification.Interrupted && Scheduler.Scheduler.Current.KillPending != 0)
                ExitToKernel(KilledResult);
            return result;
        }

        /// <summary>A CPU exception in ring 3: report it and end the program (called by the dispatcher).</summary>
        public static void EndProgramAfterFault(InterruptFrame* frame, string reason = null)
        {
            s_faults++;
            if (Scheduler.Scheduler.Current.Process is Processes.Process process)
            {
                KernelConsole.Write("process ");
                KernelConsole.WriteDecimal((ulong)process.Id);
                KernelConsole.Write(" (");
                KernelConsole.Write(process.Name, process.NameLength);
                KernelConsole.Write(") ");
            }
            KernelConsole.Write("user program fault: ");
            KernelConsole.Write(InterruptDispatcher.ExceptionName(frame->Vector));
            if (reason != null)
            {
                KernelConsole.Write(" (");
                KernelConsole.Write(reason);
                KernelConsole.Write(")");
            }
            KernelConsole.Write(" at RIP ");
            KernelConsole.WriteHex(frame->Rip);
            if (frame->Vector == 14)
            {
                KernelConsole.Write(" address ");
                KernelConsole.WriteHex(Cpu.ReadCr2());
            }
            KernelConsole.WriteLine("; the program is ended, the kernel goes on");
            ReturnFromUserMode(SavedKernelStack(), FaultResultBase + frame->Vector);
        }

        // Where EnterUserMode saved the kernel context of the program running on this thread.
        private static ulong SavedKernelStack() => Scheduler.Scheduler.Current.UserSavedStack;
    }
}
