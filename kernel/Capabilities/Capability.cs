namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// One capability: a kernel object, its type and the rights held on it, and its place in the derivation
    /// tree (what it was derived from, what was derived from it, in whatever tables those live).
    ///
    /// Each node belongs to one slot of one <see cref="HandleTable"/> for the table's whole life: the table
    /// allocates it the first time the slot is used and reuses it every time the slot is, so a free slot's node
    /// has Type None and no links. Only the table changes a node (the setters are internal); a node returned
    /// by a lookup is borrowed for as long as the caller holds the capability lock.
    ///
    /// The table never frees <see cref="Object"/>: the kernel object's lifetime is its owner's business.
    /// </summary>
    public sealed class Capability
    {
        public object Object { get; internal set; }
        /// <summary>None while the node's slot is free.</summary>
        public ObjectType Type { get; internal set; }
        public Rights Rights { get; internal set; }

        // The derivation tree. Children form a doubly linked list (O(1) unlink) headed by FirstChild;
        // a root (created by the kernel, not derived) has no Parent.
        public Capability Parent { get; internal set; }
        public Capability FirstChild { get; internal set; }
        public Capability NextSibling { get; internal set; }
        public Capability PreviousSibling { get; internal set; }

        // Where the node lives.
        public HandleTable Table { get; internal set; }
        public int Index { get; internal set; }
        /// <summary>The slot's current generation: of the live handle, or of the next one while free.</summary>
        public uint Generation { get => _generation; internal set => System.Threading.Volatile.Write(ref _generation, value); }
        internal uint _generation;   // read with Volatile by the unlocked lookup
        /// <summary>While the slot is free: the next free slot in the table's queue, or -1.</summary>
        internal int NextFree;

        public bool IsLive => Type != ObjectType.None;

        /// <summary>The handle that names this capability in its table (meaningful while live).</summary>
        public Handle Handle => Handle.From(Index, Generation);

        public bool Allows(Rights required) => (Rights & required) == required;
    }
}
