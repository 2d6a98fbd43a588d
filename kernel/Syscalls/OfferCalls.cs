using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>A service offers the kernel a channel under a name (FileSystemOffer, SocketOffer): see <see cref="ServiceOffers"/>.</summary>
    public static unsafe class OfferCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.FileSystemOffer, &DoOfferFileSystem);
            SystemCalls.Register(SystemCallNumber.SocketOffer, &DoOfferSockets);
        }

        // Both: (name, name length, memory object, server notification, client notification); the memory object must
        // hold the whole layout of its protocol.
        private static ulong DoOfferFileSystem(RegisterFrame* frame)
            => Offer(frame, ServiceOffers.Kind.FileSystem, Exo.Protocols.FileSystem.FileSystemChannelLayout.Size);

        private static ulong DoOfferSockets(RegisterFrame* frame)
            => Offer(frame, ServiceOffers.Kind.Sockets, Exo.Protocols.Sockets.SocketChannelLayout.Size);

        private static ulong Offer(RegisterFrame* frame, ServiceOffers.Kind kind, ulong channelSize)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            ulong length = frame->Argument1;
            if (length < 1 || length > ServiceOffers.MaximumNameLength)
                return SystemCallResult.From(Error.Invalid);
            byte* name = stackalloc byte[ServiceOffers.MaximumNameLength];
            if (!UserMemory.CopyFromUser(name, frame->Argument0, length))
                return SystemCallResult.From(Error.BadAddress);
            ServiceOffers.Offer offer = default;
            offer.Kind = kind;
            Error error = CapabilitySpace.Reference(process.Handles, frame->Argument2, ObjectType.MemoryObject, Rights.Map | Rights.Write, out KernelObject memory);
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
            if (error != Error.None)
            {
                offer.Release();
                return SystemCallResult.From(error);
            }
            process.AddReference();
            offer.Server = process;
            return SystemCallResult.From(ServiceOffers.Add(name, (int)length, offer));
        }
    }
}
