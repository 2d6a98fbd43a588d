using Exo.Network;

namespace Netstack
{
    /// <summary>
    /// Which client's socket each TCP connection is (the kernel's channel and the native clients share one stack): the
    /// stack lists the connections whose readiness may have changed (<see cref="TcpStack.TakeChangedSockets"/>), and
    /// this marks their sockets due, so that a turn posts events for those and does not poll every TCP socket of
    /// every client (about 180 instructions a socket a turn).
    /// </summary>
    internal sealed unsafe class TcpSocketOwners
    {
        private const int Batch = 16;
        private readonly TcpStack _tcp;
        // By connection slot (a handle's low 16 bits): the service and its table index; the handle itself tells a
        // slot's later connection from the one filed.
        private readonly SocketService[] _services;
        private readonly int[] _indexes;
        private readonly int[] _handles;

        public TcpSocketOwners(TcpStack tcp)
        {
            _tcp = tcp;
            _services = new SocketService[tcp.Table.Capacity];
            _indexes = new int[tcp.Table.Capacity];
            _handles = new int[tcp.Table.Capacity];
        }

        public void File(int handle, SocketService service, int index)
        {
            int slot = handle & 0xFFFF;
            _services[slot] = service;
            _indexes[slot] = index;
            _handles[slot] = handle;
        }

        public void Forget(int handle)
        {
            int slot = handle & 0xFFFF;
            if (_handles[slot] == handle)
                _services[slot] = null;
        }

        /// <summary>Marks due every filed socket the stack lists as changed since the last call.</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the stack writes the handles before they are read
        public void MarkChanged()
        {
            int* handles = stackalloc int[Batch];
            int count;
            do
            {
                count = _tcp.TakeChangedSockets(handles, Batch);
                for (int i = 0; i < count; i++)
                {
                    int slot = handles[i] & 0xFFFF;
                    if (_handles[slot] == handles[i])
                        _services[slot]?.MarkDue(_indexes[slot]);
                }
            } while (count == Batch);
        }
    }
}
