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

            // The runtime's copies (the AVX one from 256 bytes, when installed) against a byte loop: every length
            // around the threshold, both alignments, and overlapping moves either way (which stay on the SSE loop).
            string copyProblem = CheckCopies();
            if (copyProblem != null)
                return Fail(copyProblem);

            Console.Write("heap_test: ");
            Console.Write(allocations);
            Console.Write(" allocations, all freed, ");
            Console.Write(UserHeap.BytesMapped / 1024);
            Console.WriteLine(" KiB mapped");
            return 0;
        }

        private static string CheckCopies()
        {
            const int Capacity = 4096;
            byte* source = (byte*)UserHeap.Allocate(Capacity), target = (byte*)UserHeap.Allocate(Capacity);
            if (source == null || target == null)
                return "no memory for the copy check";
            ulong seed = 12345;
            for (int i = 0; i < Capacity; i++)
            {
                seed = seed * 6364136223846793005 + 1442695040888963407;
                source[i] = (byte)(seed >> 56);
            }
            for (int length = 0; length <= 1400; length++)
                for (int from = 0; from < 4; from++)
                    for (int to = 0; to < 4; to++)
                    {
                        for (int i = 0; i < length + 8; i++)
                            target[i] = 0xEE;
                        System.Buffer.MemoryCopy(source + from, target + to, Capacity, length);
                        for (int i = 0; i < to; i++)
                            if (target[i] != 0xEE)
                                return "a copy wrote before its destination";
                        for (int i = 0; i < length; i++)
                            if (target[to + i] != source[from + i])
                                return "a copy's bytes differ";
                        if (target[to + length] != 0xEE)
                            return "a copy wrote past its destination";
                    }
            // Overlapping moves: the block shifted up and down by 1 to 300 bytes.
            for (int shift = 1; shift <= 300; shift += 7)
                for (int direction = 0; direction < 2; direction++)
                {
                    for (int i = 0; i < 2048; i++)
                        target[i] = (byte)(i * 7);
                    int from = direction == 0 ? 1000 : 1000 + shift, to = direction == 0 ? 1000 + shift : 1000;
                    System.Buffer.MemoryCopy(target + from, target + to, 1024, 1024 - 300);
                    for (int i = 0; i < 1024 - 300; i++)
                        if (target[to + i] != (byte)((from + i) * 7))
                            return "an overlapping move's bytes differ";
                }
            UserHeap.Free(source);
            UserHeap.Free(target);
            return null;
        }

        private static int Fail(string reason)
        {
            Console.Write("heap_test: ");
            Console.WriteLine(reason);
            return 1;
        }
    }
}
