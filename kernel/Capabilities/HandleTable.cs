namespace Exo.Kernel.Capabilities
{
    /// <summary>
    /// A process's capabilities, named by <see cref="Handle"/>s. Lookup is O(1) and allocates nothing: the
    /// handle's index picks the slot, and its generation must match the slot's, so stale and forged handles are
    /// rejected. Capabilities form a derivation tree across tables (duplicates and copies sent to other
    /// processes are children of what they came from) so that revoking one removes everything derived from it.
    /// A process starts with exactly what its parent grants: a new table is empty.
    ///
    /// Locking: callers hold the one global capability lock around every call (an operation may touch other
    /// tables through the derivation tree); nothing here locks.
    ///
    /// Errors (Exo.Abi.Error, what the system calls report): BadHandle for a stale, forged or free handle and for
    /// one naming another type of object, AccessDenied for a missing right (Grant to send), Invalid for rights
    /// beyond the source's, OutOfMemory for a full table. On any error nothing changes.
    ///
    /// Memory: the capacity is fixed at construction (an explicit limit, checked). Each slot's node object is
    /// allocated the first time the slot is used and then reused for the table's life, so inserts after the
    /// first use of a slot, and every other operation, allocate nothing. <see cref="Destroy"/> hands the nodes
    /// and the slot array back to the caller to free.
    ///
    /// Slot reuse: free slots are reused in FIFO order, which spreads reuse over them and makes a stale handle
    /// take as long as possible to meet its slot again. A slot whose generation is used up is retired (never
    /// reused) rather than wrapped, so no stale handle can ever match again.
    /// </summary>
    public sealed unsafe class HandleTable
    {
        /// <summary>
        /// Called with the object when a capability to it appears in a table and when one goes away (null: no
        /// reference counting, as in host tests). The kernel counts references of its objects with them.
        /// </summary>
        public static delegate*<object, void> ObjectAcquired, ObjectReleased;

        /// <summary>
        /// Called (under the capability lock) after a capability of 'type' left 'table' by close, revoke, move or
        /// tear-down, so that state derived from what a table holds can follow (the kernel recomputes a
        /// process's I/O port bitmap). Null: nothing to do (host tests).
        /// </summary>
        public static delegate*<HandleTable, ObjectType, void> CapabilityRemoved;

        /// <summary>Whose table this is (the kernel's Process), for <see cref="CapabilityRemoved"/>.</summary>
        public object Owner;

        private Capability[] _slots;
        private int _capacity;
        private int _used;                       // slots [0, _used) have a node; the rest were never used
        private int _count;
        private int _retired;
        private int _freeHead = -1, _freeTail = -1;

        /// <summary>A table of at most 'capacity' capabilities, clamped to [0, Handle.MaxSlots].</summary>
        public HandleTable(int capacity)
        {
            if (capacity < 0)
                capacity = 0;
            if (capacity > Handle.MaxSlots)
                capacity = Handle.MaxSlots;
            _capacity = capacity;
            // The slot array comes with the first insert: a Linux process (every fork) usually never holds a capability.
        }

        public int Count => _count;
        public int Capacity => _capacity;
        /// <summary>Slots whose generations are used up; they no longer count towards what the table can hold.</summary>
        public int Retired => _retired;

        /// <summary>
        /// Adds a capability. 'parent' null makes a root (a kernel-created capability); otherwise the new one is
        /// derived from 'parent' (which may live in any table) and may hold only a subset of its rights.
        /// </summary>
        public Error Insert(object obj, ObjectType type, Rights rights, Capability parent, out Handle handle)
        {
            handle = Handle.Invalid;
            if (type == ObjectType.None)
                return Error.Invalid;            // None marks a free slot
            if (parent != null)
            {
                if (!parent.IsLive)
                    return Error.BadHandle;
                if ((rights & ~parent.Rights) != 0)
                    return Error.Invalid;
            }
            Capability node = AllocateSlot();
            if (node == null)
                return Error.OutOfMemory;
            Occupy(node, obj, type, rights);
            if (parent != null)
                LinkChild(parent, node);
            handle = node.Handle;
            return Error.None;
        }

        /// <summary>
        /// The capability 'handle' names, if it is of 'expectedType' (None: any type) and holds every right in
        /// 'required'. O(1), no allocation.
        /// </summary>
        public Error Lookup(Handle handle, ObjectType expectedType, Rights required, out Capability capability)
        {
            capability = null;
            uint index = handle.Value & Handle.IndexMask;
            if (index >= (uint)_used)
                return Error.BadHandle;
            Capability node = _slots[index];
            // Generation 0 never matches (slots start at 1); a free slot's generation is already the next one.
            if (node.Generation != handle.Generation || !node.IsLive)
                return Error.BadHandle;
            if (expectedType != ObjectType.None && node.Type != expectedType)
                return Error.BadHandle;
            if ((node.Rights & required) != required)
                return Error.AccessDenied;
            capability = node;
            return Error.None;
        }

        /// <summary>
        /// Lookup without the capability lock, for the IPC fast path on the caller's own table (which only its
        /// own thread and lock holders change): the slot is read between two reads of its generation, and every
        /// vacate moves the generation on, so a slot that changed meanwhile fails the check. The caller must keep
        /// the object from being freed while it uses it (the scheduler's fast-path grace flag). Null if the
        /// handle is not a live capability of that type with those rights.
        /// </summary>
        public object LookupUnlocked(uint value, ObjectType expectedType, Rights required)
        {
            uint index = value & Handle.IndexMask;
            if (index >= (uint)System.Threading.Volatile.Read(ref _used))
                return null;
            Capability node = _slots[index];
            uint generation = value >> Handle.IndexBits;
            if (System.Threading.Volatile.Read(ref node._generation) != generation)
                return null;
            object found = node.Object;
            bool matches = node.Type == expectedType && (node.Rights & required) == required;
            System.Threading.Interlocked.MemoryBarrier();   // the reads above complete before the generation re-read
            if (!matches || found == null || System.Threading.Volatile.Read(ref node._generation) != generation)
                return null;
            return found;
        }

        /// <summary>A second handle to the same object with 'rights' (a subset), derived from the original.
        /// Requires <see cref="Rights.Duplicate"/>.</summary>
        public Error Duplicate(Handle handle, Rights rights, out Handle duplicate)
        {
            duplicate = Handle.Invalid;
            Error error = Lookup(handle, ObjectType.None, Rights.Duplicate, out Capability source);
            if (error != Error.None)
                return error;
            return Insert(source.Object, source.Type, rights, source, out duplicate);
        }

        /// <summary>
        /// Removes this capability only. What was derived from it is not revoked (closing your handle does not
        /// take back what you gave away): its children move up to its parent, so revoking an ancestor still
        /// reaches them, or become roots if it had none.
        /// </summary>
        public Error Close(Handle handle)
        {
            Error error = Lookup(handle, ObjectType.None, Rights.None, out Capability node);
            if (error != Error.None)
                return error;
            RemoveKeepingDerived(node);
            return Error.None;
        }

        /// <summary>
        /// Removes every capability derived from this one, directly or not, in whatever tables they live; this
        /// one stays. Requires <see cref="Rights.Revoke"/>. Iterative and O(removed): kernel stacks are small.
        /// </summary>
        public Error Revoke(Handle handle)
        {
            Error error = Lookup(handle, ObjectType.None, Rights.Revoke, out Capability root);
            if (error != Error.None)
                return error;
            // Post-order walk that removes leaves as it goes: go down to a leaf, remove it, carry on from its
            // parent. Every step either descends to a node that will be removed or removes one.
            Capability current = root.FirstChild;
            while (current != null)
            {
                if (current.FirstChild != null)
                {
                    current = current.FirstChild;
                    continue;
                }
                Capability parent = current.Parent;
                Unlink(current);
                current.Table.Vacate(current);
                current = parent == root ? root.FirstChild : parent;
            }
            return Error.None;
        }

        /// <summary>
        /// Sends a capability in a message from 'from' to 'to' with 'rights' (a subset). Requires
        /// <see cref="Rights.Grant"/>. A copy is derived from the sender's capability (the sender can revoke
        /// it); a move takes the sender's capability away and gives the receiver its place in the derivation
        /// tree (its parent, and what was derived from it). On any error nothing changes.
        /// </summary>
        public static Error Transfer(HandleTable from, Handle handle, HandleTable to, Rights rights, bool move, out Handle received)
        {
            received = Handle.Invalid;
            if (from == null || to == null)
                return Error.BadHandle;
            Error error = from.Lookup(handle, ObjectType.None, Rights.None, out Capability source);
            if (error != Error.None)
                return error;
            if (!source.Allows(Rights.Grant))
                return Error.AccessDenied;
            if ((rights & ~source.Rights) != 0)
                return Error.Invalid;
            if (!move)
                return to.Insert(source.Object, source.Type, rights, source, out received);

            Capability target = to.AllocateSlot();
            if (target == null)
                return Error.OutOfMemory;
            to.Occupy(target, source.Object, source.Type, rights);
            ReplaceInTree(source, target);
            from.Vacate(source);
            received = target.Handle;
            return Error.None;
        }

        /// <summary>Whether some handle names an object of 'type' with at least 'rights' (call under the capability lock).</summary>
        public bool Holds(ObjectType type, Rights rights)
        {
            for (int i = 0; i < _used; i++)
            {
                Capability node = _slots[i];
                if (node != null && node.Type == type && (node.Rights & rights) == rights)
                    return true;
            }
            return false;
        }

        /// <summary>
        /// Slot 'index' for enumeration (the shell's caps command): false if out of range or free.
        /// </summary>
        public bool TryGetAt(int index, out Handle handle, out Capability capability)
        {
            handle = Handle.Invalid;
            capability = null;
            if (index < 0 || index >= _used)
                return false;
            Capability node = _slots[index];
            if (!node.IsLive)
                return false;
            handle = node.Handle;
            capability = node;
            return true;
        }

        /// <summary>
        /// Closes every capability (as <see cref="Close"/>: what was derived from them in other tables survives),
        /// for example when the process ends. The table stays usable.
        /// </summary>
        public void CloseAll()
        {
            for (int i = 0; i < _used; i++)
            {
                Capability node = _slots[i];
                if (node.IsLive)
                    RemoveKeepingDerived(node);
            }
        }

        /// <summary>
        /// Tear-down: closes every capability, then passes each node object and the slot array to 'free' (the
        /// kernel passes ObjectAllocator.Free; the host can pass a no-op). The caller then frees the table
        /// object itself. Afterwards the table holds nothing and refuses every insert (TableFull).
        /// </summary>
        public void Destroy(delegate*<object, void> free)
        {
            CloseAll();
            Capability[] slots = _slots;
            int used = _used;
            _slots = null;
            _capacity = _used = _count = _retired = 0;
            _freeHead = _freeTail = -1;
            for (int i = 0; i < used; i++)
                free(slots[i]);
            if (slots != null)
                free(slots);
        }

        // ---- Slots ----

        // A free slot's node, or null if the table is full (or no memory). Prefers slots already used (no allocation); a
        // new slot gets its node here, and the first one the slot array: the only allocations in the table.
        private Capability AllocateSlot()
        {
            if (_freeHead >= 0)
            {
                Capability node = _slots[_freeHead];
                _freeHead = node.NextFree;
                if (_freeHead < 0)
                    _freeTail = -1;
                node.NextFree = -1;
                return node;
            }
            if (_used >= _capacity)
                return null;
            if (_slots == null && (_slots = new Capability[_capacity]) == null)
                return null;
            Capability fresh = new Capability();
            fresh.Table = this;
            fresh.Index = _used;
            fresh.Generation = Handle.FirstGeneration;
            fresh.NextFree = -1;
            _slots[_used] = fresh;
            System.Threading.Volatile.Write(ref _used, _used + 1);   // the node is in place before an unlocked lookup can see it
            return fresh;
        }

        private void Occupy(Capability node, object obj, ObjectType type, Rights rights)
        {
            node.Object = obj;
            node.Type = type;
            node.Rights = rights;
            _count++;
            if (ObjectAcquired != null && obj != null)
                ObjectAcquired(obj);
        }

        // Frees the slot of a node already out of the tree: the generation moves on so every handle to it goes
        // stale, and the slot joins the back of the free queue (or is retired if its generations are used up).
        private void Vacate(Capability node)
        {
            object released = node.Object;
            ObjectType type = node.Type;
            node.Object = null;
            node.Type = ObjectType.None;
            node.Rights = Rights.None;
            _count--;
            if (CapabilityRemoved != null)
                CapabilityRemoved(this, type);
            if (ObjectReleased != null && released != null)
                ObjectReleased(released);
            if (node.Generation >= Handle.MaxGeneration)
            {
                _retired++;
                return;
            }
            node.Generation++;
            node.NextFree = -1;
            if (_freeTail >= 0)
                _slots[_freeTail].NextFree = node.Index;
            else
                _freeHead = node.Index;
            _freeTail = node.Index;
        }

        // ---- Derivation tree ----

        private static void RemoveKeepingDerived(Capability node)
        {
            ReparentChildren(node);
            Unlink(node);
            node.Table.Vacate(node);
        }

        // Makes 'child' the first child of 'parent'.
        private static void LinkChild(Capability parent, Capability child)
        {
            Capability first = parent.FirstChild;
            child.Parent = parent;
            child.PreviousSibling = null;
            child.NextSibling = first;
            if (first != null)
                first.PreviousSibling = child;
            parent.FirstChild = child;
        }

        // Takes 'node' out of its parent's children (its own children stay attached to it).
        private static void Unlink(Capability node)
        {
            Capability previous = node.PreviousSibling;
            Capability next = node.NextSibling;
            if (previous != null)
                previous.NextSibling = next;
            else if (node.Parent != null)
                node.Parent.FirstChild = next;
            if (next != null)
                next.PreviousSibling = previous;
            node.Parent = null;
            node.PreviousSibling = null;
            node.NextSibling = null;
        }

        // Hands 'node's children to its parent, in their place among the parent's children; with no parent they
        // become roots. O(children).
        private static void ReparentChildren(Capability node)
        {
            Capability first = node.FirstChild;
            if (first == null)
                return;
            node.FirstChild = null;
            Capability grandparent = node.Parent;
            if (grandparent == null)
            {
                Capability child = first;
                while (child != null)
                {
                    Capability next = child.NextSibling;
                    child.Parent = null;
                    child.PreviousSibling = null;
                    child.NextSibling = null;
                    child = next;
                }
                return;
            }
            Capability last = first;
            while (true)
            {
                last.Parent = grandparent;
                if (last.NextSibling == null)
                    break;
                last = last.NextSibling;
            }
            // Splice [first .. last] in right after 'node'; Unlink then removes 'node' from between.
            Capability after = node.NextSibling;
            last.NextSibling = after;
            if (after != null)
                after.PreviousSibling = last;
            node.NextSibling = first;
            first.PreviousSibling = node;
        }

        // Puts 'target' where 'source' is in the tree: same parent and siblings, and source's children.
        private static void ReplaceInTree(Capability source, Capability target)
        {
            Capability parent = source.Parent;
            Capability previous = source.PreviousSibling;
            Capability next = source.NextSibling;
            target.Parent = parent;
            target.PreviousSibling = previous;
            target.NextSibling = next;
            if (previous != null)
                previous.NextSibling = target;
            else if (parent != null)
                parent.FirstChild = target;
            if (next != null)
                next.PreviousSibling = target;

            Capability child = source.FirstChild;
            target.FirstChild = child;
            while (child != null)
            {
                child.Parent = target;
                child = child.NextSibling;
            }
            source.Parent = null;
            source.PreviousSibling = null;
            source.NextSibling = null;
            source.FirstChild = null;
        }
    }
}
