using System.Threading;
using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// A ticket spin lock that also disables interrupts while held (and restores them on exit), so that an
    /// interrupt handler on the same CPU can never wait for a lock its own CPU holds.
    /// Lock order (written rule): scheduler lock, then allocator class locks, then page allocator;
    /// never take a lock of a lower rank while holding one of a higher rank.
    /// </summary>
    public struct SpinLock
    {
        private int _next;
        private int _serving;
        private bool _restoreInterrupts;

        public void Enter()
        {
            bool enabled = Cpu.InterruptsEnabled;
            Cpu.DisableInterrupts();
            int ticket = Interlocked.Add(ref _next, 1) - 1;
            while (Volatile.Read(ref _serving) != ticket)
                Cpu.Pause();
            _restoreInterrupts = enabled;
        }

        public void Exit()
        {
            bool restore = _restoreInterrupts;
            Volatile.Write(ref _serving, _serving + 1);
            if (restore)
                Cpu.EnableInterrupts();
        }
    }
}
