namespace System.Collections
{
    // The compiler needs these to exist for foreach over arrays (which it lowers to an index loop).
    public interface IEnumerable
    {
        IEnumerator GetEnumerator();
    }

    public interface IEnumerator
    {
        bool MoveNext();
        object Current { get; }
        void Reset();
    }
}
