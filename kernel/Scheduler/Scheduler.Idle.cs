using Exo.Kernel.Arch.X64;

namespace Exo.Kernel.Scheduler
{
    public static unsafe partial class Scheduler
    {
        /// <summary>
        /// Kernel command line "idle=poll" (as Linux's): an idle processor spins with interrupts enabled instead of
        /// halting. make bench's storage boot sets it on both kernels: under QEMU's -icount sleep=off a halted guest's
        /// clock jumps to its next timer deadline, so a wait for the emulated disk would count the distance to the
        /// next tick (up to 1 ms here, more on a tickless Linux) instead of the instructions spent meanwhile.
        /// </summary>
        public static bool PollWhenIdle;

        private static void IdleLoop(ulong unused)
        {
            while (true)
            {
                if (PollWhenIdle)
                {
                    Cpu.EnableInterrupts();
                    Cpu.Pause();
                }
                else
                {
                    Cpu.EnableInterruptsAndHalt();
                }
            }
        }
    }
}
