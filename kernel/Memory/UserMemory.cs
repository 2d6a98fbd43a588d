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

        [DllImport("*", EntryPoint = "ExoCopyUserWide"), SuppressGCTransition]
        private static extern ulong CopyUserWide(void* destination, void* source, ulong length);

        /// <summary>What ExoCopyUserWide moves at a time: copies this long or longer take it, for all but their tail.</summary>
        public const ulong WideBlock = 512;

        private static bool s_wideCopies;

        /// <summary>True once the processors' XCR0 enables AVX: copies of WideBlock bytes or more use YMM registers.</summary>
        public static bool WideCopies => s_wideCopies;

        /// <summary>Called by ProcessorSetup on each processor (the same answer on every one): AVX state is saved for programs.</summary>
        public static void EnableWideCopies(bool avxEnabled) => s_wideCopies = avxEnabled;

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
            if (!IsUserRange(source, length))
                return false;
            if (length >= WideBlock && s_wideCopies)
                return CopyWide(destination, (void*)source, length);
            return CopyUser(destination, (void*)source, length) == 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool CopyToUser(ulong destination, void* source, ulong length)
        {
            if (length == 0)
                return true;
            if (!IsUserRange(destination, length))
                return false;
            if (length >= WideBlock && s_wideCopies)
                return CopyWide((void*)destination, source, length);
            return CopyUser((void*)destination, source, length) == 0;
        }

        // The wide copy for whole blocks, then the byte-exact one for the tail. A fault in the wide copy is only
        // recovered (it runs with interrupts masked): the whole range is then copied again by the copy that maps
        // pages in, which succeeds or fails as it would have alone. Not inlined: small copies, inlined into every
        // caller, pay only the length test (a call here cost a pipe's one-byte round trip 80 instructions).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool CopyWide(void* destination, void* source, ulong length)
        {
            ulong wide = length & ~(WideBlock - 1);
            if (CopyUserWide(destination, source, wide) == 0)
                return wide == length || CopyUser((byte*)destination + wide, (byte*)source + wide, length - wide) == 0;
            return CopyUser(destination, source, length) == 0;
        }
    }
}
