namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// One process's I/O permission bitmap in the TSS's format: one bit per port, 0 = ring 3 may use it, 1 = IN
    /// or OUT raises #GP. It also tracks the window of bytes that may hold a 0 bit, so installing it into a
    /// processor's TSS copies only those bytes (a driver for the RTC copies one byte, not 8 KiB).
    /// Pure logic, compiled into the host tests.
    /// </summary>
    public sealed unsafe class IoPermissionBitmap
    {
        public const int PortCount = 65536;
        public const int ByteCount = PortCount / 8;

        private readonly byte[] _bits = new byte[ByteCount];
        private int _low = ByteCount, _high;   // bytes [_low, _high) may allow something; outside, all 0xFF

        public IoPermissionBitmap()
        {
            for (int i = 0; i < ByteCount; i++)
                _bits[i] = 0xFF;
        }

        /// <summary>First byte that may allow a port.</summary>
        public int Low => _low;
        /// <summary>One past the last byte that may allow a port (Low >= High: nothing allowed).</summary>
        public int High => _high;
        public bool IsEmpty => _high <= _low;

        public byte ByteAt(int index) => _bits[index];

        public bool Allows(int port) => port >= 0 && port < PortCount && (_bits[port >> 3] & (1 << (port & 7))) == 0;

        /// <summary>Denies every port again.</summary>
        public void Clear()
        {
            for (int i = _low; i < _high; i++)
                _bits[i] = 0xFF;
            _low = ByteCount;
            _high = 0;
        }

        /// <summary>Hands the storage and the object to 'free' (the kernel passes ObjectAllocator.Free).</summary>
        public void Destroy(delegate*<object, void> free)
        {
            free(_bits);
            free(this);
        }

        /// <summary>Allows ports [first, first + count); false (nothing changes) if the range is not within 0..65535.</summary>
        public bool Allow(int first, int count)
        {
            if (first < 0 || count <= 0 || count > PortCount - first)
                return false;
            for (int port = first; port < first + count; port++)
                _bits[port >> 3] &= (byte)~(1 << (port & 7));
            int low = first >> 3, high = ((first + count - 1) >> 3) + 1;
            if (low < _low)
                _low = low;
            if (high > _high)
                _high = high;
            return true;
        }
    }
}
