using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>A service offers the kernel a channel under a name (FileSystemOffer, SocketOffer, SocketNativeOffer): see
    /// <see cref="ServiceOffers"/>; a native program claims the last (SocketClaim: <see cref="SocketClaims"/>).</summary>
    public static unsafe class OfferCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.FileSystemOffer, &DoOfferFileSystem);
            SystemCalls.Register(SystemCallNumber.SocketOffer, &DoOfferSockets);
            SystemCalls.Register(SystemCallNumber.SocketNativeOffer, &DoOfferNativeSockets);
            SystemCalls.Register(SystemCallNumber.SocketClaim, &DoClaimSockets);
        }

        // All: (name, name length, memory object, server notification, client notification); the memory object must
        // hold the whole layout of its protocol. A file system's sixth is its bulk memory (0: none), a memory object
        // its reads' data may lie in (FileSystemReply.InBulk).
        private static ulong DoOfferFileSystem(RegisterFrame* frame)
            => Offer(frame, ServiceOffers.Kind.FileSystem, Exo.Protocols.FileSystem.FileSystemChannelLayout.Size);

        private static ulong DoOfferSockets(RegisterFrame* frame)
            => Offer(frame, ServiceOffers.Kind.Sockets, Exo.Protocols.Sockets.SocketChannelLayout.Size);

        private static ulong DoOfferNativeSockets(RegisterFrame* frame)
            => Offer(frame, ServiceOffers.Kind.NativeSockets, Exo.Protocols.Sockets.SocketChannelLayout.Size);

        // (name, name length, three uint handles out): see SocketClaims.
        private static ulong DoClaimSockets(RegisterFrame* frame)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            byte* name = stackalloc byte[ServiceOffers.MaximumNameLength];
            Error error = ReadName(frame, name, out int length);
            if (error != Error.None)
                return SystemCallResult.From(error);
            uint* handles = stackalloc uint[SocketClaims.HandleCount];
            error = SocketClaims.Claim(process, name, length, handles);
            if (error == Error.None && !UserMemory.CopyToUser(frame->Argument2, handles, SocketClaims.HandleCount * sizeof(uint)))
                error = Error.BadAddress;   // the handles stay the caller's (it ends with them)
            return SystemCallResult.From(error);
        }

        private static ulong Offer(RegisterFrame* frame, ServiceOffers.Kind kind, ulong channelSize)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            byte* name = stackalloc byte[ServiceOffers.MaximumNameLength];
            Error error = ReadName(frame, name, out int length);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ServiceOffers.Offer offer = default;
            offer.Kind = kind;
            error = CapabilitySpace.Reference(process.Handles, frame->Argument2, ObjectType.MemoryObject, Rights.Map | Rights.Write, out KernelObject memory);
            offer.Memory = (MemoryObject)memory;
            if (error == Error.None && offer.Memory.Size < channelSize)
                error = Error.Invalid;
            if (error == Error.None)
            {
                error = CapabilitySpace.Reference(process.Handles, frame->Argument3, ObjectType.Notification, Rights.Signal, out KernelObject server);
                offer.ServerNotification = (Notification)server;
            }
            if (error == Error.None)
            {
                error = CapabilitySpace.Reference(process.Handles, frame->Argument4, ObjectType.Notification, Rights.Wait, out KernelObject client);
                offer.ClientNotification = (Notification)client;
            }
            if (error == Error.None && kind == ServiceOffers.Kind.FileSystem && frame->Argument5 != 0)
            {
                error = CapabilitySpace.Reference(process.Handles, frame->Argument5, ObjectType.MemoryObject, Rights.Map, out KernelObject bulk);
                offer.Bulk = (MemoryObject)bulk;
            }
            if (error != Error.None)
            {
                offer.Release();
                return SystemCallResult.From(error);
            }
            process.AddReference();
            offer.Server = process;
            return SystemCallResult.From(ServiceOffers.Add(name, length, offer));
        }

        /// <summary>Arguments 0 and 1: a service's name and its length (1 to MaximumNameLength bytes), copied into 'name' (ChannelCalls' too).</summary>
        internal static Error ReadName(RegisterFrame* frame, byte* name, out int length)
        {
            length = (int)frame->Argument1;
            if (frame->Argument1 < 1 || frame->Argument1 > ServiceOffers.MaximumNameLength)
                return Error.Invalid;
            return UserMemory.CopyFromUser(name, frame->Argument0, frame->Argument1) ? Error.None : Error.BadAddress;
        }
    }
}
