using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;

namespace Exo.Kernel.UserMode
{
    /// <summary>
    /// Ring 3 on a thread: the thread enters it from a complete register frame and comes back to the kernel
    /// for system calls (SYSCALL, SystemCallEntry.asm) and interrupts, each saving the frame at one place just
    /// below the thread's kernel-entry stack top (<see cref="FrameOf"/>); every way back to ring 3 first does
    /// the thread's pending work (<see cref="ReturnToUser"/>). The thread leaves ring 3 for good when its program
    /// exits, faults or is killed: a fault ends the program with a report, never the kernel.
    /// </summary>
    public static unsafe class UserMode
    {
        public const ulong FaultResultBase = 0xFFFFFFFFFFFF0000;   // returned for a fault: base + vector
        public const ulong KilledResult = FaultResultBase + 0x100;   // returned when the process was killed
        public const ulong UnknownCallResult = unchecked((ulong)-38);

        public const uint KernelGsBaseMsr = 0xC0000102;
        public const uint FsBaseMsr = 0xC0000100;

        private const uint EferMsr = 0xC0000080, StarMsr = 0xC0000081, LStarMsr = 0xC0000082, SfMaskMsr = 0xC0000084;
        // Room between the kernel frames that enter ring 3 and the kernel-entry stack top.
        private const ulong EntryStackGap = 512;

        private static ulong s_faults;
        public static ulong Faults => s_faults;

        [DllImport("*", EntryPoint = "ExoEnterUserMode"), SuppressGCTransition]
        private static extern ulong EnterUserMode(RegisterFrame* frame, ulong* kernelContextSave, ulong kernelEntryStackTop);

        [DllImport("*", EntryPoint = "ExoReturnFromUserMode"), SuppressGCTransition]
        private static extern void ReturnFromUserMode(ulong savedKernelStack, ulong result);

        [DllImport("*", EntryPoint = "ExoGetSystemCallEntry"), SuppressGCTransition]
        private static extern ulong GetSystemCallEntry(byte extendedStateMode);

        [DllImport("*", EntryPoint = "ExoGetEntryLayout"), SuppressGCTransition]
        private static extern ulong* GetEntryLayout();

        /// <summary>Enables SYSCALL on the calling processor (each processor at start-up, after ProcessorSetup).</summary>
        public static void EnableSystemCalls()
        {
            CheckEntryLayout();
            Syscalls.SystemCalls.Initialize();
            Cpu.WriteMsr(EferMsr, Cpu.ReadMsr(EferMsr) | 1);                   // SCE
            // SYSRET loads CS = base + 16, SS = base + 8 from STAR[63:48]; SYSCALL CS = STAR[47:32], SS = +8.
            Cpu.WriteMsr(StarMsr, ((ulong)(DescriptorTables.UserData - 8) << 48) | ((ulong)DescriptorTables.KernelCode << 32));
            Cpu.WriteMsr(LStarMsr, GetSystemCallEntry(ProcessorSetup.ExtendedStateMode));
            Cpu.WriteMsr(SfMaskMsr, (1 << 9) | (1 << 10) | (1 << 8));          // IF, DF, TF cleared on entry
        }

        // The entry paths' assembly names the frame's and the processor block's layout in KernelEntry.inc; the C#
        // side's must match it word for word, or every system call would read the wrong registers.
        private static void CheckEntryLayout()
        {
            ulong* layout = GetEntryLayout();
            RegisterFrame frame;
            byte* start = (byte*)&frame;
            bool matches = layout[0] == RegisterFrame.Size && (ulong)sizeof(RegisterFrame) == RegisterFrame.Size
                && layout[1] == (ulong)((byte*)&frame.Rax - start) && layout[2] == (ulong)((byte*)&frame.ErrorCode - start)
                && layout[3] == (ulong)((byte*)&frame.Rip - start) && layout[4] == (ulong)((byte*)&frame.Rsp - start)
                && layout[5] == RegisterFrame.SystemCallVector
                && layout[6] == 8 * Smp.Processors.KernelEntryStackWord && layout[7] == 8 * Smp.Processors.ExtendedStateWord
                && layout[8] == 8 * Smp.Processors.SystemCallTableWord && layout[9] == 8 * Smp.Processors.PendingWorkWord
                && layout[10] == 8 * Smp.Processors.SystemCallCountWord
                && layout[11] == DescriptorTables.UserCode && layout[12] == DescriptorTables.UserData
                && layout[13] == Syscalls.SystemCallTable.Capacity && layout[14] == Syscalls.SystemCallTable.CountsOffset;
            if (!matches)
                Diagnostics.Panic.Fail("Arch/X64/KernelEntry.inc and the C# frame or processor block layout differ");
        }

        /// <summary>The register frame of a thread that is in the kernel from ring 3 (a system call, an interrupt, a fault).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static RegisterFrame* FrameOf(Scheduler.Thread thread) => (RegisterFrame*)(thread.User.KernelEntryStack - RegisterFrame.Size);

        /// <summary>
        /// Runs ring-3 code on the current thread in 'space', from the register frame 'start' (sanitized here), with
        /// the system call table 'systemCallTable', until the thread leaves ring 3 for good; returns the value it
        /// left with (an exit status, FaultResultBase + vector, or KilledResult). System calls and interrupts
        /// from ring 3 run on this thread's stack below the current frame; a switch installs that stack, the
        /// thread's SSE area, table and GS/FS bases on whichever processor runs it, so the thread may migrate.
        /// </summary>
        public static ulong RunInAddressSpace(AddressSpace space, RegisterFrame* start, ulong systemCallTable, byte* initialExtendedState = null,
            ulong fsBase = 0)
        {
            RegisterFrame frame = *start;
            ulong extendedState = frame.SanitizeForUserMode() ? PhysicalMemory.AllocateFrame() : 0;
            byte* area = extendedState != 0 ? (byte*)PhysicalMemory.ToVirtual(extendedState) : null;
            if (area != null && initialExtendedState != null)
                ExtendedState.Copy(area, initialExtendedState);   // a fork child: its parent's registers
            else if (area != null)
                ExtendedState.InitializeResetState(area);
            if (initialExtendedState != null)
                Memory.Heap.KernelHeap.Free(initialExtendedState);
            if (area == null)
                return FaultResultBase + 13;   // not a user address, or no memory: as if its first instruction faulted
            Scheduler.Thread thread = Scheduler.Scheduler.Current;
            bool enabled = Cpu.DisableInterruptsSavingState();
            int cpu = Cpu.CurrentProcessor();
            // System calls and interrupts from ring 3 land on this thread's stack, below everything in use now.
            thread.User.KernelEntryStack = (Cpu.ReadStackPointer() - EntryStackGap) & ~15UL;
            thread.User.ExtendedState = (ulong)area;
            thread.User.SystemCallTable = systemCallTable;
            thread.User.GsBase = 0;   // the program starts with GS base 0, and FS base 0 unless forked
            thread.User.FsBase = fsBase;
            thread.PageTableRoot = space.Root;
            Smp.Processors.LoadRoot(cpu, space.Root);
            Install(cpu, thread);
            ulong result = thread.KillPending   // killed before it ever ran: it does not start
                ? KilledResult
                : EnterUserMode(&frame, (ulong*)Unsafe.AsPointer(ref thread.User.SavedKernelContext), thread.User.KernelEntryStack);

            // Back in the kernel for good (interrupts are masked on this path): leave the space and user state.
            thread.User.KernelEntryStack = 0;
            thread.User.ExtendedState = 0;
            thread.User.IoPermissions = null;
            thread.User.PendingWork = 0;
            IoPermissions.Switch(Cpu.CurrentProcessor(), null);   // kernel threads never leave ports open
            Smp.Processors.SetLocalWord(Cpu.CurrentProcessor(), Smp.Processors.ExtendedStateWord, 0);
            thread.PageTableRoot = KernelPageTables.Root;
            Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), KernelPageTables.Root);
            if (enabled)
                Cpu.EnableInterrupts();
            PhysicalMemory.FreeFrame(extendedState);
            return result;
        }

        /// <summary>
        /// Makes 'thread''s ring-3 state the processor's (interrupts disabled): where its system calls and
        /// interrupts from ring 3 land, its SSE area, system call table, pending-work word, GS and FS bases.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Install(int cpu, Scheduler.Thread thread)
        {
            ulong* block = Smp.Processors.LocalBlock(cpu);
            DescriptorTables.SetKernelStack(cpu, thread.User.KernelEntryStack);
            block[Smp.Processors.KernelEntryStackWord] = thread.User.KernelEntryStack;
            block[Smp.Processors.SystemCallTableWord] = thread.User.SystemCallTable;
            block[Smp.Processors.ExtendedStateWord] = thread.User.ExtendedState;
            block[Smp.Processors.PendingWorkWord] = (ulong)Unsafe.AsPointer(ref thread.User.PendingWork);
            Cpu.WriteMsr(KernelGsBaseMsr, thread.User.GsBase);   // swapped in on the way to ring 3
            Cpu.WriteMsr(FsBaseMsr, thread.User.FsBase);
        }

        /// <summary>
        /// A context switch between threads of which one or both run ring-3 code: the previous one's GS and FS
        /// bases are kept, the next one's state installed. Interrupts disabled.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Switch(int cpu, Scheduler.Thread previous, Scheduler.Thread next)
        {
            if (previous.User.KernelEntryStack != 0)
            {
                previous.User.GsBase = Cpu.ReadMsr(KernelGsBaseMsr);
                previous.User.FsBase = Cpu.ReadMsr(FsBaseMsr);
            }
            IoPermissionBitmap ports = null;
            if (next.User.KernelEntryStack != 0)
            {
                Install(cpu, next);
                ports = next.User.IoPermissions;
            }
            else
            {
                Smp.Processors.LocalBlock(cpu)[Smp.Processors.ExtendedStateWord] = 0;
            }
            if (ports != null || Smp.Processors.LocalBlock(cpu)[Smp.Processors.IoBitmapInstalledWord] != 0)
                IoPermissions.Switch(cpu, ports);   // a driver's ports, or none (most switches skip this)
        }

        /// <summary>Leaves ring 3 for good (exit, a kill): back to the kernel side of RunInAddressSpace.</summary>
        public static void ExitToKernel(ulong result) => ReturnFromUserMode(Scheduler.Scheduler.Current.User.SavedKernelContext, result);

        /// <summary>The process's exit: every thread ends. Being killed ends it as killed, whatever it asks.</summary>
        public static void ExitProcess(ulong status)
            => ExitToKernel(Scheduler.Scheduler.Current.KillPending ? KilledResult : status);

        /// <summary>The calling thread's exit: the process ends with its last thread.</summary>
        public static void ExitThread(ulong status)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            if (current.KillPending)
                ExitToKernel(KilledResult);
            current.User.EndsThreadOnly = true;
            ExitToKernel(status);
        }

        /// <summary>
        /// A handler replaced the current thread's frame (a new program, a new start): it leaves by IRETQ after
        /// ReturnToUser sanitizes it, never by SYSRET, which cannot restore every frame.
        /// </summary>
        public static void MarkFrameChanged(Scheduler.Thread thread)
            => System.Threading.Interlocked.Or(ref thread.User.PendingWork, (int)UserWork.FrameChanged);

        /// <summary>
        /// A CPU exception in ring 3 (called by the dispatcher): the process's personality may take it (POSIX-X
        /// turns it into a signal); otherwise report it and end the program.
        /// </summary>
        public static void EndProgramAfterFault(RegisterFrame* frame, string reason = null)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            Processes.ProcessPersonality personality = current.Process?.PersonalityState;
            if (personality != null && personality.OnFault(current, frame, frame->Vector))
                return;
            EndProgramAfterFault(frame, frame->Vector, reason);
        }

        /// <summary>Ends the program as if exception 'vector' had ended it (a frame it cannot return to ring 3 from).</summary>
        public static void EndProgramAfterFault(RegisterFrame* frame, ulong vector, string reason)
        {
            s_faults++;
            Processes.Process process = Scheduler.Scheduler.Current.Process;
            if (process != null)
            {
                KernelConsole.Write("process ");
                KernelConsole.WriteDecimal((ulong)process.Id);
                KernelConsole.Write(" (");
                KernelConsole.Write(process.Name, process.NameLength);
                KernelConsole.Write(") ");
            }
            KernelConsole.Write("user program fault: ");
            KernelConsole.Write(InterruptDispatcher.ExceptionName(vector));
            if (reason != null)
            {
                KernelConsole.Write(" (");
                KernelConsole.Write(reason);
                KernelConsole.Write(")");
            }
            KernelConsole.Write(" at RIP ");
            KernelConsole.WriteHex(frame->Rip);
            if (vector == 14)
            {
                KernelConsole.Write(" address ");
                KernelConsole.WriteHex(Cpu.ReadCr2());
            }
            KernelConsole.WriteLine("; the program is ended, the kernel goes on");
            ExitToKernel(FaultResultBase + vector);
        }
    }
}
