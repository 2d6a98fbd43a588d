using Exo.Kernel.Memory;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// A pseudo-terminal's master (what opening /dev/ptmx gives): reads take the slave's output, writes are the slave's
    /// input; its own ioctls name and unlock the slave (TIOCGPTN, TIOCSPTLCK, TIOCGPTLCK) and count what it may read
    /// (FIONREAD); the others act on the slave's terminal (termios, window size, process group), as Linux's master does.
    /// </summary>
    public sealed unsafe class PseudoTerminalMaster : OpenFile
    {
        private readonly PseudoTerminal _terminal;

        // ioctl requests of the master (Linux's asm-generic/ioctls.h: _IOR('T', 0x30, int) and kin).
        public const uint GetNumber = 0x80045430, SetLock = 0x40045431, GetLock = 0x80045439;

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
                case Terminal.ReadableCount:
                {
                    int count = _terminal.OutputBuffered;
                    return UserMemory.CopyToUser(argument, &count, 4) ? Error.None : Error.BadAddress;
                }
                default:
                    return _terminal.Control(request, argument, out result);
            }
        }

        protected override void Destroy()
        {
            _terminal.MasterClosed();
            base.Destroy();
        }
    }
}
