using Exo.Kernel.Memory.Heap;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// One message in an AF_UNIX socket's receive queue: its bytes (a stream reads across messages; a datagram or
    /// sequenced packet is read whole), the descriptions it passes (SCM_RIGHTS, references it holds until received),
    /// the sender's credentials and bound address. Made and filled with no lock held and queued under UnixSocket's lock,
    /// but for a small stream send's, which is filled under that lock from the sender's staging (UnixSocket.TrySendSmall).
    /// </summary>
    public sealed unsafe class UnixMessage
    {
        public byte* Data;
        public int Length;
        /// <summary>Bytes a stream's reads took already.</summary>
        public int Consumed;
        public OpenFile[] Rights;
        public int RightsCount;
        public int ProcessId;
        public uint UserId, GroupId;
        /// <summary>The sender's bound address (a copy), or null.</summary>
        public byte* Source;
        public int SourceLength;
        public UnixMessage Next;
        /// <summary>Data's size (at least Length: a small stream message keeps room for the sends after it: CanAppend).</summary>
        public int Capacity;

        /// <summary>
        /// The buffer of a small stream message (UnixSocket's small sends): the next small sends of the same sender append
        /// to it, and one read to its end is kept to carry another (UnixSocket's spares).
        /// </summary>
        public const int SmallCapacity = 512;

        /// <summary>Whether its buffer is a small message's, which any small message can reuse (Reuse).</summary>
        public bool IsSmall => Capacity == SmallCapacity;

        /// <summary>A small message read to its end, made ready to carry 'length' (at most SmallCapacity) bytes again, as Create's.</summary>
        public void Reuse(int length)
        {
            Length = length;
            Consumed = 0;
            Next = null;
        }

        /// <summary>Whether 'length' more bytes from a sender with these credentials can join this message (a stream's).</summary>
        public bool CanAppend(int length, int processId, uint userId, uint groupId)
            => Capacity - Length >= length && Rights == null && Source == null
                && ProcessId == processId && UserId == userId && GroupId == groupId;

        /// <summary>A message of 'length' bytes (not yet filled) in a buffer of 'capacity' (at least 'length'); null when memory runs out.</summary>
        public static UnixMessage Create(int length, int capacity = 0)
        {
            UnixMessage message = new UnixMessage { Length = length };
            if (message == null)
                return null;
            if (capacity < length)
                capacity = length;
            if (capacity > 0)
            {
                message.Data = (byte*)KernelHeap.AllocateUninitialized((ulong)capacity);
                if (message.Data == null)
                {
                    Exo.Runtime.ObjectAllocator.Free(message);
                    return null;
                }
                message.Capacity = capacity;
            }
            return message;
        }

        /// <summary>Takes the transfer's passed descriptions (their references come with them).</summary>
        public void TakeRights(ref SocketTransfer transfer)
        {
            Rights = transfer.Rights;
            RightsCount = transfer.RightsCount;
            transfer.Rights = null;
            transfer.RightsCount = 0;
        }

        /// <summary>Hands the message's descriptions to a receive (at most once: a stream's later reads of it find none).</summary>
        public void TakeRightsInto(ref SocketTransfer transfer)
        {
            transfer.Rights = Rights;
            transfer.RightsCount = RightsCount;
            Rights = null;
            RightsCount = 0;
        }

        /// <summary>Frees the message and what it still holds (descriptions not received are released: call with no lock held).</summary>
        public void Free()
        {
            for (int i = 0; i < RightsCount; i++)
                Rights[i]?.Release();
            if (Rights != null)
                Exo.Runtime.ObjectAllocator.Free(Rights);
            if (Source != null)
                KernelHeap.Free(Source);
            if (Data != null)
                KernelHeap.Free(Data);
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        /// <summary>Frees a chain of messages (linked by Next).</summary>
        public static void FreeAll(UnixMessage messages)
        {
            while (messages != null)
            {
                UnixMessage next = messages.Next;
                messages.Free();
                messages = next;
            }
        }
    }
}
