using Exo.PosixX.KernelInterface;
using Exo.PosixX.Signals;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// A background process group at its controlling terminal, as Linux's job control treats it: a read sends
    /// SIGTTIN to the group (stopping it until fg continues it) and the read is restarted after; a change to the
    /// terminal (tcsetattr, TIOCSPGRP, tcflush, TIOCSWINSZ), and a write when TOSTOP is set, send SIGTTOU. A caller
    /// that ignores or blocks the signal is let through (writes, changes) or gets EIO (reads), and so does an orphaned
    /// group, which nobody could continue. Processes that are not in the terminal's session are not affected.
    /// </summary>
    public static class JobControl
    {
        /// <summary>May the caller read from the terminal now? None, or EIO, or a restart after SIGTTIN was sent.</summary>
        public static Error CheckRead(Terminal terminal) => Check(terminal, Signal.TerminalInput, ignoredMeansAllowed: false);

        /// <summary>May the caller change the terminal's settings (or write to it with TOSTOP)?</summary>
        public static Error CheckChange(Terminal terminal) => Check(terminal, Signal.TerminalOutput, ignoredMeansAllowed: true);

        private static Error Check(Terminal terminal, int signal, bool ignoredMeansAllowed)
        {
            if (Exo.Kernel.Scheduler.Scheduler.Current.Process?.PersonalityState is not LinuxProcess process)
                return Error.None;   // the kernel itself, a native program
            int foreground = System.Threading.Volatile.Read(ref terminal.ForegroundGroup);
            int session = System.Threading.Volatile.Read(ref terminal.Session);
            int group, processSession;
            bool ignored;
            using (process.Lock.Hold())
            {
                group = process.ProcessGroup;
                processSession = process.Session;
                LinuxThread thread = LinuxThread.Current;
                ignored = process.Handlers[signal - 1].Handler == SignalAction.Ignore
                    || (thread != null && (thread.BlockedSignals & Signal.Bit(signal)) != 0);
            }
            if (foreground == 0 || session == 0 || processSession != session || group == foreground)
                return Error.None;
            if (ignored)
                return ignoredMeansAllowed ? Error.None : Error.InputOutput;
            if (ProcessTree.IsOrphanedGroup(group, session))
                return Error.InputOutput;
            SignalDelivery.SendToGroup(group, signal, new SignalInformation { Code = SignalDelivery.FromKernel });
            return Error.RestartSystemCall;   // after the stop, fg's SIGCONT: the call runs again
        }
    }
}
