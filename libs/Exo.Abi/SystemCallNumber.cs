namespace Exo.Abi
{
    /// <summary>
    /// The native system call numbers (SYSCALL with the number in RAX; the calling convention is in
    /// userland/programs/native.inc). The kernel registers its handlers with these, exo_std calls them, and the
    /// assembly programs get them as SYS_* from the generated exo-abi.inc (tools/scripts/generate-native-abi.sh):
    /// this file is the only list. Each summary gives the arguments (RDI RSI RDX R10 R8) and the result (RAX; a
    /// negative result is an <see cref="Error"/>). Summaries stay on one line: the generator copies them.
    /// </summary>
    public enum SystemCallNumber
    {
        /// <summary>() -> 0: nothing (the cost of a round trip).</summary>
        Null = 0,
        /// <summary>(status): ends the process with its low 32 bits; never returns.</summary>
        Exit = 1,
        /// <summary>(value): prints "user: HEX" on the kernel console (a test aid; needs the diagnostics capability, which the kernel grants only to its tests and benchmarks).</summary>
        DebugLog = 2,
        /// <summary>(): gives the processor to another ready thread.</summary>
        Yield = 3,
        /// <summary>(buffer, length) -> bytes written; AccessDenied unless the process holds a console handle.</summary>
        ConsoleWrite = 4,
        /// <summary>() -> the process id.</summary>
        ProcessId = 5,
        /// <summary>(name, name length, median, minimum, iterations): one EXO-BENCH line (needs the diagnostics capability).</summary>
        BenchReport = 6,
        /// <summary>(): the monotonic clock, nanoseconds since boot (the clock NotificationWaitUntil's deadlines are on).</summary>
        ClockRead = 7,
        /// <summary>() -> the address of the time page (TimePage) mapped read-only in this process, or 0: ring 3 reads the monotonic clock there with RDTSC, no system call.</summary>
        TimePageAddress = 8,
        /// <summary>(handle): removes it from this process's table (derived handles elsewhere stay).</summary>
        HandleClose = 10,
        /// <summary>(handle, rights) -> a new handle with those rights (a subset; needs Duplicate).</summary>
        HandleDuplicate = 11,
        /// <summary>(handle): removes every handle derived from it, in every process (needs Revoke).</summary>
        HandleRevoke = 12,
        /// <summary>(handle) -> type | rights &lt;&lt; 8 (an ObjectType and Rights).</summary>
        HandleInfo = 13,
        /// <summary>(address or 0, length, writable) -> address: anonymous zeroed pages, mapped on first touch.</summary>
        MemoryMap = 20,
        /// <summary>(address, length): unmaps pages of this process; a memory object mapping wholly inside the range lets the process's hold on the object go.</summary>
        MemoryUnmap = 21,
        /// <summary>(length) -> handle to a memory object of zeroed pages (charged to the memory quota).</summary>
        MemoryObjectCreate = 22,
        /// <summary>(handle, address or 0, writable) -> address: maps the whole object (needs Map; Write to write).</summary>
        MemoryObjectMap = 23,
        /// <summary>() -> handle to a new Fusion Ring endpoint.</summary>
        EndpointCreate = 30,
        /// <summary>(endpoint, w0, w1, w2, w3, handle in R9) -> status; the reply's words in RSI RDX R10 R8 and handle in R9 (needs Write).</summary>
        IpcCall = 31,
        /// <summary>(endpoint) -> status, badge in RDI, words in RSI RDX R10 R8, handle in R9: waits for a call (needs Read).</summary>
        IpcReceive = 32,
        /// <summary>(endpoint, w0, w1, w2, w3, handle in R9): replies to the last call, then waits for the next (as IpcReceive).</summary>
        IpcReplyReceive = 33,
        /// <summary>() -> handle to a new notification.</summary>
        NotificationCreate = 40,
        /// <summary>(handle, bits): ORs the bits in (bits 0-62) and wakes a waiter (needs Signal).</summary>
        NotificationSignal = 41,
        /// <summary>(handle) -> bits: waits until some are set, then clears them (needs Wait).</summary>
        NotificationWait = 42,
        /// <summary>(handle) -> bits: never waits; clears them (needs Wait).</summary>
        NotificationPoll = 43,
        /// <summary>(notification, deadline): as NotificationWait, but TimedOut (no bits taken) once the monotonic clock
        /// (ClockRead) passes 'deadline' nanoseconds; a deadline already past polls. What a service with timers sleeps in.</summary>
        NotificationWaitUntil = 44,
        /// <summary>(command line, length, handles, handle count) -> process handle: the first word names the program in the boot image.</summary>
        ProcessSpawn = 50,
        /// <summary>(process handle) -> exit status, FaultStatusBase + vector after a fault, or KilledStatus (needs Wait).</summary>
        ProcessWait = 51,
        /// <summary>(process handle): ends it (needs Manage).</summary>
        ProcessKill = 52,
        /// <summary>(process handle, notification, bits): signals the bits when the process ends, at once if it has (needs Wait, and Signal on the notification); a new watch replaces the old.</summary>
        ProcessWatch = 53,
        /// <summary>(entry, stack pointer, argument) -> thread handle: another ring-3 thread of this process, RDI = argument (OutOfMemory past MaximumThreads).</summary>
        ThreadCreate = 54,
        /// <summary>(status): ends the calling thread only (exit, a fault or a kill end them all).</summary>
        ThreadExit = 55,
        /// <summary>(thread handle) -> its exit status (needs Wait).</summary>
        ThreadWait = 56,
        /// <summary>(class) -> 0: the calling thread's scheduling class (SchedulingClassNormal, TimeCritical or Background); a time-critical thread that runs TimeCriticalBurstMicroseconds without stopping is put back in the normal class; Invalid for another value.</summary>
        ThreadSchedulingClass = 57,
        /// <summary>(root, kind, base, length) -> handle to a device resource of that ResourceKind (needs Manage on the root resource).</summary>
        ResourceCreate = 60,
        /// <summary>(port range): IN/OUT on its ports from ring 3 (needs Read and Write) until that handle is closed, revoked or moved.</summary>
        IoPortEnable = 61,
        /// <summary>(interrupt, notification, bits): each interrupt masks the line and signals the bits (needs Manage, and Signal on the notification).</summary>
        InterruptBind = 62,
        /// <summary>(interrupt): unmasks the line (needs Wait); quiet the device first.</summary>
        InterruptAcknowledge = 63,
        /// <summary>(physical range, address or 0, writable) -> address: uncached (needs Map; Write to write); stays mapped if revoked later.</summary>
        PhysicalMap = 64,
        /// <summary>(PCI device, offset, width 1/2/4) -> the value of its configuration space there (needs Read; Invalid: a bad width, a misaligned offset, or past the space: 256 bytes, 4096 with ECAM).</summary>
        PciConfigRead = 65,
        /// <summary>(PCI device, offset, width 1/2/4, value): writes its configuration space (needs Write; AccessDenied: a register the kernel keeps: identity, BARs, ROM, capability pointer, MSI/MSI-X, extended space).</summary>
        PciConfigWrite = 66,
        /// <summary>(PCI device, BAR index 0-5) -> its size in bytes, sized by the kernel at boot (0: unused, or the upper half of a 64-bit BAR); its address and kind are in configuration space (needs Read).</summary>
        PciBarSize = 67,
        /// <summary>(memory object) -> the physical address of its first byte, for a device's descriptors: DMA memory only
        /// (ResourceKind.DmaMemory; Invalid for other memory objects; needs Manage).</summary>
        DmaAddress = 68,
        /// <summary>(PCI device, entry, notification, bits): the kernel picks MSI-X when the function has it (entry: its table
        /// entry), else plain MSI (entry 0, one message), gives the entry a vector, programs the address and data, enables
        /// MSI-X or MSI and turns INTx off; each message signals the bits (needs Manage, and Signal on the notification;
        /// NotSupported with neither, Invalid past the table, past 8 entries or past MSI's one, Busy when the kernel's 32
        /// vectors are taken or another live process bound the device). Binding an entry again changes its notification and
        /// bits. The binding ends with the calling process (MSI-X or MSI off, vectors back) or with the device's last handle.</summary>
        PciInterruptBind = 69,
        /// <summary>(name, name length, memory object, server notification, client notification, FileSystemOfferObjects* or 0):
        /// offers a file system service to the kernel under the name (1-24 printable bytes; `mount -t ringfs NAME DIR` finds
        /// it), the channel laid out as Exo.Protocols.FileSystem.FileSystemChannelLayout says (needs Map and Write on the
        /// memory object, Signal on the server's notification, Wait on the client's; the other objects' rights as
        /// FileSystemOfferObjects says: bulk memory, where reads' data may lie, and a block channel to the disk's driver;
        /// AlreadyExists while another live process holds the name).</summary>
        FileSystemOffer = 70,
        /// <summary>(name, name length, memory object, server notification, client notification): offers the network service's
        /// socket channel to the kernel under the name (POSIX-X's internet sockets use the one named "network"), laid out as
        /// Exo.Protocols.Sockets.SocketChannelLayout says (the same rights as FileSystemOffer).</summary>
        SocketOffer = 71,
        /// <summary>(name, name length, memory object, server notification, client notification): offers one native program a
        /// socket channel of its own under the name (netstack's is "network-native"), laid out as SocketChannelLayout says
        /// (the same rights as SocketOffer). The first SocketClaim of the name takes it out of the table; the service offers
        /// the next.</summary>
        SocketNativeOffer = 72,
        /// <summary>(name, name length, three uint handles out) -> 0: takes the channel offered under the name with
        /// SocketNativeOffer: the caller gets the memory object (Map, Write), the service's notification (Signal) and its own
        /// (Wait). The kernel writes SocketChannelLayout's client state (Claimed, then Gone when the caller ends) and signals
        /// ClientStateBit on the service's notification each time. NotFound when nothing is offered under the name (the
        /// service is between offers or not running: ask again), AlreadyExists when the caller holds a channel already.</summary>
        SocketClaim = 73,
        /// <summary>(root, field) -> one fact of the framebuffer the boot loader set up (FramebufferField: physical address,
        /// pitch, width, height, bits per pixel, type 1 = direct RGB); NotFound when it set none (a -kernel boot); needs
        /// Manage on the root resource. The display's fallback when no display driver knows the device.</summary>
        FramebufferQuery = 80,
        /// <summary>(name, name length, notification, bits, channel size): the caller listens for Linux programs' connections
        /// under the name: POSIX-X makes /dev/exo/NAME, and each open of it is a new connection of 'channel size' bytes
        /// (4 KiB to 16 MiB, whole pages) of shared memory that waits, with its bits signalled, until ChannelAccept takes it
        /// (Exo.Protocols.Channels.ServiceChannelLayout; Signal on the notification; AlreadyExists while another live
        /// process listens under the name; a listener that ends leaves the name to its restarted self).</summary>
        ChannelListen = 86,
        /// <summary>(name, name length, notification, bits, handles out) -> the next waiting connection: writes two handles
        /// (the channel's memory object with Map and Write, and a notification with Signal only that wakes the client)
        /// and from then on the client's ring signals the bits on the notification (WouldBlock: none waits; AccessDenied:
        /// the caller does not listen under the name).</summary>
        ChannelAccept = 87,
    }
}
