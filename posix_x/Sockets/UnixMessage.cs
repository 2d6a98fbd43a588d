using Exo.Kernel.Memory.Heap;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>
    /// One message in an AF_UNIX socket's receive queue: its bytes (a stream reads across messages; a datagram or
    /// sequenced packet is read whole), the descriptions it passes (SCM_RIGHTS, references it holds until received),
    /// the sender's credentials and bound address. Made and filled with no lock held; queued under UnixSocket's.
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

        /// <summary>A message of 'length' bytes (not yet filled); null when memory runs out.</summary>
        public static UnixMessage Create(int length)
        {
            UnixMessage message = new UnixMessage { Length = length };
            if (message == null)
                return null;
            if (length > 0)
            {
                message.Data = (byte*)KernelHeap.AllocateUninitialized((ulong)length);
                if (message.Data == null)
                {
                    Exo.Runtime.ObjectAllocator.Free(message);
                    return null;
                }
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
            if (Data != null)
                KernelHeap.Free(Data);
            if (Source != null)
                KernelHeap.Free(Source);
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
