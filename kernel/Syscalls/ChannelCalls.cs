using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>A native service listens for Linux programs' connections and takes them (ChannelListen, ChannelAccept): see <see cref="ServiceChannels"/>.</summary>
    public static unsafe class ChannelCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.ChannelListen, &DoListen);
            SystemCalls.Register(SystemCallNumber.ChannelAccept, &DoAccept);
        }

        // (name, name length, notification, bits, channel size)
        private static ulong DoListen(RegisterFrame* frame)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            byte* name = stackalloc byte[ServiceChannels.MaximumNameLength];
            Error error = OfferCalls.ReadName(frame, name, out int length);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = CapabilitySpace.Reference(process.Handles, frame->Argument2, ObjectType.Notification, Rights.Signal, out KernelObject doorbell);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = ServiceChannels.Listen(process, name, length, (Notification)doorbell, frame->Argument3, frame->Argument4);
            doorbell.Release();
            return SystemCallResult.From(error);
        }

        // (name, name length, notification, bits, handles out): two 32-bit handles, the memory object's then the
        // client doorbell's.
        private static ulong DoAccept(RegisterFrame* frame)
        {
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            byte* name = stackalloc byte[ServiceChannels.MaximumNameLength];
            Error error = OfferCalls.ReadName(frame, name, out int length);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ulong output = frame->Argument4;
            if (!UserMemory.IsUserRange(output, 8))
                return SystemCallResult.From(Error.BadAddress);
            error = CapabilitySpace.Reference(process.Handles, frame->Argument2, ObjectType.Notification, Rights.Signal, out KernelObject doorbell);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = ServiceChannels.Accept(process, name, length, (Notification)doorbell, frame->Argument3, out ServiceChannel channel);
            doorbell.Release();
            if (error != Error.None)
                return SystemCallResult.From(error);
            // Handles of the service's own (the channel stays the client's): a memory object it maps, a doorbell it signals.
            channel.Memory.AddReference();
            error = CapabilitySpace.InsertNew(process.Handles, channel.Memory, ObjectType.MemoryObject, Rights.Map | Rights.Read | Rights.Write, out Handle memory);
            Handle client = default;
            if (error == Error.None)
            {
                channel.ClientDoorbell.AddReference();
                error = CapabilitySpace.InsertNew(process.Handles, channel.ClientDoorbell, ObjectType.Notification, Rights.Signal, out client);
                if (error != Error.None)
                    CloseHandle(process, memory);
            }
            channel.Release();
            if (error != Error.None)
                return SystemCallResult.From(error);
            uint* handles = stackalloc uint[2];
            handles[0] = memory.Value;
            handles[1] = client.Value;
            if (!UserMemory.CopyToUser(output, handles, 8))
            {
                CloseHandle(process, memory);
                CloseHandle(process, client);
                return SystemCallResult.From(Error.BadAddress);
            }
            return 0;
        }

        private static void CloseHandle(Process process, Handle handle)
        {
            CapabilitySpace.Enter();
            process.Handles.Close(handle);
            CapabilitySpace.Exit();
        }
    }
}
