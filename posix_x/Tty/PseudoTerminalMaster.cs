using Exo.Kernel.Memory;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// A pseudo-terminal's master (what opening /dev/ptmx gives): reads take the slave's output, writes are the slave's
    /// input; its own ioctls name, unlock and open the slave (TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK, TIOCGPTPEER), count what
    /// it may read (FIONREAD), flush its own two directions (TCFLSH) and set packet mode (TIOCPKT, TIOCGPKT: each read
    /// starts with a status byte); the others act on the slave's terminal (termios, window size, process group), as
    /// Linux's master does.
    /// </summary>
    public sealed unsafe class PseudoTerminalMaster : OpenFile
    {
        private readonly PseudoTerminal _terminal;

        // ioctl requests of the master (Linux's asm-generic/ioctls.h: _IOR('T', 0x30, int) and kin).
        public const uint GetNumber = 0x80045430, SetLock = 0x40045431, GetLock = 0x80045439, OpenPeer = 0x5441,
            SetPacketMode = 0x5420, GetPacketMode = 0x80045438;

        public PseudoTerminalMaster(Vnode node, int flags, PseudoTerminal terminal) : base(node, flags) => _terminal = terminal;

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) => _terminal.ReadMaster(buffer, count, NonBlocking, out done);
        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Write(IoBuffer buffer, ulong count, out ulong done) => _terminal.WriteMaster(buffer, count, NonBlocking, out done);
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }
        public override PollEvents Poll() => _terminal.PollMaster();

        public override Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            switch (request)
            {
                case GetNumber:
                {
                    int number = _terminal.Index;
                    return UserMemory.CopyToUser(argument, &number, 4) ? Error.None : Error.BadAddress;
                }
                case SetLock:
                {
                    int locked;
                    if (!UserMemory.CopyFromUser(&locked, argument, 4))
                        return Error.BadAddress;
                    _terminal.Locked = locked != 0;
                    return Error.None;
                }
                case GetLock:
                {
                    int locked = _terminal.Locked ? 1 : 0;
                    return UserMemory.CopyToUser(argument, &locked, 4) ? Error.None : Error.BadAddress;
                }
                case OpenPeer:
                    return OpenSlaveDescriptor((int)argument, out result);
                case SetPacketMode:
                {
                    int on;
                    if (!UserMemory.CopyFromUser(&on, argument, 4))
                        return Error.BadAddress;
                    _terminal.SetPacketMode(on != 0);
                    return Error.None;
                }
                case GetPacketMode:
                {
                    int on = _terminal.PacketMode ? 1 : 0;
                    return UserMemory.CopyToUser(argument, &on, 4) ? Error.None : Error.BadAddress;
                }
                case Terminal.Flush:
                    return _terminal.FlushFromMaster(argument);
                case Terminal.ReadableCount:
                {
                    int count = _terminal.OutputBuffered;
                    return UserMemory.CopyToUser(argument, &count, 4) ? Error.None : Error.BadAddress;
                }
                default:
                    return _terminal.Control(request, argument, out result, fromPeer: true);
            }
        }

        /// <summary>
        /// TIOCGPTPEER: the slave opened as open("/dev/pts/N", flags) would (EIO while locked; the controlling terminal
        /// rules too) without its path, into the lowest free descriptor (O_CLOEXEC honoured), whose number is the result.
        /// </summary>
        private Error OpenSlaveDescriptor(int flags, out ulong result)
        {
            result = 0;
            if (LinuxProcess.Current == null)
                return Error.InputOutput;   // not from a Linux program (nothing to put the descriptor in)
            Error error = PseudoTerminal.OpenSlave(_terminal.Node, _terminal.Index, flags, out OpenFile file);
            if (error != Error.None)
                return error;
            error = Translation.DescriptorContext.InstallNew(file, (flags & OpenFlags.CloseOnExec) != 0, out int descriptor);
            result = (ulong)descriptor;
            return error;
        }

        protected override void Destroy()
        {
            _terminal.MasterClosed();
            base.Destroy();
        }
    }
}
