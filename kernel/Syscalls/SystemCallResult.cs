using System.Runtime.CompilerServices;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// What a system call returns in RAX: a value (zero or positive; a handle, an address, a count), or an
    /// <see cref="Error"/> negated, as Linux does, so that POSIX-X can pass errors through. Inside the kernel
    /// errors are Error values; this is the one place they become results.
    /// </summary>
    public static class SystemCallResult
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong From(Error error) => unchecked((ulong)-(long)error);

        /// <summary>'value' if there is no error, else the error's result.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong From(Error error, ulong value) => error == Error.None ? value : From(error);
    }
}
