namespace Exo.Runtime
{
    /// <summary>
    /// The end of every unrecoverable runtime error: a thrown exception (there is no unwinding), a failed
    /// runtime check, running out of memory in <c>new</c>. The environment installs a handler: the kernel
    /// panics, a user program exits with a report.
    /// </summary>
    public static unsafe class RuntimeFailure
    {
        // (reason, exception or null, address of the failing code or 0). Must not return.
        private static delegate*<string, object, nuint, void> s_handler;

        public static void Install(delegate*<string, object, nuint, void> handler) => s_handler = handler;

        public static void Fail(string reason, object exception) => Fail(reason, exception, 0);

        public static void Fail(string reason, object exception, nuint address)
        {
            if (s_handler != null)
                s_handler(reason, exception, address);
            while (true) { }
        }
    }
}
