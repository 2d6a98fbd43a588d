using System.Runtime.InteropServices;

namespace Exo.Kernel.Tests
{
    /// <summary>Deliberate fatal faults (test=fault_page, test=fault_panic): the host checks the panic report.</summary>
    public static unsafe class FaultTests
    {
        [DllImport("*", EntryPoint = "ExoTouchAddress"), SuppressGCTransition]
        private static extern ulong TouchAddress(ulong address);

        public static void TouchUnmappedPage() => TouchAddress(0xFFFFFF7F00001000);

        public static void ThrowException() => throw new System.InvalidOperationException("deliberate");

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
