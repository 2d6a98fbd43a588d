using Exo.Kernel.Memory;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// Where a read puts its bytes or a write takes them: a program's memory (every copy checked and recovering
    /// from faults: a bad address ends the transfer with EFAULT) or the kernel's (a start stack, the boot image).
    /// </summary>
    public readonly unsafe struct IoBuffer
    {
        private readonly ulong _address;
        private readonly bool _user;

        private IoBuffer(ulong address, bool user) { _address = address; _user = user; }

        public static IoBuffer User(ulong address) => new IoBuffer(address, true);
        /// <summary>Where the buffer starts, in the program's memory (IsUser) or the kernel's.</summary>
        public ulong Address => _address;
        public bool IsUser => _user;
        public static IoBuffer Kernel(void* address) => new IoBuffer((ulong)address, false);

        /// <summary>Copies 'count' bytes from 'source' to offset 'at' of this buffer; false on a bad user address.</summary>
        public bool CopyIn(ulong at, byte* source, ulong count)
        {
            if (_user)
                return UserMemory.CopyToUser(_address + at, source, count);
            BlockMemory.Copy((byte*)(_address + at), source, count);
            return true;
        }

        /// <summary>Copies 'count' bytes from offset 'at' of this buffer to 'destination'; false on a bad user address.</summary>
        public bool CopyOut(ulong at, byte* destination, ulong count)
        {
            if (_user)
                return UserMemory.CopyFromUser(destination, _address + at, count);
            BlockMemory.Copy(destination, (byte*)(_address + at), count);
            return true;
        }

        /// <summary>Writes 'count' zero bytes at offset 'at' (a hole in a sparse file reads as zeros).</summary>
        public bool Zero(ulong at, ulong count)
        {
            byte* zeros = stackalloc byte[256];
            for (int i = 0; i < 256; i++)
                zeros[i] = 0;
            while (count > 0)
            {
                ulong chunk = count < 256 ? count : 256;
                if (!CopyIn(at, zeros, chunk))
                    return false;
                at += chunk;
                count -= chunk;
            }
            return true;
        }
    }
}
