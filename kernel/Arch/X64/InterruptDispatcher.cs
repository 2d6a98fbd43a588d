using System.Runtime.InteropServices;
using Exo.Kernel.Diagnostics;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Where every interrupt lands (from InterruptEntry.asm). CPU exceptions end in a panic report; device
    /// interrupts go to the handler registered for their vector, then the local APIC is told the interrupt
    /// is done. Handlers run with interrupts disabled and must not allocate.
    /// </summary>
    public static unsafe class InterruptDispatcher
    {
        public const int FirstDeviceVector = 32;
        public const int SpuriousVector = 0xFF;

        private struct HandlerTable { public fixed ulong Entries[256]; }
        private static HandlerTable s_handlers;
        private static ulong s_deviceInterruptCount;
        private static ulong s_spuriousCount;

        public static ulong DeviceInterruptCount => s_deviceInterruptCount;

        /// <summary>Registers 'handler' for 'vector' (32..254). One handler per vector.</summary>
        public static void Register(int vector, delegate*<RegisterFrame*, void> handler)
        {
            if (vector < FirstDeviceVector || vector >= SpuriousVector)
                Panic.Fail("interrupt vector out of range for a device handler");
            s_handlers.Entries[vector] = (ulong)handler;
        }

        public static bool IsRegistered(int vector) => s_handlers.Entries[vector] != 0;

        [UnmanagedCallersOnly(EntryPoint = "ExoHandleInterrupt")]
        private static void Handle(RegisterFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector < FirstDeviceVector)
                HandleException(frame);
            else if (vector == SpuriousVector)
                s_spuriousCount++;   // no end-of-interrupt for spurious interrupts
            else
                HandleDevice(frame, vector);
            // Back to ring 3 through the thread's pending work (a kill ends the program at its first interrupt
            // in ring 3: the timer's, or the killer's nudge).
            if (frame->IsFromUserMode)
                UserMode.ReturnToUser.DoPendingWork(frame);
        }

        private static void HandleDevice(RegisterFrame* frame, ulong vector)
        {
            s_deviceInterruptCount++;
            ulong handler = s_handlers.Entries[vector];
            if (handler != 0)
                ((delegate*<RegisterFrame*, void>)handler)(frame);
            LocalApic.EndOfInterrupt();
            // After the end-of-interrupt: the switch happens inside this thread's interrupt frame, which holds its
            // full register state; the thread resumes here later and returns through iretq.
            if (Scheduler.Scheduler.NeedsReschedule)
                Scheduler.Scheduler.Preempt();
        }

        private static ulong s_breakpoints;
        public static ulong Breakpoints => s_breakpoints;

        private static void HandleException(RegisterFrame* frame)
        {
            ulong vector = frame->Vector;
            if (vector == 3)
            {
                s_breakpoints++;   // int3 is a trap: RIP is already past it, so execution simply goes on
                return;
            }
            if (vector == 14 && UserMode.UserPageFaults.TryHandle(frame))
                return;   // a first touch of demand-paged user memory, now mapped
            if (FaultFixups.TryRecover(frame))
                return;
            if (frame->IsFromUserMode)
            {
                UserMode.UserMode.EndProgramAfterFault(frame);   // does not return
                return;
            }
            if (vector == 14 && Cpu.ReadCr2() < 0x1000)
            {
                Panic.Fail("page fault", "NullReferenceException: object reference not set to an instance of an object", frame, null);
                return;
            }
            Panic.Fail(ExceptionName(vector), PageFaultDetail(frame), frame, null);
        }

        private static string PageFaultDetail(RegisterFrame* frame)
        {
            if (frame->Vector != 14)
                return null;
            ulong error = frame->ErrorCode;
            if ((error & 1) == 0)
                return (error & 2) != 0 ? "write to a non-present page" : ((error & 16) != 0 ? "instruction fetch from a non-present page" : "read of a non-present page");
            if ((error & 16) != 0)
                return "instruction fetch from a no-execute page";
            return (error & 2) != 0 ? "write to a read-only page" : "protection violation";
        }

        public static string ExceptionName(ulong vector) => vector switch
        {
            0 => "divide error",
            1 => "debug exception",
            2 => "non-maskable interrupt",
            3 => "breakpoint",
            4 => "overflow",
            5 => "bound range exceeded",
            6 => "invalid opcode",
            7 => "device not available",
            8 => "double fault",
            10 => "invalid TSS",
            11 => "segment not present",
            12 => "stack-segment fault",
            13 => "general protection fault",
            14 => "page fault",
            16 => "x87 floating-point error",
            17 => "alignment check",
            18 => "machine check",
            19 => "SIMD floating-point exception",
            20 => "virtualization exception",
            21 => "control protection exception",
            _ => "reserved CPU exception",
        };
    }
}
