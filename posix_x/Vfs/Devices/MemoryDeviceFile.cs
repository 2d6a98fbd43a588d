using Exo.Kernel.Arch.X64;

namespace Exo.PosixX.Vfs
{
    /// <summary>/dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom (Linux's "mem" devices, major 1).</summary>
    public sealed unsafe class MemoryDeviceFile : OpenFile
    {
        public enum Kind : byte { Null, Zero, Full, Random }

        private readonly Kind _kind;

        public MemoryDeviceFile(Vnode node, int flags, Kind kind) : base(node, flags) { _kind = kind; }

        /// <summary>/dev/zero: mmap gives anonymous memory (zeros), as on Linux.</summary>
        public bool IsZero => _kind == Kind.Zero;

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) => ReadAt(0, buffer, count, out done);

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (_kind == Kind.Null)
                return Error.None;   // end of file at once
            if (_kind != Kind.Random)
            {
                if (!buffer.Zero(0, count))
                    return Error.BadAddress;
                done = count;
                return Error.None;
            }
            while (done < count)
            {
                ulong word = HardwareRandom.Next();
                ulong chunk = count - done < 8 ? count - done : 8;
                if (!buffer.CopyIn(done, (byte*)&word, chunk))
                    return done == 0 ? Error.BadAddress : Error.None;
                done += chunk;
            }
            return Error.None;
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done) => WriteAt(0, buffer, count, out done);

        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done)
        {
            done = _kind == Kind.Full ? 0 : count;   // null, zero and random swallow writes; full has no space
            return _kind == Kind.Full ? Error.NoSpace : Error.None;
        }

        public override Error Seek(long offset, int whence, out ulong position)
        {
            position = 0;   // seeking these always succeeds and stays at 0, as on Linux
            return Error.None;
        }
    }
}
