using Exo.Kernel.Memory.Heap;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// One path component, borrowed: bytes and a length, no terminator (a slice of a path buffer, or of a
    /// directory entry's own copy). Valid only while its storage is.
    /// </summary>
    public readonly unsafe struct Name
    {
        /// <summary>Linux's NAME_MAX.</summary>
        public const int MaximumLength = 255;

        public readonly byte* Bytes;
        public readonly int Length;

        public Name(byte* bytes, int length) { Bytes = bytes; Length = length; }

        public bool IsDot => Length == 1 && Bytes[0] == (byte)'.';
        public bool IsDotDot => Length == 2 && Bytes[0] == (byte)'.' && Bytes[1] == (byte)'.';

        public bool EqualTo(Name other)
        {
            if (Length != other.Length)
                return false;
            for (int i = 0; i < Length; i++)
                if (Bytes[i] != other.Bytes[i])
                    return false;
            return true;
        }

        /// <summary>FNV-1a, for directory hash tables.</summary>
        public uint Hash
        {
            get
            {
                uint hash = 2166136261;
                for (int i = 0; i < Length; i++)
                    hash = (hash ^ Bytes[i]) * 16777619;
                return hash;
            }
        }

        /// <summary>A heap copy of the name (the caller owns it: free with FreeCopy); null when memory runs out.</summary>
        public byte* Copy()
        {
            byte* copy = (byte*)KernelHeap.AllocateUninitialized((ulong)(Length == 0 ? 1 : Length));
            if (copy != null)
                for (int i = 0; i < Length; i++)
                    copy[i] = Bytes[i];
            return copy;
        }

        public static void FreeCopy(byte* copy) => KernelHeap.Free(copy);
    }
}
