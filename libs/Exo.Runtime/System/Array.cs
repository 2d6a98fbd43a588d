using System.Runtime.CompilerServices;

namespace System
{
    // Layout fixed by the compiler: MethodTable*, uint length, uint padding, elements.
    public abstract class Array
    {
        private uint _numComponents;
        public int Length => (int)_numComponents;
    }

    // Arrays of T derive from this for the compiler's type system (T[] : Array<T>).
    public class Array<T> : Array { }
}
