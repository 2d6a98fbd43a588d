using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Sync
{
    /// <summary>
    /// Interrupts masked for a scope and restored as they were: <c>using (InterruptMask.Enter()) { ... }</c>,
    /// instead of a hand-paired mask and restore. What code that takes TicketLocks (which leave the interrupt
    /// state alone) from a context with interrupts on wraps itself in.
    /// </summary>
    public readonly ref struct InterruptMask
    {
        private readonly bool _wereEnabled;

        private InterruptMask(bool wereEnabled) { _wereEnabled = wereEnabled; }

        public static InterruptMask Enter() => new InterruptMask(Cpu.DisableInterruptsSavingState());

        public void Dispose()
        {
            if (_wereEnabled)
                Cpu.EnableInterrupts();
        }
    }
}
