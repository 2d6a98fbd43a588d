using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Protocols.Channels;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// Native services that Linux programs connect to (docs/service-channels.md): a service listens under a name
    /// (ChannelListen), POSIX-X shows the name as /dev/exo/NAME, and each open of it makes a <see cref="ServiceChannel"/>
    /// that waits until the service takes it (ChannelAccept). This is how a .NET program running through POSIX-X (a
    /// desktop application) reaches a native service (the compositor) over shared memory and doorbells, with no
    /// native call of its own: the kernel does the connecting, as it does for the network service's socket channel,
    /// because the Linux program holds no capabilities to ask the name service with.
    /// A listener's slot is kept with its name when its service ends (connections then fail with ECONNREFUSED), so the
    /// restarted service gets the same slot and /dev/exo/NAME stays the same device. Every limit is a constant here.
    /// One lock (rank ServiceChannels) guards the listeners, their waiting connections and the table of live channels.
    /// </summary>
    public static unsafe class ServiceChannels
    {
        /// <summary>Names listened under at once (the device's minors).</summary>
        public const int MaximumListeners = 16;
        /// <summary>Connections waiting for ChannelAccept per listener (more: ECONNREFUSED, as a full listen backlog).</summary>
        public const int MaximumWaiting = 8;
        /// <summary>Channels open at once in the whole system.</summary>
        public const int MaximumChannels = 256;
        /// <summary>A name's longest length (the name service's rule: 1 to 24 printable bytes, no '/').</summary>
        public const int MaximumNameLength = ServiceOffers.MaximumNameLength;

        private struct Listener
        {
            public Process Server;          // null: nobody listens now (the name may stay for its restarted service)
            public Notification Doorbell;   // signalled with Bits when a connection waits
            public ulong Bits, ChannelSize;
            public int NameLength, WaitingHead, WaitingCount;
            public fixed byte Name[MaximumNameLength];
        }

        // Preinitialized by the compiler (the system calls are registered before the kernel has an allocator).
        private static readonly Listener[] s_listeners = new Listener[MaximumListeners];
        private static readonly ServiceChannel[] s_waiting = new ServiceChannel[MaximumListeners * MaximumWaiting];   // a ring per listener
        private static readonly ServiceChannel[] s_live = new ServiceChannel[MaximumChannels];   // open channels, for ProcessEnded (not references)
        private static TicketLock s_lock;

        /// <summary>POSIX-X's: makes /dev/exo/NAME for a listener's slot the first time a name takes it.</summary>
        public static delegate*<int, byte*, int, void> NameAdded;
        /// <summary>POSIX-X's: what every client doorbell's signal calls (poll and epoll look again).</summary>
        public static delegate*<void> ClientDoorbellRang;

        // The lock, ranked on every use (as ServiceOffers' is: no initializer runs before the first call).
        private static TicketLock.Guard Hold()
        {
            s_lock.Rank = LockRank.ServiceChannels;
            return s_lock.Hold();
        }

        /// <summary>
        /// 'server' listens under 'name': connections of 'channelSize' bytes signal 'bits' on 'doorbell' when they wait
        /// (references taken by the table). AlreadyExists while another live process listens under it; OutOfMemory when
        /// every slot has a name; Invalid for a bad name or size.
        /// </summary>
        public static Error Listen(Process server, byte* name, int length, Notification doorbell, ulong bits, ulong channelSize)
        {
            if (!ServiceOffers.IsValidName(name, length) || bits == 0 || (bits >> 63) != 0
                || channelSize < ServiceChannelLayout.MinimumSize || channelSize > ServiceChannelLayout.MaximumSize || (channelSize & 0xFFF) != 0)
                return Error.Invalid;
            int slot = -1;
            bool newName = false;
            Process oldServer = null;
            Notification oldDoorbell = null;
            Error error = Error.None;
            using (InterruptMask.Enter())
            using (Hold())
            {
                int free = -1;
                for (int i = 0; i < MaximumListeners && slot < 0; i++)
                {
                    if (s_listeners[i].NameLength == 0)
                        free = free < 0 ? i : free;
                    else if (SameName(ref s_listeners[i], name, length))
                        slot = i;
                }
                if (slot >= 0 && s_listeners[slot].Server != null && s_listeners[slot].Server != server
                    && s_listeners[slot].Server.State != ProcessState.Exited)
                    error = Error.AlreadyExists;
                else if (slot < 0 && free < 0)
                    error = Error.OutOfMemory;
                if (error == Error.None)
                {
                    if (slot < 0)
                    {
                        slot = free;
                        newName = true;
                        s_listeners[slot].NameLength = length;
                        for (int i = 0; i < length; i++)
                            s_listeners[slot].Name[i] = name[i];
                    }
                    ref Listener listener = ref s_listeners[slot];
                    server.AddReference();
                    doorbell.AddReference();
                    oldServer = listener.Server;
                    oldDoorbell = listener.Doorbell;
                    listener.Server = server;
                    listener.Doorbell = doorbell;
                    listener.Bits = bits;
                    listener.ChannelSize = channelSize;
                }
            }
            oldServer?.Release();   // a listener listening again, or an ended one not yet cleared
            oldDoorbell?.Release();
            if (newName && NameAdded != null)
                NameAdded(slot, name, length);
            return error;
        }

        /// <summary>
        /// A client opens the listener in 'slot' (/dev/exo/NAME): a new channel waiting for ChannelAccept, with the
        /// caller's reference. ConnectionRefused when nobody listens there or too many wait; OutOfMemory.
        /// </summary>
        public static Error Connect(int slot, out ServiceChannel channel)
        {
            channel = null;
            if ((uint)slot >= MaximumListeners)
                return Error.NotFound;
            ulong size;
            Process server;
            using (InterruptMask.Enter())
            using (Hold())
            {
                server = s_listeners[slot].Server;
                if (server == null)
                    return Error.ConnectionRefused;
                server.AddReference();
                size = s_listeners[slot].ChannelSize;
            }
            // Made outside the lock (frames are zeroed): the listener is looked at again below.
            MemoryObject memory = MemoryObject.Create(size);
            Notification doorbell = memory == null ? null : new Notification();
            if (memory == null || doorbell == null)
            {
                memory?.Release();
                server.Release();
                return Error.OutOfMemory;
            }
            doorbell.Observer = ClientDoorbellRang;
            ServiceChannel made = new ServiceChannel(memory, doorbell, slot, server);
            server.Release();
            Notification wake = null;
            ulong bits = 0;
            Error error = Error.None;
            using (InterruptMask.Enter())
            using (Hold())
            {
                ref Listener listener = ref s_listeners[slot];
                int live = FreeLiveSlot();
                if (listener.Server != made.Server || listener.WaitingCount == MaximumWaiting)
                    error = Error.ConnectionRefused;
                else if (live < 0)
                    error = Error.OutOfMemory;
                else
                {
                    made.Slot = live;
                    s_live[live] = made;
                    made.AddReference();   // the waiting queue's
                    s_waiting[slot * MaximumWaiting + (listener.WaitingHead + listener.WaitingCount) % MaximumWaiting] = made;
                    listener.WaitingCount++;
                    wake = listener.Doorbell;
                    bits = listener.Bits;
                    wake.Signal(bits);
                }
            }
            if (error != Error.None)
            {
                made.Release();
                return error;
            }
            channel = made;
            return Error.None;
        }

        /// <summary>
        /// Connect to the listener of 'name' (a kernel client: POSIX-X's /dev/dsp reaches the audio service so).
        /// NotFound when no service ever listened under it; otherwise as Connect.
        /// </summary>
        public static Error ConnectByName(byte* name, int length, out ServiceChannel channel)
        {
            channel = null;
            int slot;
            using (InterruptMask.Enter())
            using (Hold())
                slot = Find(name, length);
            return slot < 0 ? Error.NotFound : Connect(slot, out channel);
        }

        /// <summary>
        /// The service 'server', listening under 'name', takes the oldest waiting connection: the client's rings then
        /// signal 'bits' on 'doorbell' (a reference taken). The channel comes with a reference for the caller.
        /// WouldBlock: none waits; AccessDenied: 'server' does not listen under the name.
        /// </summary>
        public static Error Accept(Process server, byte* name, int length, Notification doorbell, ulong bits, out ServiceChannel channel)
        {
            channel = null;
            if (bits == 0 || (bits >> 63) != 0)
                return Error.Invalid;
            using (InterruptMask.Enter())
            using (Hold())
            {
                int slot = Find(name, length);
                if (slot < 0 || s_listeners[slot].Server != server)
                    return Error.AccessDenied;
                ref Listener listener = ref s_listeners[slot];
                if (listener.WaitingCount == 0)
                    return Error.WouldBlock;
                ref ServiceChannel waiting = ref s_waiting[slot * MaximumWaiting + listener.WaitingHead];
                channel = waiting;   // the queue's reference becomes the caller's
                waiting = null;
                listener.WaitingHead = (listener.WaitingHead + 1) % MaximumWaiting;
                listener.WaitingCount--;
                doorbell.AddReference();
                channel.ServerDoorbell = doorbell;
                channel.ServerBits = bits;
                channel.Accepted = true;
                // What the client did before: rang, or already closed (the service looks at the channel's state word).
                if (channel.RangBeforeAccept || channel.ClientClosed)
                    doorbell.Signal(bits);
                return Error.None;
            }
        }

        /// <summary>The client rings the service (write on its descriptor): remembered until accepted. False: the service ended.</summary>
        public static bool Ring(ServiceChannel channel)
        {
            using (InterruptMask.Enter())
            using (Hold())
            {
                if (channel.ServerEnded)
                    return false;
                if (channel.Accepted)
                    channel.ServerDoorbell.Signal(channel.ServerBits);
                else
                    channel.RangBeforeAccept = true;
                return true;
            }
        }

        /// <summary>
        /// The client's last descriptor closed: the state word says so and the service is rung (a waiting connection
        /// stays queued: the service accepts it, sees it closed and lets it go).
        /// </summary>
        public static void CloseClient(ServiceChannel channel)
        {
            uint* state = (uint*)((byte*)PhysicalMemory.ToVirtual(channel.Memory.FrameAt(0)) + ServiceChannelLayout.ClientStateOffset);
            System.Threading.Volatile.Write(ref *state, ServiceChannelLayout.ClientClosed);
            using (InterruptMask.Enter())
            using (Hold())
            {
                channel.ClientClosed = true;
                if (channel.Slot >= 0)
                    s_live[channel.Slot] = null;
                channel.Slot = -1;
                if (channel.Accepted && !channel.ServerEnded)
                    channel.ServerDoorbell.Signal(channel.ServerBits);
            }
        }

        /// <summary>
        /// 'process' is ending (before its handles close): its listeners' names stay for its restart but refuse new
        /// connections, the connections waiting for it are given up, and every channel it served tells its client
        /// (ServiceEndedBit, end of file).
        /// </summary>
        public static void ProcessEnded(Process process)
        {
            using (InterruptMask.Enter())
            using (Hold())
            {
                for (int i = 0; i < MaximumChannels; i++)
                {
                    ServiceChannel channel = s_live[i];
                    if (channel == null || channel.Server != process || channel.ServerEnded)
                        continue;
                    channel.ServerEnded = true;
                    channel.ClientDoorbell.Signal(ServiceChannelLayout.ServiceEndedBit);
                }
            }
            // Each listener of the process, one at a time: what it held is released outside the lock (a last reference
            // destroys, and destruction takes other locks).
            for (int slot = 0; slot < MaximumListeners; slot++)
            {
                Process server = null;
                Notification doorbell = null;
                using (InterruptMask.Enter())
                using (Hold())
                {
                    if (s_listeners[slot].Server == process)
                    {
                        server = s_listeners[slot].Server;
                        doorbell = s_listeners[slot].Doorbell;
                        s_listeners[slot].Server = null;
                        s_listeners[slot].Doorbell = null;
                    }
                }
                if (server == null)
                    continue;
                server.Release();
                doorbell.Release();
                // Its waiting connections are given up (marked ended above): nobody listens there until a restart.
                while (true)
                {
                    ServiceChannel waiting = null;
                    using (InterruptMask.Enter())
                    using (Hold())
                    {
                        ref Listener listener = ref s_listeners[slot];
                        if (listener.Server == null && listener.WaitingCount != 0)
                        {
                            ref ServiceChannel first = ref s_waiting[slot * MaximumWaiting + listener.WaitingHead];
                            waiting = first;
                            first = null;
                            listener.WaitingHead = (listener.WaitingHead + 1) % MaximumWaiting;
                            listener.WaitingCount--;
                            // One that connected after the marking above, while the listener was still there, is told
                            // too: otherwise its client would wait for ever for a service that will never accept it.
                            if (!waiting.ServerEnded)
                            {
                                waiting.ServerEnded = true;
                                waiting.ClientDoorbell.Signal(ServiceChannelLayout.ServiceEndedBit);
                            }
                        }
                    }
                    if (waiting == null)
                        break;
                    waiting.Release();
                }
            }
        }

        /// <summary>A listener slot's name (for /dev/exo's listing); false if the slot has none.</summary>
        public static bool TryGetName(int slot, byte* buffer, out int length)
        {
            length = 0;
            if ((uint)slot >= MaximumListeners)
                return false;
            using (InterruptMask.Enter())
            using (Hold())
            {
                length = s_listeners[slot].NameLength;
                for (int i = 0; i < length; i++)
                    buffer[i] = s_listeners[slot].Name[i];
            }
            return length != 0;
        }

        private static int FreeLiveSlot()
        {
            for (int i = 0; i < MaximumChannels; i++)
                if (s_live[i] == null)
                    return i;
            return -1;
        }

        private static int Find(byte* name, int length)
        {
            for (int i = 0; i < MaximumListeners; i++)
                if (s_listeners[i].NameLength != 0 && SameName(ref s_listeners[i], name, length))
                    return i;
            return -1;
        }

        private static bool SameName(ref Listener listener, byte* name, int length)
        {
            if (listener.NameLength != length)
                return false;
            for (int i = 0; i < length; i++)
                if (listener.Name[i] != name[i])
                    return false;
            return true;
        }
    }
}
