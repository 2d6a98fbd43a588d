using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Sync;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// A pseudo-terminal pair, as Linux's Unix 98 ptys: opening /dev/ptmx makes one and gives its master; its slave,
    /// /dev/pts/N (devpts), is a terminal like the console (Terminal: the line discipline, termios, job control) whose
    /// input is what the master writes and whose output the master reads. The slave's output waits in a ring of
    /// <see cref="OutputCapacity"/> bytes; a master's write waits for room in the slave's input (the line discipline's
    /// buffer of LineDiscipline.BufferSize), a slave's write for room in the ring, both EAGAIN with O_NONBLOCK.
    /// The slave starts locked (TIOCSPTLCK, unlockpt). When the master closes, the slave hangs up (reads end of file,
    /// writes EIO) and the session it controlled gets SIGHUP; when the last slave closes, the master reads what is left,
    /// then EIO. The terminal's wait queue's lock guards the pair; the table's lock, which pairs exist and who holds them.
    /// </summary>
    public sealed unsafe class PseudoTerminal : Terminal
    {
        /// <summary>Pairs at once (an explicit limit; Linux's /proc/sys/kernel/pty/max is 4096).</summary>
        public const int MaximumCount = 64;
        /// <summary>Slave output the master has not read yet.</summary>
        public const int OutputCapacity = 8192;

        private static PseudoTerminal[] s_table;
        private static TicketLock s_tableLock;

        public readonly int Index;
        /// <summary>Its name in /dev/pts (a character device, 136:Index), owned by whoever opened the master.</summary>
        public readonly Vnode Node;

        private byte* _output;
        private int _outputHead, _outputCount;
        private bool _masterOpen = true;
        private bool _locked = true;
        private int _slaveFiles;
        private bool _slaveClosed;     // Linux's TTY_OTHER_CLOSED on the master: a slave was open and the last closed
        private bool _packetMode;      // TIOCPKT on the master
        private byte _packetStatus;    // what the master's next read in packet mode reports first (PacketStatus bits)
        private int _references = 1;   // the master and each open slave (under the table's lock)

        public static void Initialize()
        {
            s_tableLock.Rank = LockRank.FileSystem;
            s_table = new PseudoTerminal[MaximumCount];
        }

        private PseudoTerminal(int index, Vnode node, byte* output)
        {
            Index = index;
            Node = node;
            _output = output;
        }

        /// <summary>open("/dev/ptmx"): a new pair and its master; ENOSPC when every slot is taken.</summary>
        public static Error OpenMaster(Vnode node, int flags, out OpenFile file)
        {
            file = null;
            byte* output = (byte*)KernelHeap.AllocateUninitialized(OutputCapacity);
            if (output == null)
                return Error.OutOfMemory;
            Credentials credentials = LinuxProcess.Current.Credentials;
            PseudoTerminal terminal = null;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                for (int i = 0; i < MaximumCount; i++)
                {
                    if (s_table[i] == null)
                    {
                        Vnode slave = PseudoTerminalFileSystem.MakeSlaveNode(i, credentials.FileSystemUserId, credentials.FileSystemGroupId);
                        terminal = new PseudoTerminal(i, slave, output);
                        s_table[i] = terminal;
                        break;
                    }
                }
            }
            if (terminal == null)
            {
                KernelHeap.Free(output);
                return Error.NoSpace;
            }
            file = new PseudoTerminalMaster(node, flags, terminal);
            return Error.None;
        }

        /// <summary>
        /// open("/dev/pts/N"): the slave of pair N; ENOENT once its master closed, EIO while locked. Without O_NOCTTY,
        /// a session leader with no controlling terminal makes it its own (Linux's tty_open).
        /// </summary>
        public static Error OpenSlave(Vnode node, int index, int flags, out OpenFile file)
        {
            file = null;
            PseudoTerminal terminal = null;
            Error error = Error.None;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                terminal = index >= 0 && index < MaximumCount ? s_table[index] : null;
                if (terminal == null || !terminal._masterOpen)
                    error = Error.NotFound;
                else if (terminal._locked)
                    error = Error.InputOutput;
                else
                    terminal._references++;
            }
            if (error != Error.None)
                return error;
            using (InterruptMask.Enter())
            using (terminal.Waiters.Lock.Hold())
            {
                terminal._slaveFiles++;
                terminal._slaveClosed = false;
            }
            file = new TerminalFile(node, flags, terminal);
            LinuxProcess process = LinuxProcess.Current;
            if ((flags & OpenFlags.NoControllingTerminal) == 0 && process != null)
                terminal.Acquire(process, steal: false, automatic: true);
            return Error.None;
        }

        /// <summary>The pair of the session 'session' controls through its slave, or null (/dev/tty, /proc's tty_nr).</summary>
        public static PseudoTerminal OfSession(int session)
        {
            if (session == 0)
                return null;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                for (int i = 0; i < MaximumCount; i++)
                {
                    PseudoTerminal terminal = s_table[i];
                    if (terminal != null && terminal._masterOpen && terminal.Session == session)
                        return terminal;
                }
            }
            return null;
        }

        /// <summary>
        /// A session's leader ended: a pair that session controls is nobody's controlling terminal any more (Linux's
        /// disassociate_ctty), and its foreground group gets SIGHUP and SIGCONT.
        /// </summary>
        public static void SessionEnded(int session)
        {
            int group = 0;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())   // the pair cannot go meanwhile
            {
                for (int i = 0; i < MaximumCount; i++)
                {
                    PseudoTerminal terminal = s_table[i];
                    if (terminal == null || terminal.Session != session)
                        continue;
                    using (terminal.Waiters.Lock.Hold())
                    {
                        if (terminal.Session == session)
                        {
                            group = terminal.ForegroundGroup;
                            terminal.Session = terminal.ForegroundGroup = 0;
                        }
                    }
                }
            }
            if (group != 0 && group != session)
            {
                SignalDelivery.SendFromTerminal(group, Signal.Hangup);
                SignalDelivery.SendFromTerminal(group, Signal.Continue);
            }
        }

        /// <summary>/dev/tty for a session a pair controls: its slave again.</summary>
        public static Error OpenControlling(PseudoTerminal terminal, int flags, out OpenFile file)
            => OpenSlave(terminal.Node, terminal.Index, flags | OpenFlags.NoControllingTerminal, out file);

        /// <summary>devpts's listing: the first pair at or after 'index' whose master is open, or -1.</summary>
        public static int NextOpen(int index)
        {
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                for (int i = index < 0 ? 0 : index; i < MaximumCount; i++)
                {
                    if (s_table[i] != null && s_table[i]._masterOpen)
                        return i;
                }
            }
            return -1;
        }

        /// <summary>devpts's lookup: the slave node of pair 'index' while its master is open, with a reference; or null.</summary>
        public static Vnode ReferenceNode(int index)
        {
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                PseudoTerminal terminal = index >= 0 && index < MaximumCount ? s_table[index] : null;
                if (terminal == null || !terminal._masterOpen)
                    return null;
                terminal.Node.AddReference();
                return terminal.Node;
            }
        }

        // ---------------------------------------------------------------- the controlling terminal

        // Makes the slave the controlling terminal of the caller's session (TIOCSCTTY, or an open without O_NOCTTY):
        // the caller must lead its session and its session have none; a terminal another session controls is taken
        // only with 'steal' by root (TIOCSCTTY's argument 1), else EPERM.
        private Error Acquire(LinuxProcess process, bool steal, bool automatic)
        {
            int session, group;
            bool privileged;
            using (process.Lock.Hold())
            {
                session = process.Session;
                group = process.ProcessGroup;
                privileged = process.Credentials.EffectiveUserId == 0;
            }
            bool leader = session == process.ProcessId;
            if (!leader)
                return Error.NotPermitted;
            if (Session == session)
                return Error.None;
            if (ConsoleTerminal.Instance.Session == session || OfSession(session) != null)
                return Error.NotPermitted;   // the session has a controlling terminal already
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                if (Session != 0 && (automatic || !steal || !privileged))
                    return Error.NotPermitted;
                Session = session;
                ForegroundGroup = group;
            }
            return Error.None;
        }

        protected override Error TakeControl(ulong argument) => Acquire(LinuxProcess.Current, steal: argument == 1, automatic: false);

        // TIOCNOTTY from the session's leader: the session loses its terminal, the foreground group gets SIGHUP and SIGCONT.
        protected override Error GiveUpControl()
        {
            LinuxProcess process = LinuxProcess.Current;
            int session;
            using (process.Lock.Hold())
                session = process.Session;
            int group = 0;
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                if (Session != session)
                    return Error.NotATerminal;
                if (session == process.ProcessId)
                {
                    group = ForegroundGroup;
                    Session = ForegroundGroup = 0;
                }
            }
            if (group != 0)
            {
                SignalDelivery.SendFromTerminal(group, Signal.Hangup);
                SignalDelivery.SendFromTerminal(group, Signal.Continue);
            }
            return Error.None;
        }

        // ---------------------------------------------------------------- the slave's side

        // The slave's output goes into the ring the master reads, waiting for room (a newline may need two bytes).
        protected override Error Output(byte* bytes, int count, bool nonBlocking, out int consumed)
        {
            consumed = 0;
            Error error = Error.None;
            using (InterruptMask.Enter())
            {
                Waiters.Lock.Enter();
                while (consumed < count)
                {
                    if (HungUp || !_masterOpen)
                    {
                        error = Error.InputOutput;
                        break;
                    }
                    bool returnNewline = NewlineAsReturnNewline && bytes[consumed] == (byte)'\n';
                    if (OutputCapacity - _outputCount < (returnNewline ? 2 : 1))
                    {
                        if (consumed > 0)
                            break;   // some went out: the write returns them
                        if (nonBlocking)
                        {
                            error = Error.WouldBlock;
                            break;
                        }
                        Scheduler.BlockOnLockedInterruptibly(Waiters);   // releases the lock
                        if (Scheduler.Current.WaitInterrupted)
                            return Error.RestartSystemCall;
                        Waiters.Lock.Enter();
                        continue;
                    }
                    if (returnNewline)
                        PutOutput((byte)'\r');
                    PutOutput(bytes[consumed++]);
                }
                Waiters.Lock.Exit();
            }
            if (consumed > 0)
                Changed();
            return error;
        }

        // Lock held: one byte for the master; dropped when the ring is full (echo, as Linux drops it with no room).
        private void PutOutput(byte value)
        {
            if (_outputCount == OutputCapacity)
                return;
            _output[(_outputHead + _outputCount) % OutputCapacity] = value;
            _outputCount++;
        }

        protected override void ReadTaken() => Changed();   // room for the master's writes

        /// <summary>The status bits a master in packet mode reads (Linux's TIOCPKT_*).</summary>
        public static class PacketStatus
        {
            public const byte Data = 0, FlushRead = 1, FlushWrite = 2, Stop = 4, Start = 8, NoStop = 16, DoStop = 32, Control = 64;
        }

        // tcflush on the slave: a master in packet mode hears of it (Linux's pty_flush_buffer and n_tty_packet_mode_flush).
        // Output already in the ring stays: on Linux it has reached the master's line discipline, which that flush leaves.
        protected override bool FlushedLocked(bool input, bool output)
        {
            if (!_packetMode)
                return false;
            _packetStatus |= (byte)((input ? PacketStatus.FlushRead : 0) | (output ? PacketStatus.FlushWrite : 0));
            return true;
        }

        // The slave's settings changed: a master in packet mode hears whether ^S and ^Q now stop and start output (IXON
        // with the standard characters), and with EXTPROC of every change (Linux's pty_set_termios).
        protected override bool SettingsChangedLocked(in Termios before)
        {
            if (!_packetMode)
                return false;
            Termios now = Discipline.Settings;
            bool extendedProcessing = ((before.LocalFlags | now.LocalFlags) & Termios.ExternalProcessing) != 0;
            bool oldFlow = StandardFlowControl(before), newFlow = StandardFlowControl(now);
            if (oldFlow == newFlow && !extendedProcessing)
                return false;
            if (oldFlow != newFlow)
            {
                _packetStatus &= unchecked((byte)~(PacketStatus.DoStop | PacketStatus.NoStop));
                _packetStatus |= newFlow ? PacketStatus.DoStop : PacketStatus.NoStop;
            }
            if (extendedProcessing)
                _packetStatus |= PacketStatus.Control;
            return true;
        }

        private static bool StandardFlowControl(in Termios settings)
        {
            Termios copy = settings;
            return (copy.InputFlags & Termios.OutputFlowControl) != 0 && copy.ControlCharacters[Termios.Stop] == 0x13
                && copy.ControlCharacters[Termios.Start] == 0x11;
        }

        /// <summary>TIOCPKT: packet mode on or off; turning it on forgets any earlier status.</summary>
        internal void SetPacketMode(bool on)
        {
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                if (on && !_packetMode)
                    _packetStatus = 0;
                _packetMode = on;
            }
        }

        /// <summary>TIOCGPKT.</summary>
        internal bool PacketMode
        {
            get
            {
                using (InterruptMask.Enter())
                using (Waiters.Lock.Hold())
                    return _packetMode;
            }
        }

        /// <summary>
        /// tcflush on the master: its input is the slave's output (the ring), its output the slave's input (the line
        /// discipline); nothing is reported to packet mode (Linux flushes the other side's buffers without a status).
        /// </summary>
        internal Error FlushFromMaster(ulong argument)
        {
            if (argument > FlushBoth)
                return Error.Invalid;
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                if (argument != FlushOutput)
                    _outputCount = 0;
                if (argument != FlushInput)
                    Discipline.Reset();
            }
            Changed();   // room on both sides
            return Error.None;
        }

        public override PollEvents Poll()
        {
            if (HungUp)
                return PollEvents.In | PollEvents.Out | PollEvents.Error | PollEvents.HangUp;
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
                return (Discipline.PollReady ? PollEvents.In : PollEvents.None) | (_outputCount < OutputCapacity ? PollEvents.Out : PollEvents.None);
        }

        internal override void FileClosed()
        {
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                if (--_slaveFiles == 0)
                    _slaveClosed = true;
            }
            Changed();   // the master reads EIO once the ring is empty
            Release();
        }

        // ---------------------------------------------------------------- the master's side

        // Room in the slave's input: the line discipline's readable bytes and edit line share its buffer.
        private int InputRoomLocked => LineDiscipline.BufferSize - Discipline.ReadableCount - Discipline.EditLength;

        /// <summary>The master's read: the slave's output; EIO once the slave closed and nothing is left; waits otherwise.</summary>
        internal Error ReadMaster(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            if (count == 0)
                return Error.None;
            byte* chunk = stackalloc byte[ChunkSize];
            int taken = 0;
            using (InterruptMask.Enter())
            {
                Waiters.Lock.Enter();
                while (_outputCount == 0 && !(_packetMode && _packetStatus != 0))
                {
                    Error error = _slaveClosed ? Error.InputOutput : nonBlocking ? Error.WouldBlock : Error.None;
                    if (error != Error.None)
                    {
                        Waiters.Lock.Exit();
                        return error;
                    }
                    Scheduler.BlockOnLockedInterruptibly(Waiters);
                    if (Scheduler.Current.WaitInterrupted)
                        return Error.RestartSystemCall;
                    Waiters.Lock.Enter();
                }
                int want = count < ChunkSize ? (int)count : ChunkSize;
                if (_packetMode)
                {
                    // Packet mode: a pending status alone, or a TIOCPKT_DATA byte before the data (Linux's n_tty_read).
                    chunk[taken++] = _packetStatus;
                    want = _packetStatus != 0 ? 1 : want;
                    _packetStatus = 0;
                }
                while (taken < want && _outputCount > 0)
                {
                    chunk[taken++] = _output[_outputHead];
                    _outputHead = (_outputHead + 1) % OutputCapacity;
                    _outputCount--;
                }
                Waiters.Lock.Exit();
            }
            Changed();   // room for the slave's writes
            if (!buffer.CopyIn(0, chunk, (ulong)taken))
                return Error.BadAddress;
            done = (ulong)taken;
            return Error.None;
        }

        /// <summary>
        /// The master's write: each byte is input to the slave's line discipline (echo back to the master, the signal
        /// characters to the foreground group), waiting while the slave's input buffer is full.
        /// </summary>
        internal Error WriteMaster(IoBuffer buffer, ulong count, bool nonBlocking, out ulong done)
        {
            done = 0;
            byte* input = stackalloc byte[ChunkSize];
            byte* echo = stackalloc byte[16];
            while (done < count)
            {
                int chunk = count - done < ChunkSize ? (int)(count - done) : ChunkSize;
                if (!buffer.CopyOut(done, input, (ulong)chunk))
                    return done == 0 ? Error.BadAddress : Error.None;
                int consumed = 0;
                LineDiscipline.Action action = LineDiscipline.Action.None;
                int group = 0;
                Error error = Error.None;
                using (InterruptMask.Enter())
                {
                    Waiters.Lock.Enter();
                    while (consumed < chunk && action == LineDiscipline.Action.None)
                    {
                        if (InputRoomLocked <= 0)
                        {
                            if (consumed > 0 || done > 0)
                                break;
                            if (nonBlocking)
                            {
                                error = Error.WouldBlock;
                                break;
                            }
                            Scheduler.BlockOnLockedInterruptibly(Waiters);
                            if (Scheduler.Current.WaitInterrupted)
                                return Error.RestartSystemCall;
                            Waiters.Lock.Enter();
                            continue;
                        }
                        action = Discipline.Input(input[consumed++], echo, out int echoCount, out int erasures, out _);
                        if (action != LineDiscipline.Action.None && (Discipline.Settings.LocalFlags & Termios.NoFlush) == 0)
                        {
                            _outputCount = 0;   // a signal character flushes output the master has not read too (Linux's isig)
                            FlushedLocked(input: true, output: true);
                        }
                        for (int i = 0; i < echoCount; i++)
                            PutOutput(echo[i]);
                        LineDiscipline.WriteErasure(echo);
                        for (int i = 0; i < erasures * LineDiscipline.ErasureLength; i++)
                            PutOutput(echo[i % LineDiscipline.ErasureLength]);
                        group = ForegroundGroup;
                    }
                    Waiters.Lock.Exit();
                }
                if (consumed > 0)
                    Changed();
                Raise(action, group);   // one signal character at a time: sent before the next byte goes in
                done += (ulong)consumed;
                if (error != Error.None)
                    return done > 0 ? Error.None : error;
                if (consumed == 0)
                    break;   // full after some bytes: the write returns them
            }
            return Error.None;
        }

        internal PollEvents PollMaster()
        {
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
                return (_outputCount > 0 ? PollEvents.In : PollEvents.None) | (InputRoomLocked > 0 ? PollEvents.Out : PollEvents.None)
                    | (_slaveClosed ? PollEvents.HangUp : PollEvents.None)
                    | (_packetMode && _packetStatus != 0 ? PollEvents.In | PollEvents.Priority : PollEvents.None);
        }

        internal int OutputBuffered
        {
            get
            {
                using (InterruptMask.Enter())
                using (Waiters.Lock.Hold())
                    return _outputCount;
            }
        }

        internal bool Locked
        {
            get => _locked;
            set
            {
                using (InterruptMask.Enter())
                using (s_tableLock.Hold())
                    _locked = value;
            }
        }

        /// <summary>
        /// The master closed: the slave hangs up (Linux's tty_vhangup), the session it controlled loses it and its
        /// leader gets SIGHUP and SIGCONT; its name leaves /dev/pts.
        /// </summary>
        internal void MasterClosed()
        {
            int session;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
                _masterOpen = false;
            using (InterruptMask.Enter())
            using (Waiters.Lock.Hold())
            {
                session = Session;
                Session = ForegroundGroup = 0;
            }
            // The signals first, the hang-up after (Linux's __tty_hangup order): a reader woken by the hang-up finds
            // SIGHUP pending, and dies of it rather than returning end of file to a program that would go on.
            if (session != 0)
            {
                LinuxProcess leader = ProcessTree.Find(session);
                if (leader != null)
                {
                    SignalInformation information = new SignalInformation { Code = SignalDelivery.FromKernel };
                    SignalDelivery.SendToProcess(leader, Signal.Hangup, information);
                    SignalDelivery.SendToProcess(leader, Signal.Continue, information);
                    leader.Process.Release();
                }
            }
            HungUp = true;
            Changed();
            Release();
        }

        // One holder (the master, a slave) let go: the last frees the pair and its slot.
        private void Release()
        {
            bool last;
            using (InterruptMask.Enter())
            using (s_tableLock.Hold())
            {
                last = --_references == 0;
                if (last)
                    s_table[Index] = null;
            }
            if (!last)
                return;
            KernelHeap.Free(_output);
            Node.Release();
            Exo.Runtime.ObjectAllocator.Free(Waiters);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
