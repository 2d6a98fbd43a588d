using Exo.Runtime;
using Exo.Std;
using Exo.Std.Memory;

namespace HeapTest
{
    /// <summary>
    /// Checks the user heap as C# programs use it: objects and arrays from 'new' (small classes and large
    /// blocks), a reference-type static (its static base comes from the heap at start-up), zeroed memory on
    /// reuse, freed blocks reused, and every block given back. Exits 0 only if all of it held.
    /// </summary>
    public static unsafe class Program
    {
        private sealed class Node
        {
            public Node Next;
            public ulong Value;
        }

        private static readonly Node s_root = new Node { Value = 42 };

        public static int Main()
        {
            if (s_root == null || s_root.Value != 42)
                return Fail("reference-type static not initialised");
            ulong baseline = UserHeap.BlocksInUse;

            // A linked list of small objects, then free it all.
            Node head = null;
            for (ulong i = 0; i < 10000; i++)
                head = new Node { Next = head, Value = i };
            ulong count = 0;
            for (Node node = head; node != null; node = node.Next)
            {
                if (node.Value != 9999 - count)
                    return Fail("list corrupted");
                count++;
            }
            while (head != null)
            {
                Node next = head.Next;
                ObjectAllocator.Free(head);
                head = next;
            }
            if (UserHeap.BlocksInUse != baseline)
                return Fail("blocks left after freeing the list");

            // Arrays of every small size class and some large ones; each must come back zeroed, even when the
            // block is reused after being filled.
            ulong allocations = 10000;
            for (int round = 0; round < 2; round++)
            {
                for (int length = 1; length <= 20000; length += length < 300 ? 1 : 997)
                {
                    byte[] array = new byte[length];
                    allocations++;
                    for (int i = 0; i < length; i++)
                    {
                        if (array[i] != 0)
                            return Fail("new array not zeroed");
                        array[i] = 0xAB;
                    }
                    ObjectAllocator.Free(array);
                }
            }
            if (UserHeap.BlocksInUse != baseline)
                return Fail("blocks left after freeing the arrays");

            // A freed block is reused (LIFO) rather than taking new memory.
            Node first = new Node();
            void* firstAddress = *(void**)&first;
            ObjectAllocator.Free(first);
            Node second = new Node();
            if (*(void**)&second != firstAddress)
                return Fail("a freed block was not reused");
            ObjectAllocator.Free(second);
            allocations += 2;

            Console.Write("heap_test: ");
            Console.Write(allocations);
            Console.Write(" allocations, all freed, ");
            Console.Write(UserHeap.BytesMapped / 1024);
            Console.WriteLine(" KiB mapped");
            return 0;
        }

        private static int Fail(string reason)
        {
            Console.Write("heap_test: ");
            Console.WriteLine(reason);
            return 1;
        }
    }
}
