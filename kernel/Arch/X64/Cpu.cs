using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>Single CPU instructions (Arch/X64/CpuPrimitives.asm), called directly without marshalling.</summary>
    public static unsafe class Cpu
    {
        [DllImport("*", EntryPoint = "ExoOutByte"), SuppressGCTransition] public static extern void OutByte(ushort port, byte value);
        [DllImport("*", EntryPoint = "ExoOutWord"), SuppressGCTransition] public static extern void OutWord(ushort port, ushort value);
        [DllImport("*", EntryPoint = "ExoOutDword"), SuppressGCTransition] public static extern void OutDword(ushort port, uint value);
        [DllImport("*", EntryPoint = "ExoInByte"), SuppressGCTransition] public static extern byte InByte(ushort port);
        [DllImport("*", EntryPoint = "ExoInWord"), SuppressGCTransition] public static extern ushort InWord(ushort port);
        [DllImport("*", EntryPoint = "ExoInDword"), SuppressGCTransition] public static extern uint InDword(ushort port);
        [DllImport("*", EntryPoint = "ExoReadTimeStampCounter"), SuppressGCTransition] public static extern ulong ReadTimeStampCounter();
        [DllImport("*", EntryPoint = "ExoReadTimeStampCounterOrdered"), SuppressGCTransition] public static extern ulong ReadTimeStampCounterOrdered();
        [DllImport("*", EntryPoint = "ExoCpuId"), SuppressGCTransition] public static extern void CpuId(uint leaf, uint subleaf, uint* results);
        [DllImport("*", EntryPoint = "ExoReadMsr"), SuppressGCTransition] public static extern ulong ReadMsr(uint msr);
        [DllImport("*", EntryPoint = "ExoWriteMsr"), SuppressGCTransition] public static extern void WriteMsr(uint msr, ulong value);
        [DllImport("*", EntryPoint = "ExoReadCr0"), SuppressGCTransition] public static extern ulong ReadCr0();
        [DllImport("*", EntryPoint = "ExoReadCr2"), SuppressGCTransition] public static extern ulong ReadCr2();
        [DllImport("*", EntryPoint = "ExoReadCr3"), SuppressGCTransition] public static extern ulong ReadCr3();
        [DllImport("*", EntryPoint = "ExoWriteCr3"), SuppressGCTransition] public static extern void WriteCr3(ulong value);
        [DllImport("*", EntryPoint = "ExoReadCr4"), SuppressGCTransition] public static extern ulong ReadCr4();
        /// <summary>SIDT: the loaded IDT register, 2 bytes of limit then 8 of base, at 'tenBytes'.</summary>
        [DllImport("*", EntryPoint = "ExoStoreInterruptTable"), SuppressGCTransition] public static extern void StoreInterruptTable(byte* tenBytes);
        /// <summary>SGDT: the loaded GDT register, 2 bytes of limit then 8 of base, at 'tenBytes'.</summary>
        [DllImport("*", EntryPoint = "ExoStoreGlobalTable"), SuppressGCTransition] public static extern void StoreGlobalTable(byte* tenBytes);
        /// <summary>STR: the loaded task register's selector.</summary>
        [DllImport("*", EntryPoint = "ExoStoreTaskRegister"), SuppressGCTransition] public static extern ushort StoreTaskRegister();
        [DllImport("*", EntryPoint = "ExoWriteCr4"), SuppressGCTransition] public static extern void WriteCr4(ulong value);
        [DllImport("*", EntryPoint = "ExoWriteXcr0"), SuppressGCTransition] public static extern void WriteXcr0(ulong value);
        [DllImport("*", EntryPoint = "ExoInvalidatePage"), SuppressGCTransition] public static extern void InvalidatePage(ulong virtualAddress);
        [DllImport("*", EntryPoint = "ExoHalt"), SuppressGCTransition] public static extern void Halt();
        [DllImport("*", EntryPoint = "ExoDisableInterrupts"), SuppressGCTransition] public static extern void DisableInterrupts();
        [DllImport("*", EntryPoint = "ExoEnableInterrupts"), SuppressGCTransition] public static extern void EnableInterrupts();
        [DllImport("*", EntryPoint = "ExoEnableInterruptsAndHalt"), SuppressGCTransition] public static extern void EnableInterruptsAndHalt();
        [DllImport("*", EntryPoint = "ExoReadFlags"), SuppressGCTransition] public static extern ulong ReadFlags();
        [DllImport("*", EntryPoint = "ExoPause"), SuppressGCTransition] public static extern void Pause();
        [DllImport("*", EntryPoint = "ExoReadStackPointer"), SuppressGCTransition] public static extern ulong ReadStackPointer();
        [DllImport("*", EntryPoint = "ExoReadFramePointer"), SuppressGCTransition] public static extern ulong ReadFramePointer();

        [DllImport("*", EntryPoint = "ExoCurrentProcessor"), SuppressGCTransition] public static extern int CurrentProcessor();
        [DllImport("*", EntryPoint = "ExoReadProcessorWord"), SuppressGCTransition] public static extern ulong ReadProcessorWord(int index);
        /// <summary>Disables interrupts and says whether they were enabled: one call for the usual lock prologue.</summary>
        /// <remarks>The import returns the flag as an int: a bool result makes the compiler wrap the call in a
        /// marshalling stub (with a GC poll), which every lock prologue and context switch paid.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool DisableInterruptsSavingState() => DisableInterruptsReturningFlag() != 0;
        [DllImport("*", EntryPoint = "ExoDisableInterruptsSavingState"), SuppressGCTransition] private static extern int DisableInterruptsReturningFlag();

        public static bool InterruptsEnabled => (ReadFlags() & (1 << 9)) != 0;
    }
}
