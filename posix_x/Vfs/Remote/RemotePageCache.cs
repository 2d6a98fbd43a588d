using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// A ringfs mount's cache of file pages, so that a read of data already read asks no server (a round trip to the file
    /// system service and, below it, to its driver). The kernel is the mount's only client, and every change to a file
    /// goes through it, so the cache stays right by forgetting: a write, a truncation or a size change forgets that
    /// file's pages, a removal or rename forgets every page (the server may reuse a removed file's node number), and an
    /// unmount frees it all. Direct-mapped (a page's slot is a hash of its node and index): a lookup is one slot, a
    /// miss replaces what was there. At most <see cref="Capacity"/> pages (1 MiB per mount), their frames allocated as
    /// slots are first filled. O_DIRECT reads bypass it. One spin lock, held across the copy to the reader (as
    /// tmpfs's is), never across a request to the server.
    /// </summary>
    public sealed unsafe class RemotePageCache
    {
        public const int Capacity = 256;
        public const ulong PageSize = 4096;

        private struct Slot
        {
            public ulong Node, Page, Frame;
            public ulong Epoch;   // the cache's epoch when it was filled: a slot of an earlier epoch holds nothing
            public int Valid;   // bytes of the page the file had when it was read (fewer than a page: the file ends there)
            public bool Used;
        }

        private Slot* _slots;
        private SpinLock _lock;
        // Moved on by every forget: a page read from the server before a forget is not kept after it (Fill's 'seen').
        private ulong _generation;
        // Moved on by ForgetAll, which so forgets every slot at once (a removal or rename: every unlink scanned 256 slots).
        private ulong _epoch;

        /// <summary>What a reader notes before it asks the server for a page, for Fill.</summary>
        public ulong Generation => System.Threading.Volatile.Read(ref _generation);

        private RemotePageCache() { _lock.Rank = LockRank.FileSystem; }

        /// <summary>An empty cache, or null without memory.</summary>
        public static RemotePageCache Create()
        {
            Slot* slots = (Slot*)KernelHeap.Allocate((ulong)(Capacity * sizeof(Slot)));   // zeroed: every slot unused
            if (slots == null)
                return null;
            return new RemotePageCache { _slots = slots };
        }

        // A file's pages in consecutive slots from where its node number hashes to.
        private Slot* SlotOf(ulong node, ulong page) => _slots + (int)((((node * 0x9E3779B97F4A7C15UL) >> 56) + page) % Capacity);

        /// <summary>
        /// Copies bytes [within, within + count) of page 'page' of 'node' to 'buffer' at 'bufferOffset' if the cache has
        /// the page: true with how many bytes the file had there ('copied' is fewer than 'count' where the file ends);
        /// false if it has not (or the copy to the buffer faulted: 'faulted').
        /// </summary>
        public bool TryRead(ulong node, ulong page, ulong within, IoBuffer buffer, ulong bufferOffset, ulong count, out ulong copied, out bool faulted)
        {
            copied = 0;
            faulted = false;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                Slot* slot = SlotOf(node, page);
                if (!slot->Used || slot->Epoch != _epoch || slot->Node != node || slot->Page != page)
                    return false;
                ulong available = (ulong)slot->Valid > within ? (ulong)slot->Valid - within : 0;
                copied = count < available ? count : available;
                if (copied > 0 && !buffer.CopyIn(bufferOffset, (byte*)PhysicalMemory.ToVirtual(slot->Frame) + within, copied))
                {
                    copied = 0;
                    faulted = true;
                    return false;
                }
                return true;
            }
        }

        /// <summary>
        /// Keeps what the server answered for page 'page' of 'node' ('length' bytes, at most a page), unless something was
        /// forgotten since the reader noted 'seen' (Generation): the answer may predate a write.
        /// </summary>
        public void Fill(ulong node, ulong page, byte* data, int length, ulong seen)
        {
            if (length < 0 || (ulong)length > PageSize)
                return;
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                if (_generation != seen)
                    return;
                Slot* slot = SlotOf(node, page);
                if (slot->Frame == 0 && (slot->Frame = PhysicalMemory.AllocateFrameUninitialized()) == 0)
                    return;   // no memory: not cached
                BlockMemory.Copy((byte*)PhysicalMemory.ToVirtual(slot->Frame), data, (ulong)length);
                slot->Node = node;
                slot->Page = page;
                slot->Valid = length;
                slot->Epoch = _epoch;
                slot->Used = true;
            }
        }

        /// <summary>Forgets pages 'first' to 'last' of 'node' (written over, the size unchanged): their slots only,
        /// not a scan of every slot.</summary>
        public void Forget(ulong node, ulong first, ulong last)
        {
            if (last < first || last - first >= Capacity)
            {
                Forget(node);
                return;
            }
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                _generation++;
                for (ulong page = first; ; page++)
                {
                    Slot* slot = SlotOf(node, page);
                    if (slot->Node == node && slot->Page == page)
                        slot->Used = false;
                    if (page == last)
                        break;
                }
            }
        }

        /// <summary>Forgets every page of 'node' (it was written or its size changed).</summary>
        public void Forget(ulong node)
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                _generation++;
                for (int i = 0; i < Capacity; i++)
                    if (_slots[i].Node == node)
                        _slots[i].Used = false;
            }
        }

        /// <summary>Forgets every page (a node may have gone, and its number may be given to a new file).</summary>
        public void ForgetAll()
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                _generation++;
                _epoch++;
            }
        }

        /// <summary>
        /// The mount is going: every page is forgotten and its frame freed. The slots stay (12 KiB) for a vnode still
        /// held past the unmount, whose reads now miss and whose server is gone.
        /// </summary>
        public void Release()
        {
            using (InterruptMask.Enter())
            using (_lock.Hold())
            {
                _generation++;
                for (int i = 0; i < Capacity; i++)
                {
                    if (_slots[i].Frame != 0)
                        PhysicalMemory.FreeFrame(_slots[i].Frame);
                    _slots[i] = default;
                }
            }
        }
    }
}
