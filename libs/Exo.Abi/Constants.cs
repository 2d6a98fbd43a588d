namespace Exo.Abi
{
    /// <summary>The ABI's numbers that are not call numbers, errors, rights, types or kinds. Literal values: the generator copies them.</summary>
    public static class Constants
    {
        /// <summary>In a Fusion Ring message's handle register (R9): move the handle instead of copying it.</summary>
        public const ulong MoveHandle = 0x100000000;
        /// <summary>What ProcessWait returns for a process a fault ended: this plus the exception vector (exit statuses are 32-bit).</summary>
        public const ulong FaultStatusBase = 0x100000000;
        /// <summary>What ProcessWait returns for a process that was killed.</summary>
        public const ulong KilledStatus = 0x200000000;
        /// <summary>The longest command line ProcessSpawn takes (program name and arguments), in bytes.</summary>
        public const int CommandLineCapacity = 256;
        /// <summary>The longest program name (the command line's first word), in bytes.</summary>
        public const int ProgramNameCapacity = 32;
        /// <summary>Handles one ProcessSpawn may grant.</summary>
        public const int MaximumGrants = 16;
        /// <summary>
        /// Threads one process may have at once (live, or ended and not yet released); a slot is reused once its thread
        /// has ended and been released, so a process may start any number over its life.
        /// </summary>
        public const int MaximumThreads = 256;
        /// <summary>The longest row name BenchReport takes, in bytes.</summary>
        public const int BenchNameCapacity = 32;
        /// <summary>ThreadSchedulingClass: the default class (priority 16), what every thread starts in.</summary>
        public const int SchedulingClassNormal = 0;
        /// <summary>ThreadSchedulingClass: runs before every normal thread as soon as it is ready (an audio mixer, an audio client's writer, input).</summary>
        public const int SchedulingClassTimeCritical = 1;
        /// <summary>ThreadSchedulingClass: runs when no normal thread is ready, aging aside (priority 24).</summary>
        public const int SchedulingClassBackground = 2;
        /// <summary>Microseconds a time-critical thread may run without stopping before the kernel puts it back in the normal class.</summary>
        public const int TimeCriticalBurstMicroseconds = 2000;
    }
}
