using System.Threading;

namespace System.Runtime.CompilerServices
{
    // The compiler stores each lazily-initialised type's class constructor address in a context in the image
    // and calls these before the first access to the type's statics.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct StaticClassConstructionContext
    {
        // The class constructor's address; 1 while it runs; 0 once it has run.
        public volatile IntPtr cctorMethodAddress;
    }

    internal static class ClassConstructorRunner
    {
        private static object CheckStaticClassConstructionReturnGCStaticBase(ref StaticClassConstructionContext context, object gcStaticBase)
        {
            CheckStaticClassConstruction(ref context);
            return gcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(ref StaticClassConstructionContext context, IntPtr nonGcStaticBase)
        {
            CheckStaticClassConstruction(ref context);
            return nonGcStaticBase;
        }

        private static unsafe void CheckStaticClassConstruction(ref StaticClassConstructionContext context)
        {
            while (true)
            {
                IntPtr state = context.cctorMethodAddress;
                if (state == (IntPtr)0)
                    return;
                if (state == (IntPtr)1)
                {
                    // The constructor is running and reads its own statics (legal in .NET: the running
                    // thread sees them as they are). With one CPU running C# at start-up, the runner can only
                    // be us. TODO(SMP): record the owning thread and make other CPUs wait.
                    return;
                }
                if (Interlocked.CompareExchange(ref context.cctorMethodAddress, (IntPtr)1, state) == state)
                {
                    ((delegate*<void>)state)();
                    Interlocked.MemoryBarrier();
                    context.cctorMethodAddress = (IntPtr)0;
                    return;
                }
            }
        }
    }
}
