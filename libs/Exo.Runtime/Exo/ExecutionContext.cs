namespace Exo.Runtime
{
    /// <summary>
    /// Who is running: the environment installs a function that returns a non-zero identity for the current
    /// thread (the kernel: its Thread object's address). Used where the runtime must tell threads apart,
    /// such as class constructors that one thread runs while another waits.
    /// </summary>
    public static unsafe class ExecutionContext
    {
        private static delegate*<nuint> s_currentThread;

        public static void Install(delegate*<nuint> currentThread) => s_currentThread = currentThread;

        /// <summary>The current thread's identity, or 1 before an environment installed one (one thread).</summary>
        public static nuint CurrentThread => s_currentThread == null ? 1 : s_currentThread();
    }
}
