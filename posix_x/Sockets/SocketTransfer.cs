using Exo.Kernel.Memory;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Sockets
{
    /// <summary>One of a message's user buffers (struct iovec).</summary>
    public struct IoVector { public ulong Base, Length; }

    /// <summary>send and recv's MSG_* flags, and the socket types and levels the calls share.</summary>
    public static class MessageFlags
    {
        public const int OutOfBand = 0x1, Peek = 0x2, DontRoute = 0x4, ControlTruncated = 0x8, Truncated = 0x20, DontWait = 0x40,
            EndOfRecord = 0x80, WaitAll = 0x100, NoSignal = 0x4000, CloseOnExecRights = 0x40000000;
    }

    /// <summary>
    /// What sendmsg gives a socket and recvmsg gets from it, in kernel memory but for the data, which stays in the
    /// caller's buffers (<see cref="Vectors"/>, copied with no lock held): the address (a destination, or where the
    /// source goes), passed descriptions (SCM_RIGHTS), the sender's credentials, the flags in and out.
    /// </summary>
    public unsafe struct SocketTransfer
    {
        /// <summary>sizeof(struct sockaddr_storage): the largest address a call copies.</summary>
        public const int MaximumAddressLength = 128;
        /// <summary>Linux's SCM_MAX_FD: descriptions one message passes at most.</summary>
        public const int MaximumRights = 253;

        public IoVector* Vectors;
        public int VectorCount;
        /// <summary>The buffers are kernel memory (a write from sendfile's staging), not the program's.</summary>
        public bool KernelBuffers;
        /// <summary>The buffers' total length.</summary>
        public ulong Length;
        public int Flags;
        /// <summary>Out: MSG_TRUNC and the like.</summary>
        public int ResultFlags;
        /// <summary>Send: the destination or null. Receive: a buffer of MaximumAddressLength bytes for the source (null: not wanted).</summary>
        public byte* Address;
        public int AddressLength;
        /// <summary>Descriptions passed (each with a reference the transfer owns), and how many.</summary>
        public OpenFile[] Rights;
        public int RightsCount;
        /// <summary>Receive: the sender's credentials came with the message (SO_PASSCRED).</summary>
        public bool HasCredentials;
        public int ProcessId;
        public uint UserId, GroupId;

        /// <summary>Gathers 'count' bytes from offset 'at' of the buffers into kernel memory; false on a fault.</summary>
        public bool Gather(ulong at, byte* destination, ulong count) => Copy(at, destination, count, toBuffers: false);

        /// <summary>Scatters 'count' bytes of kernel memory into the buffers from offset 'at'; false on a fault.</summary>
        public bool Scatter(ulong at, byte* source, ulong count) => Copy(at, source, count, toBuffers: true);

        private bool Copy(ulong at, byte* kernel, ulong count, bool toBuffers)
        {
            for (int i = 0; i < VectorCount && count > 0; i++)
            {
                if (at >= Vectors[i].Length)
                {
                    at -= Vectors[i].Length;
                    continue;
                }
                ulong part = Vectors[i].Length - at < count ? Vectors[i].Length - at : count;
                ulong buffer = Vectors[i].Base + at;
                if (KernelBuffers)
                    BlockMemory.Copy(toBuffers ? (byte*)buffer : kernel, toBuffers ? kernel : (byte*)buffer, part);
                else if (toBuffers ? !UserMemory.CopyToUser(buffer, kernel, part) : !UserMemory.CopyFromUser(kernel, buffer, part))
                    return false;
                kernel += part;
                count -= part;
                at = 0;
            }
            return true;
        }

        /// <summary>Lets go of passed descriptions not handed on (their references) and of the array that held them.</summary>
        public void ReleaseRights()
        {
            for (int i = 0; i < RightsCount; i++)
                Rights[i]?.Release();
            RightsCount = 0;
            if (Rights != null)
                Exo.Runtime.ObjectAllocator.Free(Rights);
            Rights = null;
        }
    }
}
