namespace Exo.Protocols.Compositor
{
    /// <summary>
    /// A compositor client's service channel (/dev/exo/compositor; docs/desktop.md, "The compositor"), after the kernel's
    /// 64-byte header (offsets here count from the payload, ServiceChannelLayout.HeaderSize): the
    /// <see cref="CompositorChannelHeader"/>, the request ring (client to compositor, <see cref="CompositorRequest"/>
    /// records), the event ring (compositor to client, <see cref="CompositorEvent"/> records), then the buffer area where
    /// the client's surfaces' pixels live (32 bits each: bytes B, G, R, unused), placed by the client. The compositor lays
    /// the rings out and writes the header's magic last; both rings are Exo.Protocols.Rings SPSC rings. The model is
    /// Wayland's core and xdg-shell: a surface gets a buffer (attach), damage, then a commit shows it; a toplevel gets a
    /// title, configure events (its size), input events while focused, and a close request. Everything the client writes
    /// is checked; a bad request disconnects it.
    /// </summary>
    public static class CompositorLayout
    {
        public const string ServiceName = "compositor";
        /// <summary>The channel's size (the listener's): the header and rings, then about 8 MiB of surface buffers.</summary>
        public const ulong ChannelBytes = 8UL << 20;
        public const int HeaderOffset = 0;
        public const int HeaderBytes = 256;
        public const int RecordBytes = 64;
        public const uint RequestSlots = 256;
        public const uint EventSlots = 256;
        public const int RequestRingOffset = HeaderOffset + HeaderBytes;
        /// <summary>Each ring: its header (Rings.SpscRingHeader) then the slots.</summary>
        public const int EventRingOffset = RequestRingOffset + Rings.SpscRingHeader.Size + (int)RequestSlots * RecordBytes;
        /// <summary>The panel client's window list (<see cref="WindowListHeader"/>, then the entries), between the rings and the buffers.</summary>
        public const int WindowListOffset = 48 * 1024;
        /// <summary>Surface buffers: from here to the end of the channel (page aligned within the payload).</summary>
        public const int BufferOffset = 64 * 1024;
        public const ulong BufferBytes = ChannelBytes - 64 - BufferOffset;

        /// <summary>Surfaces one client may have at once.</summary>
        public const int MaximumSurfacesPerClient = 8;
        /// <summary>A surface's largest size in pixels (the largest display mode).</summary>
        public const int MaximumSurfaceWidth = 1920, MaximumSurfaceHeight = 1080;
        /// <summary>A title's bytes (ASCII; shorter titles end with a 0 byte).</summary>
        public const int MaximumTitleBytes = 32;
        /// <summary>A panel's largest height in pixels.</summary>
        public const int MaximumPanelHeight = 64;
        /// <summary>Windows the list can name (the compositor's whole window table).</summary>
        public const int WindowListCapacity = 32;
        /// <summary>Requests one client may send per second before it is taken for a flood and disconnected.</summary>
        public const int MaximumRequestsPerSecond = 4096;

        /// <summary>The client rings the compositor with any value (a write of 8 bytes); the compositor rings the client with this bit.</summary>
        public const ulong EventsBit = 1;
    }
}
