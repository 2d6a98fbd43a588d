using System.Runtime.InteropServices;

namespace Exo.Kernel.Memory.Heap
{
    /// <summary>
    /// The start of every slab (a level-3 block aligned to its size, so an object finds its slab by masking
    /// its address). Objects follow the header; free ones are linked through their second word, and carry
    /// a tag in their first word (see <see cref="HeapAllocator"/>).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct SlabHeader
    {
        public const int Size = 64;
        public const uint Magic = 0x51AB51AB;

        public uint Tag;               // Magic while the slab lives
        public ushort SizeClass;
        public ushort Capacity;
        public ushort InUse;           // objects not on this slab's free list (handed out, or in a level-1 cache)
        public ushort List;            // which list of its class it is on
        public SlabHeader* Next;
        public SlabHeader* Previous;
        public byte* FreeObjects;      // singly linked through each object's second word
        public byte* FirstObject;
        public ulong Reserved;
    }
}
