using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// A file system server's end of its channel to the kernel (Exo.Protocols.FileSystem.FileSystemChannelLayout):
    /// makes the shared memory object and the two notifications, maps the memory, and offers them to the kernel
    /// under a name (FileSystemOffer), which `mount -t ringfs NAME DIR` then names. The server loops on
    /// <see cref="Receive"/> and <see cref="Reply"/>; requests are decoded with the protocol's checks, and a
    /// malformed one is answered EINVAL without reaching the server's code.
    /// </summary>
    public unsafe struct FileSystemServerChannel
    {
        private MemoryObject _memory;
        private Notification _requests, _replies;
        private byte* _shared;

        /// <summary>Makes the channel and offers it to the kernel as 'name' (1 to 24 printable bytes).</summary>
        public static Error Offer(string name, out FileSystemServerChannel channel) => Offer(name, default(FileSystemOfferObjects), out channel);

        public static Error Offer(string name, Handle bulk, out FileSystemServerChannel channel)
            => Offer(name, new FileSystemOfferObjects { Bulk = bulk.Value }, out channel);

        public static Error Offer(string name, FileSystemOfferObjects objects, out FileSystemServerChannel channel)
        {
            byte* bytes = stackalloc byte[name.Length];
            for (int i = 0; i < name.Length; i++)
                bytes[i] = (byte)name[i];
            return Offer(bytes, name.Length, objects, out channel);
        }

        public static Error Offer(byte* name, int nameLength, out FileSystemServerChannel channel) => Offer(name, nameLength, default(FileSystemOfferObjects), out channel);

        /// <summary>
        /// Offer with bulk memory (a handle to a memory object, or none): where the server may leave a read's data for
        /// the kernel to take (FileSystemReply.InBulk), such as the DMA memory its disk's driver writes into.
        /// </summary>
        public static Error Offer(byte* name, int nameLength, Handle bulk, out FileSystemServerChannel channel)
            => Offer(name, nameLength, new FileSystemOfferObjects { Bulk = bulk.Value }, out channel);

        /// <summary>Offer with every object the kernel may take beside the channel (Exo.Abi.FileSystemOfferObjects).</summary>
        public static Error Offer(byte* name, int nameLength, FileSystemOfferObjects objects, out FileSystemServerChannel channel)
        {
            channel = default;
            Error error = MemoryObject.Create(FileSystemChannelLayout.Size, out channel._memory);
            if (error == Error.None)
                error = channel._memory.Map(true, out channel._shared);
            if (error == Error.None)
                error = Notification.Create(out channel._requests);
            if (error == Error.None)
                error = Notification.Create(out channel._replies);
            if (error != Error.None)
                return error;
            bool any = objects.Bulk != 0 || objects.BlockMemory != 0;
            long result = SystemCall.Call(SystemCallNumber.FileSystemOffer, (ulong)name, (ulong)nameLength,
                channel._memory.Handle.Value, channel._requests.Handle.Value, channel._replies.Handle.Value, any ? (ulong)&objects : 0);
            return SystemCall.ErrorOf(result);
        }

        /// <summary>
        /// Where a reply's data goes in the shared area: a server that builds a reply's data here (a read into it) saves
        /// Reply's copy of it (a copy onto itself is none).
        /// </summary>
        public byte* ReplyData => _shared + FileSystemChannelLayout.ReplyOffset + FileSystemLimits.ReplyHeaderLength;

        private bool _requestPending;   // AwaitRequest saw the request bit: Receive takes the request without waiting

        /// <summary>
        /// Waits until a request comes (true: Receive then takes it at once) or <see cref="MonotonicClock"/> passes
        /// 'deadlineNanoseconds' with none (false): a server's idle work, such as writing back, between requests.
        /// </summary>
        public bool AwaitRequest(ulong deadlineNanoseconds)
        {
            ulong bits = _requestPending ? FileSystemChannelLayout.RequestBit : 0;
            while ((bits & FileSystemChannelLayout.RequestBit) == 0)
            {
                Error error = _requests.WaitUntil(deadlineNanoseconds, out bits);
                if (error == Error.TimedOut)
                    return false;
                if (error != Error.None)
                    bits = 0;
            }
            _requestPending = true;
            return true;
        }

        /// <summary>
        /// Waits for the next request: Error.None with it decoded (its names and data point into shared memory,
        /// valid until the reply), or the problem with a request that was refused (already answered EINVAL).
        /// </summary>
        public MessageProblem Receive(out FileSystemRequest request)
        {
            request = default;
            ulong bits = _requestPending ? FileSystemChannelLayout.RequestBit : 0;
            _requestPending = false;
            while ((bits & FileSystemChannelLayout.RequestBit) == 0)
            {
                if (_requests.Wait(out bits) != Error.None)
                    bits = 0;
            }
            byte* message = _shared + FileSystemChannelLayout.RequestOffset;
            MessageProblem problem = FileSystemRequest.Decode(message, FileSystemChannelLayout.ReplyOffset - FileSystemChannelLayout.RequestOffset, out request);
            if (problem != MessageProblem.None)
            {
                // Answer what can be read of it, so that the caller is not left waiting for its time-out.
                FileSystemReply refusal = new FileSystemReply
                {
                    Operation = (FileSystemOperation)(*(ushort*)(message + 4)), Sequence = *(uint*)(message + 8),
                    ErrorNumber = (ushort)Error.Invalid,
                };
                Reply(ref refusal);
            }
            return problem;
        }

        /// <summary>Sends the reply (its Sequence and Operation must be the request's) and wakes the kernel's caller.</summary>
        public Error Reply(ref FileSystemReply reply)
        {
            int length = reply.Encode(_shared + FileSystemChannelLayout.ReplyOffset, FileSystemChannelLayout.Size - FileSystemChannelLayout.ReplyOffset);
            if (length < 0)
                return Error.Invalid;
            return _replies.Signal(FileSystemChannelLayout.ReplyBit);
        }
    }
}
