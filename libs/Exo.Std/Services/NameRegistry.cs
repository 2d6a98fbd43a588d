using Exo.Abi;

namespace Exo.Std.Services
{
    /// <summary>
    /// The name service's table: names bound to endpoint handles, each with the process (badge) that registered
    /// it. A name belongs to its first registrant: the same process may bind it again (init does, when it restarts
    /// a service with a new endpoint), any other process is refused, so a client cannot hijack a service.
    /// Fixed capacity, no allocation after construction.
    /// </summary>
    public sealed class NameRegistry
    {
        public const int Capacity = 32;

        private readonly ServiceName[] _names = new ServiceName[Capacity];
        private readonly uint[] _handles = new uint[Capacity];
        private readonly ulong[] _owners = new ulong[Capacity];
        private int _count;

        public int Count => _count;

        /// <summary>
        /// Binds 'name' to 'handle' for 'owner'. 'replaced': the handle it was bound to before (the caller closes
        /// it), or 0. AlreadyExists if another owner holds the name, OutOfMemory if the table is full.
        /// </summary>
        public Error Register(in ServiceName name, uint handle, ulong owner, out uint replaced)
        {
            replaced = 0;
            if (name.IsEmpty || handle == 0)
                return Error.Invalid;
            int index = IndexOf(name);
            if (index >= 0)
            {
                if (_owners[index] != owner)
                    return Error.AlreadyExists;
                replaced = _handles[index];
                _handles[index] = handle;
                return Error.None;
            }
            if (_count == Capacity)
                return Error.OutOfMemory;
            _names[_count] = name;
            _handles[_count] = handle;
            _owners[_count] = owner;
            _count++;
            return Error.None;
        }

        /// <summary>The handle bound to 'name'; false if none is.</summary>
        public bool TryLookup(in ServiceName name, out uint handle)
        {
            int index = IndexOf(name);
            handle = index >= 0 ? _handles[index] : 0;
            return index >= 0;
        }

        /// <summary>Unbinds 'name' if 'owner' registered it; 'handle' is the one to close.</summary>
        public Error Remove(in ServiceName name, ulong owner, out uint handle)
        {
            handle = 0;
            int index = IndexOf(name);
            if (index < 0)
                return Error.NotFound;
            if (_owners[index] != owner)
                return Error.AccessDenied;
            handle = _handles[index];
            _count--;
            _names[index] = _names[_count];
            _handles[index] = _handles[_count];
            _owners[index] = _owners[_count];
            return Error.None;
        }

        private int IndexOf(in ServiceName name)
        {
            for (int i = 0; i < _count; i++)
                if (_names[i].Equals(name))
                    return i;
            return -1;
        }
    }
}
