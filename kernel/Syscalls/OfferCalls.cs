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
        // hold the whole layout of its protocol. A file system's sixth points at its other objects (FileSystemOfferObjects;
        // 0: none).
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
                error = TakeFileSystemObjects(process, frame->Argument5, ref offer);
            if (error != Error.None)
            {
                offer.Release();
                return SystemCallResult.From(error);
            }
            process.AddReference();
            offer.Server = process;
            return SystemCallResult.From(ServiceOffers.Add(name, length, offer));
        }

        // A file system's FileSystemOfferObjects at 'address': its bulk memory, and a block channel (all three objects or
        // none; the memory must hold the block channel's layout and be DMA memory: the kernel reads it in one run).
        private static Error TakeFileSystemObjects(Process process, ulong address, ref ServiceOffers.Offer offer)
        {
            FileSystemOfferObjects objects;
            if (!UserMemory.CopyFromUser(&objects, address, (ulong)sizeof(FileSystemOfferObjects)))
                return Error.BadAddress;
            Error error = Error.None;
            if (objects.Bulk != 0)
            {
                error = CapabilitySpace.Reference(process.Handles, objects.Bulk, ObjectType.MemoryObject, Rights.Map, out KernelObject bulk);
                offer.Bulk = (MemoryObject)bulk;
            }
            bool block = objects.BlockMemory != 0 || objects.BlockDriver != 0 || objects.BlockClient != 0;
            if (error != Error.None || !block)
                return error;
            if (objects.BlockRequestBits == 0)
                return Error.Invalid;
            error = CapabilitySpace.Reference(process.Handles, objects.BlockMemory, ObjectType.MemoryObject, Rights.Map | Rights.Write, out KernelObject memory);
            offer.BlockMemory = (MemoryObject)memory;
            if (error == Error.None && (!offer.BlockMemory.IsContiguous || offer.BlockMemory.Size < (ulong)Exo.Protocols.BlockDevice.BlockChannelLayout.Size))
                error = Error.Invalid;
            if (error == Error.None)
            {
                error = CapabilitySpace.Reference(process.Handles, objects.BlockDriver, ObjectType.Notification, Rights.Signal, out KernelObject driver);
                offer.BlockDriver = (Notification)driver;
            }
            if (error == Error.None)
            {
                error = CapabilitySpace.Reference(process.Handles, objects.BlockClient, ObjectType.Notification, Rights.Wait, out KernelObject client);
                offer.BlockClient = (Notification)client;
            }
            offer.BlockRequestBits = objects.BlockRequestBits;
            return error;
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
