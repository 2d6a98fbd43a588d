using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// The GDT (kernel and user segments, the TSS), the TSS with its interrupt stacks, and the IDT.
    /// Selector layout is fixed by SYSCALL/SYSRET: kernel code, kernel data, then user code32, data, code64.
    /// </summary>
    public static unsafe class DescriptorTables
    {
        public const ushort KernelCode = 0x08;
        public const ushort KernelData = 0x10;
        public const ushort UserData = 0x20 | 3;
        public const ushort UserCode = 0x28 | 3;
        public const ushort TaskState = 0x30;

        // Interrupt stack table slots: faults that must not run on a possibly broken stack.
        public const int DoubleFaultStack = 1;
        public const int NonMaskableInterruptStack = 2;
        public const int MachineCheckStack = 3;
        private const int InterruptStackSize = 16 * 1024;

        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        private struct TaskStateSegment
        {
            public uint Reserved0;
            public ulong Rsp0, Rsp1, Rsp2;
            public ulong Reserved1;
            public ulong Ist1, Ist2, Ist3, Ist4, Ist5, Ist6, Ist7;
            public ulong Reserved2;
            public ushort Reserved3;
            public ushort IoMapBase;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct InterruptGate
        {
            public ushort OffsetLow;
            public ushort Selector;
            public byte InterruptStack;
            public byte TypeAttributes;
            public ushort OffsetMiddle;
            public uint OffsetHigh;
            public uint Reserved;
        }

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct TablePointer
        {
            public ushort Limit;
            public ulong Base;
        }

        /// <summary>Each processor has its own GDT (for its own TSS descriptor) and TSS; the IDT is shared.</summary>
        public const int MaximumProcessors = 16;
        private const int TaskStateSize = 104;
        // Each TSS is followed by a full I/O permission bitmap (one bit per port) and the 0xFF byte the CPU
        // requires after it (an access to the last ports reads two bytes). The segment limit covers all of it;
        // the bitmap is used only while IoMapBase points at it (IoPermissions installs a driver's bitmap).
        private const int IoBitmapBytes = 8192;
        private const int TaskStateLimit = TaskStateSize + IoBitmapBytes;   // offset of the trailing 0xFF byte
        private const int TaskStateStride = (TaskStateLimit + 1 + 63) & ~63;
        private const ushort NoIoBitmap = 0xFFFF;                           // beyond the limit: every port faults

        private struct GdtStorage { public fixed ulong Entries[8 * MaximumProcessors]; }
        private struct IdtStorage { public fixed byte Bytes[256 * 16]; }
        private struct TaskStateStorage { public fixed byte Bytes[TaskStateStride * MaximumProcessors]; }
        private struct StackStorage { public fixed byte Bytes[3 * InterruptStackSize]; }

        private static GdtStorage s_gdt;
        private static IdtStorage s_idt;
        private static TaskStateStorage s_taskStates;
        // The storage's address without 'fixed' (a non-GC static never moves), so that the context switch's
        // SetKernelStack inlines.
        private static byte* TaskStates => (byte*)Unsafe.AsPointer(ref s_taskStates);
        private static StackStorage s_interruptStacks;   // the boot processor's; the others' come from the heap

        [DllImport("*", EntryPoint = "ExoLoadDescriptorTables"), SuppressGCTransition]
        private static extern void LoadDescriptorTables(TablePointer* gdt, TablePointer* idt, ushort taskState);

        [DllImport("*", EntryPoint = "ExoGetInterruptStubTable"), SuppressGCTransition]
        private static extern ulong* GetInterruptStubTable();

        /// <summary>The entry stub of 'vector' (Arch/X64/InterruptEntry.asm), where its IDT gate must point.</summary>
        public static ulong InterruptStub(int vector) => GetInterruptStubTable()[vector & 255];

        /// <summary>The boot processor: builds the shared IDT and loads its own tables.</summary>
        public static void Initialize()
        {
            if (sizeof(TaskStateSegment) != TaskStateSize)
                Diagnostics.Panic.Fail("TSS layout is not 104 bytes");
            fixed (byte* idtBytes = s_idt.Bytes)
            {
                InterruptGate* idt = (InterruptGate*)idtBytes;
                ulong* stubs = GetInterruptStubTable();
                for (int vector = 0; vector < 256; vector++)
                {
                    ulong handler = stubs[vector];
                    idt[vector].OffsetLow = (ushort)handler;
                    idt[vector].Selector = KernelCode;
                    idt[vector].InterruptStack = vector switch
                    {
                        8 => DoubleFaultStack,
                        2 => NonMaskableInterruptStack,
                        18 => MachineCheckStack,
                        _ => 0,
                    };
                    idt[vector].TypeAttributes = 0x8E;   // present, ring 0, 64-bit interrupt gate
                    idt[vector].OffsetMiddle = (ushort)(handler >> 16);
                    idt[vector].OffsetHigh = (uint)(handler >> 32);
                }
            }
            fixed (byte* stacks = s_interruptStacks.Bytes)
                LoadForProcessor(0, stacks);
        }

        /// <summary>
        /// Builds processor 'index''s GDT and TSS (with its three interrupt stacks at 'interruptStacks',
        /// 3 x 16 KiB) and loads them with the shared IDT, on the calling processor.
        /// </summary>
        public static void LoadForProcessor(int index, byte* interruptStacks)
        {
            fixed (ulong* gdtStorage = s_gdt.Entries)
            fixed (byte* taskStates = s_taskStates.Bytes)
            fixed (byte* idt = s_idt.Bytes)
            {
                ulong* gdt = gdtStorage + 8 * index;
                TaskStateSegment* tss = (TaskStateSegment*)(taskStates + TaskStateStride * index);
                gdt[0] = 0;
                gdt[1] = 0x00AF9A000000FFFF;   // kernel code, 64-bit
                gdt[2] = 0x00CF92000000FFFF;   // kernel data
                gdt[3] = 0x00CFFA000000FFFF;   // user code, 32-bit (unused; keeps the SYSRET layout)
                gdt[4] = 0x00CFF2000000FFFF;   // user data
                gdt[5] = 0x00AFFA000000FFFF;   // user code, 64-bit
                ulong tssBase = (ulong)tss;
                ulong tssLimit = TaskStateLimit;
                gdt[6] = (tssLimit & 0xFFFF) | ((tssBase & 0xFFFFFF) << 16) | (0x89UL << 40) | (((tssLimit >> 16) & 0xF) << 48) | (((tssBase >> 24) & 0xFF) << 56);
                gdt[7] = tssBase >> 32;

                *tss = default;
                byte* ioBitmap = (byte*)tss + TaskStateSize;
                for (int i = 0; i <= IoBitmapBytes; i++)
                    ioBitmap[i] = 0xFF;   // every port denied, and the trailing byte
                tss->IoMapBase = NoIoBitmap;
                tss->Ist1 = (ulong)(interruptStacks + 1 * InterruptStackSize);
                tss->Ist2 = (ulong)(interruptStacks + 2 * InterruptStackSize);
                tss->Ist3 = (ulong)(interruptStacks + 3 * InterruptStackSize);

                TablePointer gdtPointer = new TablePointer { Limit = 8 * 8 - 1, Base = (ulong)gdt };
                TablePointer idtPointer = new TablePointer { Limit = 256 * 16 - 1, Base = (ulong)idt };
                LoadDescriptorTables(&gdtPointer, &idtPointer, TaskState);
            }
        }

        public const int InterruptStacksBytes = 3 * InterruptStackSize;

        /// <summary>Processor 'processor''s I/O permission bitmap in its TSS (8 KiB, all ones = every port denied).</summary>
        public static byte* IoBitmap(int processor)
        {
            return TaskStates + TaskStateStride * processor + TaskStateSize;
        }

        /// <summary>Points processor 'processor''s TSS at its I/O bitmap, or beyond its limit (no ring-3 port access at all).</summary>
        public static void UseIoBitmap(int processor, bool use)
        {
            ((TaskStateSegment*)(TaskStates + TaskStateStride * processor))->IoMapBase = use ? (ushort)TaskStateSize : NoIoBitmap;
        }

        /// <summary>The stack the CPU switches to on an interrupt from user mode.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void SetKernelStack(int processor, ulong top)
        {
            ((TaskStateSegment*)(TaskStates + TaskStateStride * processor))->Rsp0 = top;
        }
    }
}
