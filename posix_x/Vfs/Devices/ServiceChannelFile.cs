using Exo.Kernel.Ipc;
using Exo.Protocols.Channels;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// An open /dev/exo/NAME: one connection to the native service listening under NAME (Kernel.Ipc.ServiceChannels,
    /// Exo.Protocols.Channels.ServiceChannelLayout). mmap maps the channel's shared memory (MAP_SHARED from offset 0);
    /// an 8-byte write rings the service; an 8-byte read takes the bits the service signalled, waiting while there are
    /// none (EAGAIN with O_NONBLOCK), and gives 0 (end of file) once the service has ended and its last bits are read;
    /// poll: POLLIN with bits to take, POLLOUT while the service lives, POLLHUP after. Writing after the service ended
    /// is EPIPE (no SIGPIPE: a channel is not a pipe, and a desktop application should not die of its compositor's
    /// restart). Each open is a new connection: dup and fork share it, as they share any open file description.
    /// </summary>
    public sealed unsafe class ServiceChannelFile : OpenFile
    {
        private readonly ServiceChannel _channel;
        private readonly ServiceChannelMemory _memory;

        private ServiceChannelFile(Vnode node, int flags, ServiceChannel channel) : base(node, flags)
        {
            _channel = channel;
            _memory = new ServiceChannelMemory(channel.Memory);
        }

        /// <summary>Connects to the listener in 'slot' (the node's minor): ECONNREFUSED when nobody listens there now.</summary>
        public static Error Open(Vnode node, int flags, int slot, out OpenFile file)
        {
            file = null;
            Error error = ServiceChannels.Connect(slot, out ServiceChannel channel);
            if (error != Error.None)
                return error;
            file = new ServiceChannelFile(node, flags, channel);
            return Error.None;
        }

        public override Vnode MappingNode => _memory;

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < ServiceChannelLayout.DoorbellSize)
                return Error.Invalid;
            while (true)
            {
                bool ended = _channel.HasServerEnded;
                Error error = _channel.ClientDoorbell.Take(block: !ended && !NonBlocking, out ulong bits);
                if (error != Error.None)
                    return error;   // EINTR: a signal came first
                ulong own = bits & ~ServiceChannelLayout.ServiceEndedBit;
                if (own != 0)
                {
                    if (_channel.HasServerEnded)
                        own |= ServiceChannelLayout.ServiceEndedBit;
                    if (!buffer.CopyIn(0, (byte*)&own, ServiceChannelLayout.DoorbellSize))
                        return Error.BadAddress;
                    done = ServiceChannelLayout.DoorbellSize;
                    return Error.None;
                }
                if (ended)
                    return Error.None;   // end of file: the service is gone and its last bits were read
                if (bits == 0)
                    return Error.WouldBlock;
                // Only the end's bit: look again, now as ended.
            }
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < ServiceChannelLayout.DoorbellSize)
                return Error.Invalid;
            if (!ServiceChannels.Ring(_channel))
                return Error.PeerGone;
            done = ServiceChannelLayout.DoorbellSize;
            return Error.None;
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.IllegalSeek;
        }

        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.IllegalSeek;
        }

        public override Error Seek(long offset, int whence, out ulong position)
        {
            position = 0;
            return Error.IllegalSeek;
        }

        public override PollEvents Poll()
        {
            if (_channel.HasServerEnded)
                return PollEvents.In | PollEvents.HangUp;
            return (_channel.ClientDoorbell.Pending != 0 ? PollEvents.In : PollEvents.None) | PollEvents.Out;
        }

        public override bool Pollable => true;

        protected override void Destroy()
        {
            ServiceChannels.CloseClient(_channel);
            _channel.Release();
            _memory.Release();
            base.Destroy();
        }
    }
}
