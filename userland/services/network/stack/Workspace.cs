namespace Exo.Network
{
    /// <summary>
    /// The caller's memory, handed out once at set-up to each layer's fixed tables and buffers (the user-mode runtime
    /// has no garbage collector, so nothing is allocated per packet). Take returns null when the workspace is too small;
    /// the stack checks <see cref="Exhausted"/> once after every layer took its share.
    /// </summary>
    public unsafe struct Workspace
    {
        /// <summary>Every piece starts on an 8-byte boundary.</summary>
        public const int Alignment = 8;

        private readonly byte* _base;
        private readonly ulong _length;
        private ulong _used;
        private bool _exhausted;

        public Workspace(byte* memory, ulong length)
        {
            _base = memory;
            _length = length;
            _used = 0;
            _exhausted = false;
        }

        public bool Exhausted => _exhausted;
        public ulong Used => _used;

        /// <summary>'bytes' zeroed bytes, or null (and Exhausted) when they do not fit.</summary>
        public byte* Take(long bytes)
        {
            ulong start = (_used + Alignment - 1) & ~(ulong)(Alignment - 1);
            if (bytes < 0 || start + (ulong)bytes > _length || _base == null)
            {
                _exhausted = true;
                return null;
            }
            _used = start + (ulong)bytes;
            PacketBytes.Zero(_base + start, (int)bytes);
            return _base + start;
        }
    }
}
