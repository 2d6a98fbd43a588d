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
        /// <summary>EPERM: the operation is not permitted to this caller (not the owner, not privileged).</summary>
        NotPermitted = 1,
        /// <summary>ENOENT: not there: a path, spawn's program in the boot image, the name service's name.</summary>
        NotFound = 2,
        /// <summary>ESRCH: no such process.</summary>
        NoSuchProcess = 3,
        /// <summary>EINTR: a wait was interrupted (a signal, or the waiting process is being killed).</summary>
        Interrupted = 4,
        /// <summary>EIO: the device or service failed.</summary>
        InputOutput = 5,
        /// <summary>ENXIO: no such device or address.</summary>
        NoSuchDevice = 6,
        /// <summary>E2BIG: the arguments and environment do not fit a new program's stack.</summary>
        TooBig = 7,
        /// <summary>ENOEXEC: not a program this kernel can run (a malformed or foreign ELF file).</summary>
        NotExecutable = 8,
        /// <summary>EBADF: not a live handle or descriptor of this process, or one naming another kind of object.</summary>
        BadHandle = 9,
        /// <summary>ECHILD: no child to wait for.</summary>
        NoChild = 10,
        /// <summary>EAGAIN: the operation would have to wait, or a limit was reached for now.</summary>
        WouldBlock = 11,
        /// <summary>ENOMEM: no memory, a quota, or a full table (handles, threads, mapped objects).</summary>
        OutOfMemory = 12,
        /// <summary>EACCES: a handle lacks a right, permission bits forbid it, or the kernel keeps the resource.</summary>
        AccessDenied = 13,
        /// <summary>EFAULT: a pointer outside the caller's memory.</summary>
        BadAddress = 14,
        /// <summary>EBUSY: another thread already receives on the endpoint; a driver owns the line; a mount point in use.</summary>
        Busy = 16,
        /// <summary>EEXIST: a name that is already taken.</summary>
        AlreadyExists = 17,
        /// <summary>EXDEV: a link or rename across file systems.</summary>
        CrossDevice = 18,
        /// <summary>ENODEV: no such device.</summary>
        NoDevice = 19,
        /// <summary>ENOTDIR: a path component, or the target, is not a directory.</summary>
        NotADirectory = 20,
        /// <summary>EISDIR: the target is a directory.</summary>
        IsADirectory = 21,
        /// <summary>EINVAL: an argument out of range or malformed.</summary>
        Invalid = 22,
        /// <summary>ENFILE: the system's table of open files is full.</summary>
        SystemTooManyFiles = 23,
        /// <summary>EMFILE: the process has as many descriptors open as its limit allows.</summary>
        TooManyFiles = 24,
        /// <summary>ENOTTY: not a terminal (an ioctl the object does not know).</summary>
        NotATerminal = 25,
        /// <summary>ETXTBSY: a program file that is open for writing cannot run, and one that runs cannot be opened for writing.</summary>
        TextBusy = 26,
        /// <summary>EFBIG: a file would grow past its limit.</summary>
        FileTooLarge = 27,
        /// <summary>ENOSPC: no space left on the file system.</summary>
        NoSpace = 28,
        /// <summary>ESPIPE: seeking on a pipe or terminal.</summary>
        IllegalSeek = 29,
        /// <summary>EROFS: a read-only file system.</summary>
        ReadOnlyFileSystem = 30,
        /// <summary>EMLINK: too many links.</summary>
        TooManyLinks = 31,
        /// <summary>EPIPE: the other end is gone (an endpoint's server, a pipe's readers).</summary>
        PeerGone = 32,
        /// <summary>EDOM: an argument outside the domain (a socket timeout's microseconds).</summary>
        ArgumentOutOfDomain = 33,
        /// <summary>ERANGE: a result does not fit the caller's buffer.</summary>
OutOfRange = 34,
        /// <summary>EDEADLK: the operation would deadlock.</summary>
        Deadlock = 35,
        /// <summary>ENAMETOOLONG: a path or a name longer than the limits.</summary>
        NameTooLong = 36,
        /// <summary>ENOLCK: no lock record left (fcntl's record locks past their limit).</summary>
        NoLocks = 37,
        /// <summary>ENOSYS: no such system call.</summary>
        NoSuchCall = 38,
        /// <summary>ENOTEMPTY: removing a directory that has entries.</summary>
        NotEmpty = 39,
        /// <summary>ELOOP: too many symbolic links while resolving a path (or a link where none may be).</summary>
        TooManySymbolicLinks = 40,
        /// <summary>ENODATA: no such extended attribute.</summary>
        NoData = 61,
        /// <summary>EOVERFLOW: a value does not fit (a negative file offset where a position is asked).</summary>
        Overflow = 75,
        /// <summary>ENOTSOCK: the descriptor is not a socket.</summary>
        NotASocket = 88,
        /// <summary>EDESTADDRREQ: a datagram sent with no address on an unconnected socket.</summary>
        DestinationRequired = 89,
        /// <summary>EMSGSIZE: a datagram too large for the socket.</summary>
        MessageTooLong = 90,
        /// <summary>EPROTOTYPE: the peer socket is of another type.</summary>
        WrongProtocolType = 91,
        /// <summary>ENOPROTOOPT: a socket option not known at that level.</summary>
        NoProtocolOption = 92,
        /// <summary>EPROTONOSUPPORT: a protocol the family does not have.</summary>
        ProtocolNotSupported = 93,
        /// <summary>ESOCKTNOSUPPORT: a socket type the family does not have.</summary>
        SocketTypeNotSupported = 94,
        /// <summary>EOPNOTSUPP: the object does not support the operation.</summary>
        NotSupported = 95,
        /// <summary>EAFNOSUPPORT: an address family not supported.</summary>
        AddressFamilyNotSupported = 97,
        /// <summary>EADDRINUSE: the address is bound already.</summary>
        AddressInUse = 98,
        /// <summary>EADDRNOTAVAIL: the address cannot be bound here.</summary>
        AddressNotAvailable = 99,
        /// <summary>ECONNRESET: the peer went away with data unread.</summary>
        ConnectionReset = 104,
        /// <summary>ENOBUFS: more than a socket call may hold (control data past optmem_max).</summary>
        NoBufferSpace = 105,
        /// <summary>EISCONN: the socket is connected already.</summary>
        AlreadyConnected = 106,
        /// <summary>ENOTCONN: the socket is not connected.</summary>
        NotConnected = 107,
        /// <summary>ENETDOWN: the network interface is down (its driver or link is gone).</summary>
        NetworkDown = 100,
        /// <summary>ENETUNREACH: no route to the destination's network.</summary>
        NetworkUnreachable = 101,
        /// <summary>ECONNABORTED: a connection ended before it was accepted.</summary>
        ConnectionAborted = 103,
        /// <summary>ESHUTDOWN: sending after this side shut the connection down for writing.</summary>
        SendAfterShutdown = 108,
        /// <summary>ETIMEDOUT: a wait's time ran out.</summary>
        TimedOut = 110,
        /// <summary>ECONNREFUSED: nobody listens at the address.</summary>
        ConnectionRefused = 111,
        /// <summary>EHOSTUNREACH: the destination host does not answer (no ARP reply, an ICMP host unreachable).</summary>
        HostUnreachable = 113,
        /// <summary>EALREADY: a non-blocking connect is already under way.</summary>
        AlreadyInProgress = 114,
        /// <summary>EINPROGRESS: a non-blocking connect started and completes later.</summary>
        InProgress = 115,
        /// <summary>ESTALE: the object a file system server was asked about no longer exists there.</summary>
        StaleHandle = 116,
        /// <summary>ERESTARTSYS (kernel only, never seen by a program): a wait a signal interrupted; restarted, or EINTR when a handler without SA_RESTART runs.</summary>
        RestartSystemCall = 512,
        /// <summary>ERESTARTNOINTR (kernel only): always restarted after a signal.</summary>
        RestartNoInterrupt = 513,
        /// <summary>ERESTARTNOHAND (kernel only): restarted unless a handler ran (then EINTR).</summary>
        RestartNoHandler = 514,
    }

    public static class Errors
    {
        /// <summary>A short English name for console reports ("bad handle"), or "error" for an unknown number.</summary>
        public static string Describe(Error error)
        {
            switch (error)
            {
                case Error.None: return "no error";
                case Error.NotPermitted: return "operation not permitted";
                case Error.NotFound: return "not found";
                case Error.NoSuchProcess: return "no such process";
                case Error.Interrupted: return "interrupted";
                case Error.InputOutput: return "input/output error";
                case Error.NoSuchDevice: return "no such device or address";
                case Error.TooBig: return "arguments too long";
                case Error.NotExecutable: return "not an executable";
                case Error.BadHandle: return "bad handle";
                case Error.NoChild: return "no child processes";
                case Error.WouldBlock: return "would block";
                case Error.OutOfMemory: return "out of memory";
                case Error.AccessDenied: return "access denied";
                case Error.BadAddress: return "bad address";
                case Error.Busy: return "busy";
                case Error.AlreadyExists: return "already exists";
                case Error.CrossDevice: return "cross-device link";
                case Error.NoDevice: return "no such device";
                case Error.NotADirectory: return "not a directory";
                case Error.IsADirectory: return "is a directory";
                case Error.Invalid: return "invalid argument";
                case Error.SystemTooManyFiles: return "too many open files in system";
                case Error.TooManyFiles: return "too many open files";
                case Error.NotATerminal: return "not a terminal";
                case Error.TextBusy: return "text file busy";
                case Error.FileTooLarge: return "file too large";
                case Error.NoSpace: return "no space left on device";
                case Error.IllegalSeek: return "illegal seek";
                case Error.ReadOnlyFileSystem: return "read-only file system";
                case Error.TooManyLinks: return "too many links";
                case Error.PeerGone: return "peer gone";
                case Error.ArgumentOutOfDomain: return "argument out of domain";
                case Error.OutOfRange: return "result out of range";
                case Error.Deadlock: return "deadlock avoided";
                case Error.NameTooLong: return "name too long";
                case Error.NoLocks: return "no locks available";
                case Error.NoSuchCall: return "no such system call";
                case Error.NotEmpty: return "directory not empty";
                case Error.TooManySymbolicLinks: return "too many levels of symbolic links";
                case Error.NoData: return "no data available";
                case Error.Overflow: return "value too large";
                case Error.NotASocket: return "not a socket";
                case Error.DestinationRequired: return "destination address required";
                case Error.MessageTooLong: return "message too long";
                case Error.WrongProtocolType: return "protocol wrong type for socket";
                case Error.NoProtocolOption: return "protocol not available";
                case Error.ProtocolNotSupported: return "protocol not supported";
                case Error.SocketTypeNotSupported: return "socket type not supported";
                case Error.NotSupported: return "operation not supported";
                case Error.AddressFamilyNotSupported: return "address family not supported";
                case Error.AddressInUse: return "address already in use";
                case Error.AddressNotAvailable: return "cannot assign requested address";
                case Error.ConnectionReset: return "connection reset by peer";
                case Error.NoBufferSpace: return "no buffer space available";
                case Error.AlreadyConnected: return "socket is already connected";
                case Error.NotConnected: return "socket is not connected";
                case Error.NetworkDown: return "network is down";
                case Error.NetworkUnreachable: return "network is unreachable";
                case Error.ConnectionAborted: return "software caused connection abort";
                case Error.SendAfterShutdown: return "cannot send after transport endpoint shutdown";
                case Error.TimedOut: return "timed out";
                case Error.ConnectionRefused: return "connection refused";
                case Error.HostUnreachable: return "no route to host";
                case Error.AlreadyInProgress: return "operation already in progress";
                case Error.InProgress: return "operation now in progress";
                case Error.StaleHandle: return "stale file handle";
                case Error.RestartSystemCall: return "interrupted (restart)";
                case Error.RestartNoInterrupt: return "interrupted (restart always)";
                case Error.RestartNoHandler: return "interrupted (restart without handler)";
                default: return "error";
            }
        }
    }
}
