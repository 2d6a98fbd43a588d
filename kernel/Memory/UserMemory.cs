using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Exo.Kernel.Memory
{
    /// <summary>
    /// Every access the kernel makes to memory named by a user program goes through here. The range is
    /// checked first (inside the user half, above the null guard, no wrap-around); the copy itself runs in
    /// Arch/X64/UserAccess.asm, where a fault on an unmapped or read-only page becomes an error return.
    /// So a bad pointer in a system call gets an error, never a kernel fault.
    /// </summary>
    public static unsafe class UserMemory
    {
        /// <summary>Nothing is ever mapped below this (catches null pointers and small offsets from them).</summary>
        public const ulong Lowest = 0x10000;
        /// <summary>
        /// End of the user half. The last page below the canonical hole stays unmapped: a SYSRET to a
        /// non-canonical RIP would fault in ring 0 on Intel processors.
        /// </summary>
        public const ulong Limit = 0x00007FFFFFFFF000;

        [DllImport("*", EntryPoint = "ExoCopyUser"), SuppressGCTransition]
        private static extern ulong CopyUser(void* destination, void* source, ulong length);

        [DllImport("*", EntryPoint = "ExoReadUserWord"), SuppressGCTransition]
        private static extern ulong ReadUserWord(ulong address, uint* value);

        /// <summary>
        /// Reads the 32-bit word at 'address' (in the user range, 4-byte aligned: the caller checked) as the program
        /// would, except that a page not mapped yet is not mapped in: false then, as for a bad address. For a read under
        /// a spin lock (a futex word), where the demand-paging handler must not run; the caller maps it in with
        /// CopyFromUser, the lock dropped, and reads again.
        /// </summary>
        public static bool TryReadWordWithoutFault(ulong address, out uint value)
        {
            uint word;
            bool read = ReadUserWord(address, &word) == 0;
            value = read ? word : 0;
            return read;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]   // every user pointer of every system call: its 64-bit constants make the IL too long for the inliner's own choice
        public static bool IsUserRange(ulong address, ulong length)
            => address >= Lowest && address <= Limit && length <= Limit - address;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CopyFromUser(void* destination, ulong source, ulong length)
        {
            if (length == 0)
                return true;
            return IsUserRange(source, length) && CopyUser(destination, (void*)source, length) == 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CopyToUser(ulong destination, void* source, ulong length)
        {
            if (length == 0)
                return true;
            return IsUserRange(destination, length) && CopyUser((void*)destination, source, length) == 0;
        }
    }
}
