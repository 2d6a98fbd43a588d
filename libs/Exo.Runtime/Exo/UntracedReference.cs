using System.Runtime.CompilerServices;

namespace Exo.Runtime
{
    /// <summary>
    /// A reference store without the write barrier. The compiler calls a barrier routine on every store of a
    /// reference into the heap so that a generational collector can track it; this runtime has no collector
    /// (objects never move and are freed explicitly), so on hot intrusive-list paths the call is pure cost.
    /// </summary>
    public static class UntracedReference
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(ref T location, T value) where T : class
            => Unsafe.As<T, nint>(ref location) = Unsafe.As<T, nint>(ref value);
    }
}
