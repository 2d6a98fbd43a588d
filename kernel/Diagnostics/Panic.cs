using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Power;

namespace Exo.Kernel.Diagnostics
{
    /// <summary>
    /// The end of the kernel: a report on the serial console (reason, registers, faulting address, backtrace
    /// with symbol names) between EXO-PANIC and EXO-PANIC-END, then QEMU exit status 65, or a halt.
    /// Allocates nothing: the heap may be what broke.
    /// </summary>
    public static unsafe class Panic
    {
        private static int s_depth;

        public static void Fail(string reason) => Fail(reason, null, null, null);

        public static void Fail(string reason, string detail, RegisterFrame* frame, object exception)
            => Fail(reason, detail, frame, exception, 0);

        /// <summary>'address', when not 0, is the address the failure is about (a bad pointer, for example).</summary>
        public static void Fail(string reason, string detail, RegisterFrame* frame, object exception, ulong address)
        {
            Cpu.DisableInterrupts();
            ConsoleOutput.SwitchToDirect();   // no lock, no drainer: the report comes out whatever is stuck
            if (++s_depth > 1)
            {
                // A fault while reporting: say so once and stop, rather than loop.
                KernelConsole.Write("\nEXO-PANIC nested panic while reporting: ");
                KernelConsole.WriteLine(reason);
                KernelConsole.WriteLine("EXO-PANIC-END");
                Stop();
            }

            KernelConsole.Write("\nEXO-PANIC ");
            KernelConsole.Write(reason);
            if (detail != null)
            {
                KernelConsole.Write(": ");
                KernelConsole.Write(detail);
            }
            KernelConsole.WriteLine();

            if (address != 0)
            {
                KernelConsole.Write("  address ");
                KernelConsole.WriteHex(address);
                KernelConsole.WriteLine();
            }
            if (exception != null)
            {
                KernelConsole.Write("  exception: ");
                WriteTypeName(exception);
                KernelConsole.WriteLine();
            }

            ulong rbp;
            if (frame != null)
            {
                WriteRegisters(frame);
                rbp = frame->Rbp;
                KernelConsole.Write("  backtrace:\n    #0 ");
                WriteAddress(frame->Rip);
                KernelConsole.WriteLine();
            }
            else
            {
                rbp = Cpu.ReadFramePointer();
                KernelConsole.WriteLine("  backtrace:");
            }
            WriteBacktrace(rbp, Cpu.ReadStackPointer());
            KernelConsole.WriteLine("EXO-PANIC-END");
            Stop();
        }

        private static void Stop()
        {
            QemuDebugExit.Exit(QemuDebugExit.Panic);
            while (true)
                Cpu.Halt();
        }

        private static void WriteRegisters(RegisterFrame* frame)
        {
            KernelConsole.Write("  vector ");
            KernelConsole.WriteDecimal(frame->Vector);
            KernelConsole.Write(" error ");
            KernelConsole.WriteHex(frame->ErrorCode, 8);
            if (frame->Vector == 14)
            {
                KernelConsole.Write(" faulting address (cr2) ");
                KernelConsole.WriteHex(Cpu.ReadCr2());
            }
            KernelConsole.WriteLine();
            KernelConsole.Write("  RIP "); KernelConsole.WriteHex(frame->Rip);
            KernelConsole.Write(" "); WriteAddress(frame->Rip); KernelConsole.WriteLine();
            WriteRegisterLine("RSP", frame->Rsp, "RBP", frame->Rbp, "RFLAGS", frame->Rflags);
            WriteRegisterLine("RAX", frame->Rax, "RBX", frame->Rbx, "RCX", frame->Rcx);
            WriteRegisterLine("RDX", frame->Rdx, "RSI", frame->Rsi, "RDI", frame->Rdi);
            WriteRegisterLine("R8 ", frame->R8, "R9 ", frame->R9, "R10", frame->R10);
            WriteRegisterLine("R11", frame->R11, "R12", frame->R12, "R13", frame->R13);
            WriteRegisterLine("R14", frame->R14, "R15", frame->R15, "CS ", frame->Cs);
            WriteRegisterLine("SS ", frame->Ss, "CR3", Cpu.ReadCr3(), "CR0", Cpu.ReadCr0());
        }

        private static void WriteRegisterLine(string name1, ulong value1, string name2, ulong value2, string name3, ulong value3)
        {
            KernelConsole.Write("  "); KernelConsole.Write(name1); KernelConsole.Write(" "); KernelConsole.WriteHex(value1);
            KernelConsole.Write("  "); KernelConsole.Write(name2); KernelConsole.Write(" "); KernelConsole.WriteHex(value2);
            KernelConsole.Write("  "); KernelConsole.Write(name3); KernelConsole.Write(" "); KernelConsole.WriteHex(value3);
            KernelConsole.WriteLine();
        }

        /// <summary>Follows the frame-pointer chain while it stays on the current stack, upwards.</summary>
        private static void WriteBacktrace(ulong rbp, ulong rsp)
        {
            const ulong MaximumStackSpan = 1024 * 1024;
            for (int depth = 1; depth < 32; depth++)
            {
                if (rbp == 0 || (rbp & 7) != 0 || rbp < rsp || rbp - rsp > MaximumStackSpan)
                    break;
                ulong returnAddress = ((ulong*)rbp)[1];
                if (returnAddress < 0xFFFF800000000000)
                    break;
                KernelConsole.Write("    #");
                KernelConsole.WriteDecimal((ulong)depth);
                KernelConsole.Write(" ");
                WriteReturnAddress(returnAddress);
                KernelConsole.WriteLine();
                ulong next = ((ulong*)rbp)[0];
                if (next <= rbp)
                    break;
                rbp = next;
            }
        }

        // A return address can be one past a call that never returns, which is the next function's first
        // byte: name the byte before it, the call itself.
        private static void WriteReturnAddress(ulong address) => WriteAddress(address, address - 1);

        public static void WriteAddress(ulong address) => WriteAddress(address, address);

        private static void WriteAddress(ulong address, ulong lookup)
        {
            KernelConsole.WriteHex(address);
            byte* name = KernelSymbols.Find(lookup, out ulong start);
            if (name == null)
                return;
            KernelConsole.Write(" <");
            WriteCString(name);
            KernelConsole.Write("+");
            KernelConsole.WriteHex(address - start, 1);
            KernelConsole.Write(">");
        }

        /// <summary>Names an object's type from its MethodTable symbol, else prints the MethodTable address.</summary>
        public static void WriteTypeName(object value)
        {
            object copy = value;
            ulong methodTable = **(ulong**)System.Runtime.CompilerServices.Unsafe.AsPointer(ref copy);
            byte* name = KernelSymbols.FindExact(methodTable);
            if (name != null)
            {
                // MethodTable symbols look like _ZTV44Exo_Runtime_System_InvalidOperationException.
                if (name[0] == '_' && name[1] == 'Z' && name[2] == 'T' && name[3] == 'V')
                {
                    name += 4;
                    while (*name >= '0' && *name <= '9')
                        name++;
                }
                WriteCString(name);
            }
            else
            {
                KernelConsole.Write("type at ");
                KernelConsole.WriteHex(methodTable);
            }
        }

        private static void WriteCString(byte* text)
        {
            for (int i = 0; text[i] != 0 && i < 256; i++)
                KernelConsole.Write((char)text[i]);
        }
    }
}
