using System;
using System.Runtime;
using Exo.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    internal static unsafe class ExceptionHelpers
    {
        // 'throw': there is no unwinding in this runtime, so a thrown exception ends in a runtime failure
        // that names the exception. The environment's handler turns it into a panic or a process exit.
        [RuntimeExport("RhpThrowEx")]
        internal static void RhpThrowEx(object exception)
        {
            Exception asException = exception as Exception;
            RuntimeFailure.Fail(asException != null ? asException.Message : null, exception);
        }

        [RuntimeExport("RhpRethrow")]
        internal static void RhpRethrow() => RuntimeFailure.Fail("rethrow without an active exception", null);

        [RuntimeExport("RhpFallbackFailFast")]
        internal static void RhpFallbackFailFast() => RuntimeFailure.Fail("fail-fast", null);

    }
}
