namespace Exo.Std
{
    /// <summary>
    /// What a system call reports: None, or the kernel's negative error number (Linux numbering, so that
    /// POSIX-X can pass them through). Every Exo.Std call that can fail returns one; no exceptions are thrown.
    /// </summary>
    public enum Error : long
    {
        None = 0,
        /// <summary>Not there (ENOENT): spawn's program in the initial RAM disk, the name service's name.</summary>
        NotFound = -2,
        BadHandle = -9,
        WouldBlock = -11,
        OutOfMemory = -12,
        AccessDenied = -13,
        /// <summary>Taken already (EEXIST): a name another process registered.</summary>
        AlreadyExists = -17,
        BadAddress = -14,
        /// <summary>Resource creation: another driver owns that interrupt line.</summary>
        Busy = -16,
        Invalid = -22,
        PeerGone = -32,
        NoSuchCall = -38,
    }

    /// <summary>Turns raw system call results into <see cref="Error"/> values.</summary>
    public static class Errors
    {
        /// <summary>The error in a raw result: None when the result is a value (zero or positive).</summary>
        public static Error Of(long result) => result < 0 ? (Error)result : Error.None;

        /// <summary>A short English name for console reports ("bad handle"), or "error" for an unknown number.</summary>
        public static string Describe(Error error)
        {
            switch (error)
            {
                case Error.None: return "no error";
                case Error.NotFound: return "not found";
                case Error.BadHandle: return "bad handle";
                case Error.WouldBlock: return "would block";
                case Error.OutOfMemory: return "out of memory";
                case Error.AccessDenied: return "access denied";
                case Error.AlreadyExists: return "already exists";
                case Error.BadAddress: return "bad address";
                case Error.Busy: return "busy";
                case Error.Invalid: return "invalid argument";
                case Error.PeerGone: return "peer gone";
                case Error.NoSuchCall: return "no such system call";
                default: return "error";
            }
        }
    }
}
