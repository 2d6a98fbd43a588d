using Exo.Kernel.Capabilities;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// What a user-mode service hands the kernel so that a personality can reach it by name: file system servers
    /// (the FileSystemOffer call), which POSIX-X's mount finds by the name given as mount's source, and the network
    /// service (SocketOffer), whose channel POSIX-X's internet sockets use. The
    /// kernel keeps its own small table rather than asking the name service: the kernel must not depend on a
    /// user-mode service to mount, and the process calling mount(2) (a Linux program) holds no capabilities to pass.
    /// The channel is a memory object and two notifications (Exo.Protocols.FileSystem.FileSystemChannelLayout or
    /// Exo.Protocols.Sockets.SocketChannelLayout, as its kind says; a name is found only for its own kind).
    /// A name belongs to the live process that offered it; a server that ends leaves its entry to be replaced (by
    /// its restarted self, under init).
    /// </summary>
    public static unsafe class ServiceOffers
    {
        /// <summary>The most offers at once (an explicit limit).</summary>
        public const int Capacity = 8;
        /// <summary>A name's longest length (the name service's rule: 1 to 24 printable bytes).</summary>
        public const int MaximumNameLength = 24;

        /// <summary>Which protocol an offer's channel speaks.</summary>
        public enum Kind : byte
        {
            FileSystem = 1,
            Sockets = 2,
            /// <summary>A socket channel for one native program (SocketNativeOffer): taken by the first SocketClaim.</summary>
            NativeSockets = 3,
        }

        /// <summary>One offer: its objects, each with a reference the table (or a copy's holder) owns.</summary>
        public struct Offer
        {
            public Kind Kind;
            public Process Server;
            public MemoryObject Memory;
            /// <summary>A file system server's bulk memory, where its reads' data may lie (FileSystemReply.InBulk); or null.</summary>
            public MemoryObject Bulk;
            public Notification ServerNotification, ClientNotification;
            /// <summary>A file system server's block channel to its disk's driver, for the kernel's own reads
            /// (Exo.Abi.FileSystemOfferObjects); all null when it gave none.</summary>
            public MemoryObject BlockMemory;
            public Notification BlockDriver, BlockClient;
            public ulong BlockRequestBits;

            /// <summary>A copy with a reference of its own to each object (give them back with <see cref="Release"/>).</summary>
            public Offer Copy()
            {
                Server?.AddReference();
                Memory?.AddReference();
                Bulk?.AddReference();
                ServerNotification?.AddReference();
                ClientNotification?.AddReference();
                BlockMemory?.AddReference();
                BlockDriver?.AddReference();
                BlockClient?.AddReference();
                return this;
            }

            /// <summary>Gives back the references of a copy that <see cref="TryFind"/> made.</summary>
            public void Release()
            {
                Server?.Release();
                Memory?.Release();
                Bulk?.Release();
                ServerNotification?.Release();
                ClientNotification?.Release();
                BlockMemory?.Release();
                BlockDriver?.Release();
                BlockClient?.Release();
                this = default;
            }
        }

        private struct Entry
        {
            public Offer Offer;
            public int NameLength;
            public fixed byte Name[MaximumNameLength];
        }

        private static readonly Entry[] s_entries = new Entry[Capacity];
        private static TicketLock s_lock;

        public static bool IsValidName(byte* name, int length)
        {
            if (length < 1 || length > MaximumNameLength)
                return false;
            for (int i = 0; i < length; i++)
                if (name[i] <= (byte)' ' || name[i] > (byte)'~' || name[i] == (byte)'/')
                    return false;
            return true;
        }

        /// <summary>
        /// Records 'offer' under 'name' (the table takes over its references; on an error they are given back).
        /// AlreadyExists while another live process holds the name; OutOfMemory when the table is full.
        /// </summary>
        public static Error Add(byte* name, int length, Offer offer)
        {
            if (!IsValidName(name, length))
            {
                offer.Release();
                return Error.Invalid;
            }
            Offer replaced = default;
            Error error = Error.None;
            using (InterruptMask.Enter())
            {
                s_lock.Rank = LockRank.ServiceOffers;
                using (s_lock.Hold())
                {
                    int free = -1, found = -1;
                    for (int i = 0; i < Capacity; i++)
                    {
                        ref Entry entry = ref s_entries[i];
                        if (entry.Offer.Server == null)
                        {
                            if (free < 0)
                                free = i;
                        }
                        else if (Same(ref entry, name, length))
                        {
                            found = i;
                        }
                    }
                    if (found >= 0)
                    {
                        Process holder = s_entries[found].Offer.Server;
                        if (holder != offer.Server && holder.State != ProcessState.Exited)
                            error = Error.AlreadyExists;
                        else
                            free = found;
                    }
                    if (error == Error.None && free < 0)
                        error = Error.OutOfMemory;
                    if (error == Error.None)
                    {
                        ref Entry slot = ref s_entries[free];
                        replaced = slot.Offer;
                        slot.Offer = offer;
                        slot.NameLength = length;
                        for (int i = 0; i < length; i++)
                            slot.Name[i] = name[i];
                    }
                }
            }
            if (error != Error.None)
                offer.Release();
            replaced.Release();
            if (error == Error.None)
                ServiceOfferWait.Announce();   // mounts waiting for this name look again
            return error;
        }

        /// <summary>A copy of the live offer of 'kind' named 'name', with references of its own (give them back with Offer.Release).</summary>
        public static bool TryFind(Kind kind, byte* name, int length, out Offer offer) => Look(kind, name, length, take: false, out offer);

        /// <summary>Takes the live offer of 'kind' named 'name' out of the table (the caller owns its references).</summary>
        public static bool TryTake(Kind kind, byte* name, int length, out Offer offer) => Look(kind, name, length, take: true, out offer);

        private static bool Look(Kind kind, byte* name, int length, bool take, out Offer offer)
        {
            offer = default;
            using (InterruptMask.Enter())
            {
                s_lock.Rank = LockRank.ServiceOffers;
                using (s_lock.Hold())
                {
                    for (int i = 0; i < Capacity; i++)
                    {
                        ref Entry entry = ref s_entries[i];
                        if (entry.Offer.Server == null || entry.Offer.Kind != kind || !Same(ref entry, name, length)
                            || entry.Offer.Server.State == ProcessState.Exited)
                            continue;
                        if (take)
                        {
                            offer = entry.Offer;
                            entry.Offer = default;
                            return true;
                        }
                        // Every object the copy's Release gives back, the bulk memory too (a copy once took none of
                        // it, and each unmount dropped one of the table's references).
                        offer = entry.Offer.Copy();
                        return true;
                    }
                }
            }
            return false;
        }

        private static bool Same(ref Entry entry, byte* name, int length)
        {
            if (entry.NameLength != length)
                return false;
            for (int i = 0; i < length; i++)
                if (entry.Name[i] != name[i])
                    return false;
            return true;
        }
    }
}
