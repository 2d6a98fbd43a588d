namespace Exo.Kernel.Ipc
{
    /// <summary>A thread's Fusion Ring state (<see cref="Scheduler.Thread.Ipc"/>), used by <see cref="FusionCall"/>.</summary>
    public struct IpcState
    {
        /// <summary>The caller this thread (a server) must reply to.</summary>
        public Scheduler.Thread ReplyTo;
        /// <summary>The result its blocked system call returns when a peer resumes it: 0, or an error as
        /// SystemCallResult.From makes it (the words travel in its frame).</summary>
        public ulong Status;
        /// <summary>The endpoint it waits on, as receiver or queued caller (an address, for the killer), or 0.</summary>
        public ulong WaitingOn;
    }
}
