namespace Exo.Abi
{
    /// <summary>
    /// Why an operation failed; None when it succeeded. The kernel's functions and exo_std's calls return one
    /// (no exceptions). The numbers are Linux's errno values, so that POSIX-X can pass them through; a system
    /// call returns the error negated in RAX (the kernel's SystemCallResult and exo_std's SystemCall are the
    /// only places that convert).
    /// </summary>
    public enum Error
    {
        None = 0,
        /// <summary>Not there (ENOENT): spawn's program in the boot image, the name service's name.</summary>
        NotFound = 2,
        /// <summary>EINTR: the waiting process is being killed.</summary>
        Interrupted = 4,
        /// <summary>E2BIG: the arguments and environment do not fit a new program's stack.</summary>
        TooBig = 7,
        /// <summary>ENOEXEC: not a program this kernel can run (a malformed or foreign ELF file).</summary>
        NotExecutable = 8,
        /// <summary>EBADF: not a live handle of this process, or one naming another kind of object.</summary>
        BadHandle = 9,
        /// <summary>EAGAIN: the operation would have to wait.</summary>
        WouldBlock = 11,
        /// <summary>ENOMEM: no memory, a quota, or a full table (handles, threads, mapped objects).</summary>
        OutOfMemory = 12,
        /// <summary>EACCES: a handle lacks a right, or the kernel keeps the resource for itself.</summary>
        AccessDenied = 13,
        /// <summary>EFAULT: a pointer outside the caller's memory.</summary>
        BadAddress = 14,
        /// <summary>EBUSY: another thread already receives on the endpoint; another driver owns the interrupt line.</summary>
        Busy = 16,
        /// <summary>EEXIST: a name another process registered.</summary>
        AlreadyExists = 17,
        /// <summary>EINVAL: an argument out of range or malformed.</summary>
        Invalid = 22,
        /// <summary>EPIPE: the endpoint's server ended.</summary>
        PeerGone = 32,
        /// <summary>ENOSYS: no such system call.</summary>
        NoSuchCall = 38,
    }

    public static class Errors
    {
        /// <summary>A short English name for console reports ("bad handle"), or "error" for an unknown number.</summary>
        public static string Describe(Error error)
        {
            switch (error)
            {
                case Error.None: return "no error";
                case Error.NotFound: return "not found";
                case Error.Interrupted: return "interrupted";
                case Error.TooBig: return "arguments too long";
                case Error.NotExecutable: return "not an executable";
                case Error.BadHandle: return "bad handle";
                case Error.WouldBlock: return "would block";
                case Error.OutOfMemory: return "out of memory";
                case Error.AccessDenied: return "access denied";
                case Error.BadAddress: return "bad address";
                case Error.Busy: return "busy";
                case Error.AlreadyExists: return "already exists";
                case Error.Invalid: return "invalid argument";
                case Error.PeerGone: return "peer gone";
                case Error.NoSuchCall: return "no such system call";
                default: return "error";
            }
        }
    }
}
