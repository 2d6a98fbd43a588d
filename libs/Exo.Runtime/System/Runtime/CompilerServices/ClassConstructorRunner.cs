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
                    // Another CPU runs this constructor. On one CPU, reaching here means the constructor
                    // depends on itself: report it instead of spinning for ever.
                    Exo.Runtime.RuntimeFailure.Fail("class constructor re-entered while it runs", null);
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
