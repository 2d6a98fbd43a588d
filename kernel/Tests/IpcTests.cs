using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>Capabilities and Fusion Rings between processes (run at 1, 2 and 4 processors by make test).</summary>
    public static unsafe class IpcTests
    {
        public static void Run()
        {
            Test("capabilities_and_fusion_ring_calls", &IpcEndToEnd);
            Test("service_offer_copies_hold_their_own_references", &ServiceOfferCopies);
            Test("ipc_load_a_million_calls_from_four_processes", &IpcLoad);
            Test("csharp_program_runs_in_ring3", &CSharpHello);
            Test("csharp_rings_a_million_messages", &CSharpRings);
            Test("csharp_user_heap", &CSharpHeap);
        }

        // hello_cs: a C# program compiled by NativeAOT against our core library and exo_std, in ring 3.
        private static void CSharpHello()
        {
            ulong status = RunByName("hello_cs", out bool faulted, out Error error);
            Check(error == Error.None, "hello_cs is in the boot image and loads");
            Check(!faulted && status == 0, "it printed its greeting and exited with 0", status);
        }

        // ring_test (C#) spawns ring_peer with a memory object and notifications and streams 1000000 sequence-
        // numbered messages through an asynchronous SPSC ring: exit 0 only if none was lost or reordered and
        // the full ring made the producer wait at least once.
        private static void CSharpRings()
        {
            int processesBefore = ProcessTests.SettledProcessCount();
            ulong before = ProcessTests.SettledFreeBytes();
            ulong status = RunByName("ring_test", out bool faulted, out _);
            Check(!faulted && status == 0, "every message arrived, in order, with back-pressure", status);
            ProcessTests.WaitForReaper(processesBefore);
            ulong after = ProcessTests.SettledFreeBytes();
            Check(after + 64 * 1024 >= before, "both processes gave their memory back", before - after);
        }

        // heap_test: thousands of allocations through exo_std's user heap (pages from the map system call), all freed.
        private static void CSharpHeap()
        {
            ulong status = RunByName("heap_test", out bool faulted, out _);
            Check(!faulted && status == 0, "the user heap served and took back every allocation", status);
        }

        private static ulong RunByName(string name, out bool faulted, out Error error) => ProcessTests.RunByName(name, out faulted, out error);

        // ipc_test checks 45 things against ipc_echo (rights, forged/closed/revoked handles, capabilities in
        // messages both ways, zero-copy memory, a process without capabilities, 20000 calls, a server that dies
        // mid-call) and exits with the number of the first that failed.
        // What a mount holds of a server's offer (ServiceOffers.TryFind's copy) it gives back at unmount: each object,
        // the bulk memory too, is held once more by the copy and exactly as before once the copy is released.
        private static void ServiceOfferCopies()
        {
            var offer = new Ipc.ServiceOffers.Offer
            {
                Kind = Ipc.ServiceOffers.Kind.FileSystem,
                Memory = Memory.MemoryObject.Create(4096), Bulk = Memory.MemoryObject.Create(4096),
                ServerNotification = new Ipc.Notification(), ClientNotification = new Ipc.Notification(),
            };
            Check(offer.Memory != null && offer.Bulk != null, "the offer's memory objects were made");
            if (offer.Memory == null || offer.Bulk == null)
                return;
            var copy = offer.Copy();
            Check(offer.Memory.References == 2 && offer.Bulk.References == 2 && offer.ServerNotification.References == 2
                && offer.ClientNotification.References == 2, "the copy holds a reference to each object, the bulk memory too", (ulong)offer.Bulk.References);
            copy.Release();
            Check(offer.Memory.References == 1 && offer.Bulk.References == 1 && offer.ServerNotification.References == 1
                && offer.ClientNotification.References == 1, "released, the copy left each object as it was", (ulong)offer.Bulk.References);
            offer.Release();
        }

        private static void IpcEndToEnd()
        {
            ulong fastBefore = Ipc.FusionCall.FastCalls;
            ulong status = RunByName("ipc_test", out bool faulted, out Error error);
            Check(error == Error.None, "ipc_test was loaded");
            Check(!faulted && status == 0, "every capability and call check held (else: the failed check's number)", status);
            Check(Ipc.FusionCall.FastCalls - fastBefore >= 10000, "most calls took the fast path", Ipc.FusionCall.FastCalls - fastBefore);
        }

        private static void IpcLoad()
        {
            int processesBefore = ProcessTests.SettledProcessCount();
            ulong before = ProcessTests.SettledFreeBytes();
            ulong status = RunByName("ipc_load", out bool faulted, out _);
            Check(!faulted && status == 0, "every client checked all 250000 replies (else 10 + client index)", status);
            ProcessTests.WaitForReaper(processesBefore);
            ulong after = ProcessTests.SettledFreeBytes();
            Check(after + 64 * 1024 >= before, "the six processes gave their memory back", before - after);
        }

    }
}
