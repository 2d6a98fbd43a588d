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

    internal static unsafe class ClassConstructorRunner
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

        // Constructors running now: their context and the thread running them. A thread that finds a
        // constructor running goes on only if it is the runner (a constructor may read its own statics, as in
        // .NET); any other thread waits until it has finished.
        private const int RunningCapacity = 64;
        private unsafe struct RunningTable { public fixed ulong Contexts[RunningCapacity]; public fixed ulong Owners[RunningCapacity]; }
        private static RunningTable s_running;
        private static int s_tableLock;

        private static unsafe void CheckStaticClassConstruction(ref StaticClassConstructionContext context)
        {
            ulong address = (ulong)Unsafe.AsPointer(ref context);
            nuint self = Exo.Runtime.ExecutionContext.CurrentThread;
            while (true)
            {
                IntPtr state = context.cctorMethodAddress;
                if (state == (IntPtr)0)
                    return;
                if (state == (IntPtr)1)
                {
                    if (OwnerOf(address) == self)
                        return;
                    continue;   // another thread runs it: wait (preemption lets it finish on this processor)
                }
                if (Interlocked.CompareExchange(ref context.cctorMethodAddress, (IntPtr)1, state) == state)
                {
                    int slot = Track(address, self);
                    ((delegate*<void>)state)();
                    Interlocked.MemoryBarrier();
                    Untrack(slot);
                    context.cctorMethodAddress = (IntPtr)0;
                    return;
                }
            }
        }

        private static void LockTable()
        {
            while (Interlocked.CompareExchange(ref s_tableLock, 1, 0) != 0) { }
        }

        private static void UnlockTable() => Volatile.Write(ref s_tableLock, 0);

        private static unsafe nuint OwnerOf(ulong context)
        {
            LockTable();
            nuint owner = 0;
            for (int i = 0; i < RunningCapacity; i++)
                if (s_running.Contexts[i] == context)
                    owner = (nuint)s_running.Owners[i];
            UnlockTable();
            return owner;
        }

        private static unsafe int Track(ulong context, nuint owner)
        {
            LockTable();
            for (int i = 0; i < RunningCapacity; i++)
            {
                if (s_running.Contexts[i] == 0)
                {
                    s_running.Contexts[i] = context;
                    s_running.Owners[i] = owner;
                    UnlockTable();
                    return i;
                }
            }
            UnlockTable();
            Exo.Runtime.RuntimeFailure.Fail("more than 64 class constructors running at once", null);
            return -1;
        }

        private static unsafe void Untrack(int slot)
        {
            LockTable();
            s_running.Contexts[slot] = 0;
            s_running.Owners[slot] = 0;
            UnlockTable();
        }
    }
}
