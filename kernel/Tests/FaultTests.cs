using System.Runtime.InteropServices;

namespace Exo.Kernel.Tests
{
    /// <summary>Deliberate fatal faults (test=fault_page, test=fault_panic, ...): the host checks the panic report.</summary>
    public static unsafe class FaultTests
    {
        [DllImport("*", EntryPoint = "ExoTouchAddress"), SuppressGCTransition]
        private static extern ulong TouchAddress(ulong address);

        public static void TouchUnmappedPage() => TouchAddress(0xFFFFFF7F00001000);

        public static void ThrowException() => throw new System.InvalidOperationException("deliberate");

        /// <summary>
        /// Two locks taken against the written order (LockRank): the Debug build's checker must panic, naming
        /// both, before it waits for the second (make test runs Debug kernels).
        /// </summary>
        public static void LockOrderInversion()
        {
            Sync.SpinLock inner = new Sync.SpinLock(Sync.LockRank.ConsoleOutput);
            Sync.SpinLock outer = new Sync.SpinLock(Sync.LockRank.ProcessRegistry);
            inner.Enter();
            outer.Enter();   // a lower rank while holding a higher one
            outer.Exit();
            inner.Exit();
            Console.KernelConsole.WriteLine("lock order inversion not detected");
        }

        public static void DoubleFree()
        {
            void* block = Memory.Heap.KernelHeap.Allocate(64);
            Console.KernelConsole.Write("double free of ");
            Console.KernelConsole.WriteHex((ulong)block);
            Console.KernelConsole.WriteLine();
            Memory.Heap.KernelHeap.Free(block);
            Memory.Heap.KernelHeap.Free(block);
        }
    }
}
