using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Exo.Kernel.Acpi;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Time;

namespace Exo.Kernel.Smp
{
    /// <summary>
    /// The processors of the machine: the boot processor, and the application processors found in the ACPI
    /// MADT, started with INIT-SIPI-SIPI through the real-mode trampoline (Arch/X64/ApTrampoline.asm).
    /// Each gets its own kernel stack, GDT, TSS (with its own interrupt stacks) and local APIC, and answers
    /// inter-processor interrupts, then joins the scheduler: its start-up stack becomes its idle thread.
    /// </summary>
    public static unsafe class Processors
    {
        public const int TestVector = 0xF0;
        public const int ShootDownVector = 0xF2;
        private const ulong TrampolinePhysical = 0x8000;
        // The trampoline's claim word (the sixth data word) and its value once the boot processor gave up on the
        // processor named there: kept equal to ApTrampoline.asm's data_claim and ABANDONED.
        private const int ClaimWord = 5;
        private const int Abandoned = unchecked((int)0xFFFFFFFE);
        private const int MaximumProcessors = DescriptorTables.MaximumProcessors;

        private struct PerProcessor
        {
            public fixed uint ApicId[MaximumProcessors];
            public fixed int Online[MaximumProcessors];
            public fixed ulong InterruptsReceived[MaximumProcessors];
            /// <summary>The page-table root each processor has in CR3 (LoadRoot), for shoot-downs aimed at one address
            /// space; 0 until a processor first loads one through LoadRoot.</summary>
            public fixed ulong LoadedRoot[MaximumProcessors];
        }
        private static PerProcessor s_processors;
        private static int s_count;            // known processors (boot processor first)
        private static int s_online;

        public static int Count => s_count;
        public static int Online => Volatile.Read(ref s_online);
        public static uint ApicIdOf(int index) => s_processors.ApicId[index];
        public static bool IsOnline(int index) => Volatile.Read(ref s_processors.Online[index]) != 0;
        public static ulong InterruptsReceived(int index) => Volatile.Read(ref s_processors.InterruptsReceived[index]);

        [DllImport("*", EntryPoint = "ExoGetApTrampoline"), SuppressGCTransition]
        private static extern byte* GetTrampoline(byte** end, byte** data);

        [DllImport("*", EntryPoint = "ExoGetApMainAddress"), SuppressGCTransition]
        private static extern ulong GetApMainAddress();

        // Per-processor block reached through the GS base, BlockWords words each (Cpu.ReadProcessorWord reads one
        // with one instruction; the entry paths' assembly names them in Arch/X64/KernelEntry.inc): the processor's
        // index, the user RSP scratch slot, the running user thread's kernel-entry stack top, the scheduler's state
        // for this processor, the running user thread's extended-state area (its SSE state is saved there on entry
        // from ring 3; 0 for kernel threads), its personality's system call table, whether a driver's I/O bitmap is
        // in this processor's TSS (a context switch reads it before anything else), the address of the running
        // user thread's pending-work word (read on every return to ring 3), a count of system calls, and the running
        // thread (Scheduler.Current: one load, which preemption cannot split).
        public const int IndexWord = 0, UserStackScratchWord = 1, KernelEntryStackWord = 2, SchedulerWord = 3, ExtendedStateWord = 4,
            SystemCallTableWord = 5, IoBitmapInstalledWord = 6, PendingWorkWord = 7, SystemCallCountWord = 8, CurrentThreadWord = 9;
        public const int BlockWords = 16;
        private struct LocalBlocks { public fixed ulong Words[MaximumProcessors * BlockWords]; }
        private static LocalBlocks s_local;

        private const uint GsBaseMsr = 0xC0000101;

        /// <summary>Points this processor's GS base at its block. Call after loading its descriptor tables.</summary>
        public static void SetLocalBlock(int index)
        {
            fixed (ulong* words = s_local.Words)
            {
                words[index * BlockWords] = (ulong)index;
                Cpu.WriteMsr(GsBaseMsr, (ulong)(words + index * BlockWords));
            }
        }

        public static void SetLocalWord(int index, int word, ulong value) => LocalBlock(index)[word] = value;

        /// <summary>Processor 'index''s block (statics never move here, so the address stays valid): the context
        /// switch updates several words through one pointer.</summary>
        /// <remarks>Without 'fixed' (a non-GC static never moves): a pinned local keeps the compiler from inlining
        /// it into the context switch, which calls it on every switch.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong* LocalBlock(int index) => (ulong*)Unsafe.AsPointer(ref s_local) + index * BlockWords;

        /// <summary>Records the boot processor and starts every other enabled processor in the MADT.</summary>
        public static void StartAll()
        {
            s_shootDownLock.Rank = Sync.LockRank.TlbShootDown;
            s_count = 1;
            s_processors.ApicId[0] = LocalApic.Id;
            s_processors.Online[0] = 1;
            s_online = 1;
            InterruptDispatcher.Register(TestVector, &OnTestInterrupt);
            InterruptDispatcher.Register(ShootDownVector, &OnShootDown);
            if (Madt.ProcessorCount <= 1)
                return;

            byte* end, data;
            byte* start = GetTrampoline(&end, &data);
            byte* destination = (byte*)PhysicalMemory.ToVirtual(TrampolinePhysical);
            for (long i = 0; i < end - start; i++)
                destination[i] = start[i];
            ulong* parameters = (ulong*)(destination + (data - start));
            // The trampoline turns paging on while running at its physical address: map it there, for now.
            KernelPageTables.MapPage(TrampolinePhysical, TrampolinePhysical, false, true);

            for (int m = 0; m < Madt.ProcessorCount && s_count < MaximumProcessors; m++)
            {
                uint apicId = Madt.ProcessorApicId(m);
                if (apicId == s_processors.ApicId[0])
                    continue;
                int index = s_count++;
                s_processors.ApicId[index] = apicId;
                StartOne(index, apicId, parameters);
            }
            KernelPageTables.UnmapPage(TrampolinePhysical);
        }

        private static void StartOne(int index, uint apicId, ulong* parameters)
        {
            ulong stackTop = KernelStacks.Allocate(out int stackSlot);
            byte* interruptStacks = (byte*)KernelHeap.AllocatePages(4);   // 64 KiB: three 16 KiB stacks
            if (stackTop == 0 || interruptStacks == null)
            {
                KernelConsole.WriteLine("smp: no memory for a processor's stacks");
                return;
            }
            s_interruptStacks.Values[index] = (ulong)interruptStacks;
            parameters[0] = Cpu.ReadCr3();
            parameters[1] = stackTop;
            parameters[2] = GetApMainAddress();
            parameters[3] = (ulong)index;
            parameters[4] = Cpu.ReadMsr(0xC0000080) & (1UL << 11);
            // Last: name the processor the parameters are for; it claims them (ApTrampoline.asm's handshake).
            int* claim = (int*)(parameters + ClaimWord);
            Volatile.Write(ref *claim, (int)apicId);

            LocalApic.SendCommand(apicId, 0x4500);                              // INIT
            SystemClock.SpinMicroseconds(10_000);
            for (int attempt = 0; attempt < 2 && Volatile.Read(ref *claim) == (int)apicId; attempt++)
            {
                LocalApic.SendCommand(apicId, 0x4600 | (uint)(TrampolinePhysical >> 12));   // STARTUP
                // Up to a second of guest time each: under TCG on a loaded host a vCPU may not run for a long while.
                for (int wait = 0; wait < 2000 && Volatile.Read(ref *claim) == (int)apicId; wait++)
                    SystemClock.SpinMicroseconds(500);
            }
            // Give up only if the processor has not claimed its parameters; one that has runs with them, so wait for
            // it to come online (it needs no more than its own start-up, and the trampoline page stays mapped till then).
            if (Interlocked.CompareExchange(ref *claim, Abandoned, (int)apicId) == (int)apicId)
            {
                KernelStacks.Free(stackSlot);
                KernelConsole.Write("smp: processor with APIC id ");
                KernelConsole.WriteDecimal(apicId);
                KernelConsole.WriteLine(" did not start");
                return;
            }
            while (!IsOnline(index))
                SystemClock.SpinMicroseconds(500);
        }

        private struct StackTable { public fixed ulong Values[MaximumProcessors]; }
        private static StackTable s_interruptStacks;

        // The first C# an application processor runs (from the trampoline), on its own kernel stack.
        [UnmanagedCallersOnly(EntryPoint = "ExoApMain")]
        private static void ApMain(int index)
        {
            DescriptorTables.LoadForProcessor(index, (byte*)s_interruptStacks.Values[index]);
            SetLocalBlock(index);
            ProcessorSetup.EnableOnThisProcessor();
            UserMode.UserMode.EnableSystemCalls();
            LocalApic.EnableOnThisProcessor();
            // From here on this processor runs threads: its start-up stack becomes its idle thread.
            Scheduler.Scheduler.AddProcessor(index, "idle-ap");
            SystemClock.StartTickOnThisProcessor();
            Volatile.Write(ref s_processors.Online[index], 1);
            Interlocked.Increment(ref s_online);
            while (true)
                Cpu.EnableInterruptsAndHalt();
        }

        private static int IndexOf(uint apicId)
        {
            for (int i = 0; i < s_count; i++)
                if (s_processors.ApicId[i] == apicId)
                    return i;
            return -1;
        }

        private static void OnTestInterrupt(RegisterFrame* frame)
        {
            int index = IndexOf(LocalApic.Id);
            if (index >= 0)
                Interlocked.Increment(ref s_processors.InterruptsReceived[index]);
        }

        // TLB shoot-down: one at a time; the sender waits until every other online processor has invalidated.
        // The kernel runs with interrupts masked (system calls, page faults), so a processor may be spinning for a
        // lock, interrupts off, while another waits for its acknowledgment: every lock's spin loop therefore
        // answers a request addressed to its processor (ServiceShootDown), as the interrupt handler does.
        private static Sync.TicketLock s_shootDownLock;
        private static ulong s_shootDownAddress;
        private static int s_shootDownPending;
        private static ulong s_shootDowns;
        private struct ShootDownRequests { public fixed int Requested[MaximumProcessors]; }
        private static ShootDownRequests s_requests;

        public static ulong ShootDowns => s_shootDowns;

        /// <summary>Every processor drops every user translation it caches (after many pages changed at once: a fork).</summary>
        public static void ShootDownAll() => ShootDown(FlushEverything, AnyRoot);

        private const ulong FlushEverything = ulong.MaxValue;
        private const ulong FenceOnly = ulong.MaxValue - 1;

        /// <summary>
        /// Every other online processor has passed a full memory barrier and a serializing instruction (an interrupt,
        /// or a lock spin loop's locked acknowledgment) when this returns: the mechanism under Linux's membarrier.
        /// </summary>
        public static void FenceAll() => ShootDown(FenceOnly, AnyRoot);

        /// <summary>
        /// Makes every other online processor drop its translation of 'virtualAddress' (after the caller
        /// changed or removed the mapping and invalidated it locally): for the kernel's own, global, mappings. The
        /// caller must not hold the scheduler lock (the shoot-down's own lock ranks below every other).
        /// </summary>
        public static void ShootDown(ulong virtualAddress) => ShootDown(virtualAddress, AnyRoot);

        /// <summary>
        /// As <see cref="ShootDown(ulong)"/> for a user address space: only the processors that have 'root' loaded
        /// now are asked (Linux's mm_cpumask). Without PCID a processor that loaded another root since holds no
        /// translation of this space, and one that loads it later walks the tables as they are: the caller's change is
        /// ordered before the reading of the roots by a full barrier, and a CR3 load is serializing (LoadRoot).
        /// A space no processor runs (being built, or torn down after its last thread) costs no interrupt at all.
        /// </summary>
        public static void ShootDown(ulong virtualAddress, ulong root)
        {
            if (Online <= 1)
                return;
            // The caller's page-table store must be visible before the roots are read (x86 may let a load pass a store).
            Interlocked.MemoryBarrier();
            int self = Cpu.CurrentProcessor();
            uint targets = 0;
            int count = 0;
            for (int i = 0; i < s_count; i++)
                if (i != self && IsOnline(i) && (root == AnyRoot || Volatile.Read(ref s_processors.LoadedRoot[i]) == root))
                {
                    targets |= 1u << i;
                    count++;
                }
            if (targets == 0)
                return;
            s_shootDownLock.Enter();
            s_shootDownAddress = virtualAddress;
            Volatile.Write(ref s_shootDownPending, count);
            for (uint rest = targets; rest != 0; rest &= rest - 1)
            {
                int i = System.Numerics.BitOperations.TrailingZeroCount(rest);
                Volatile.Write(ref s_requests.Requested[i], 1);
                LocalApic.SendInterrupt(s_processors.ApicId[i], ShootDownVector);
            }
            for (long spin = 0; Volatile.Read(ref s_shootDownPending) > 0; spin++)
            {
                if (spin > 100_000_000)
                    Diagnostics.Panic.Fail("TLB shoot-down not acknowledged by every processor");
                Cpu.Pause();
            }
            s_shootDowns++;
            s_shootDownLock.Exit();
        }

        /// <summary>Every processor that has 'root' loaded drops every user translation it caches (many pages changed
        /// at once: a fork, a large unmap).</summary>
        public static void ShootDownAll(ulong root) => ShootDown(FlushEverything, root);

        /// <summary>The root argument that asks every other online processor, whatever it has loaded.</summary>
        private const ulong AnyRoot = 0;

        /// <summary>
        /// Loads page-table root 'root' into this processor's CR3 and records it for <see cref="ShootDown(ulong, ulong)"/>:
        /// recorded first, so that a shoot-down that misses the record finds the tables already changed when this
        /// processor walks them (the CR3 load is serializing); 'cpu' is the caller's processor, interrupts masked.
        /// </summary>
        public static void LoadRoot(int cpu, ulong root)
        {
            Volatile.Write(ref s_processors.LoadedRoot[cpu], root);
            // No fence: MOV to CR3 is serializing (SDM vol. 3A, "Serializing Instructions"), so the record's store
            // drains from the store buffer before any walk through the new root; a fence would only cost the switch.
            Cpu.WriteCr3(root);
        }

        /// <summary>
        /// Answers a shoot-down addressed to this processor, if one waits (called by lock spin loops, which may
        /// run with interrupts masked while the sender waits for them). Cheap when none does.
        /// </summary>
        public static void ServiceShootDown()
        {
            if (Volatile.Read(ref s_shootDownPending) == 0)
                return;
            int self = Cpu.CurrentProcessor();
            if (self < MaximumProcessors && Interlocked.Exchange(ref s_requests.Requested[self], 0) != 0)
                Invalidate();
        }

        private static void OnShootDown(RegisterFrame* frame)
        {
            if (Interlocked.Exchange(ref s_requests.Requested[Cpu.CurrentProcessor()], 0) != 0)
                Invalidate();   // else a spin loop answered it already
        }

        private static void Invalidate()
        {
            if (s_shootDownAddress == FlushEverything)
                Cpu.WriteCr3(Cpu.ReadCr3());   // without PCID, a CR3 load drops every non-global translation
            else if (s_shootDownAddress != FenceOnly)
                Cpu.InvalidatePage(s_shootDownAddress);
            Interlocked.Decrement(ref s_shootDownPending);
        }

        /// <summary>Sends the test interrupt to processor 'index'.</summary>
        public static void Ping(int index) => LocalApic.SendInterrupt(s_processors.ApicId[index], TestVector);
    }
}
