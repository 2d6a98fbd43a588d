using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;

namespace Exo.PosixX.Vfs.Events
{
    /// <summary>
    /// A signalfd: reads take the pending signals of its mask from the reading thread and its process (as Linux's, the
    /// reader's, not the creator's), each as a 128-byte struct signalfd_siginfo, lowest first, without running a
    /// handler. Readable while one is pending. A read with none waits for a send (SignalDelivery announces each send
    /// through Readiness).
    /// </summary>
    public sealed unsafe class SignalFile : AnonymousFile
    {
        /// <summary>sizeof(struct signalfd_siginfo).</summary>
        public const int RecordSize = 128;

        private ulong _mask;

        public SignalFile(ulong mask, int flags) : base(OpenFlags.ReadWrite | (flags & OpenFlags.NonBlocking)) { Mask = mask; }

        /// <summary>The signals reported (SIGKILL and SIGSTOP never are).</summary>
        public ulong Mask
        {
            get => System.Threading.Volatile.Read(ref _mask);
            set => System.Threading.Volatile.Write(ref _mask, value & ~Signal.Unblockable);
        }

        public override string KindName => "signalfd";

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            if (count < RecordSize)
                return Error.Invalid;
            LinuxProcess process = LinuxProcess.Current;
            LinuxThread state = LinuxThread.Current;
            byte* record = stackalloc byte[RecordSize];
            ReadinessWait wait = new ReadinessWait(NonBlocking ? 0 : -1);
            while (true)
            {
                int generation = Readiness.Generation;
                while (done + RecordSize <= count)
                {
                    int signal = TakeOne(process, state, out SignalInformation information);
                    if (signal == 0)
                        break;
                    Describe(record, signal, information);
                    if (!buffer.CopyIn(done, record, RecordSize))
                        return done > 0 ? Error.None : Error.BadAddress;   // the signal is taken all the same, as on Linux
                    done += RecordSize;
                }
                if (done > 0)
                    return Error.None;
                if (wait.Immediate)
                    return Error.WouldBlock;
                if (wait.Sleep(generation) == Error.Interrupted)
                    return Error.RestartSystemCall;
            }
        }

        // The lowest pending signal of the mask (a fault's first), taken; 0 if none.
        private int TakeOne(LinuxProcess process, LinuxThread state, out SignalInformation information)
        {
            using (process.Lock.Hold())
            {
                int signal = SignalDelivery.Lowest((state.PendingSignals | process.SharedPending) & Mask);
                if (signal != 0 && SignalDelivery.Take(process, state, signal, out information))
                    return signal;
            }
            information = default;
            return 0;
        }

        // struct signalfd_siginfo: signo, errno, code, pid, uid, fd, tid, band, overrun, trapno, status, int, ptr,
        // utime, stime, addr (uapi/linux/signalfd.h).
        private static void Describe(byte* record, int signal, in SignalInformation information)
        {
            for (int i = 0; i < RecordSize; i++)
                record[i] = 0;
            *(uint*)record = (uint)signal;
            *(int*)(record + 8) = information.Code;
            ulong address = SignalDelivery.FaultAddressOf(signal, information);
            if (address != 0)
            {
                *(ulong*)(record + 72) = address;
                return;
            }
            *(int*)(record + 12) = information.SenderProcessId;
            *(uint*)(record + 16) = information.SenderUserId;
            if (signal == Signal.Child)
            {
                *(int*)(record + 40) = information.Status;
                return;
            }
            *(int*)(record + 44) = (int)information.Value;   // ssi_int and ssi_ptr: sigqueue's value
            *(ulong*)(record + 48) = information.Value;
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            done = 0;
            return Error.Invalid;
        }

        // The polling thread's pending signals (read without the process's lock: poll may run under EventPoll's,
        // which ranks above it; a change is announced through Readiness, and the poller looks again).
        public override PollEvents Poll()
        {
            LinuxThread state = LinuxThread.Current;
            LinuxProcess process = LinuxProcess.Current;
            if (state == null || process == null)
                return PollEvents.None;
            ulong pending = System.Threading.Volatile.Read(ref state.PendingSignals) | System.Threading.Volatile.Read(ref process.SharedPending);
            return (pending & Mask) != 0 ? PollEvents.In : PollEvents.None;
        }
    }
}
