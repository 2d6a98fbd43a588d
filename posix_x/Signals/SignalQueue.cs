using Exo.PosixX.KernelInterface;

namespace Exo.PosixX.Signals
{
    /// <summary>
    /// The further instances of real-time signals (32 and up), which Linux queues one per send where standard signals
    /// merge into one. The first instance of a pending signal is its pending bit and PendingInformation entry; those
    /// sent while it is still pending wait here in the order sent, each with its own information, and become the
    /// pending one in turn as the previous one is taken. One queue per process, for the process's signals (Target
    /// null) and its threads'; guarded by the process's lock. At most <see cref="Capacity"/> entries (Linux bounds
    /// them by RLIMIT_SIGPENDING, which is checked too): past that a send fails with EAGAIN. The entries (some 2.8 KiB)
    /// are allocated by the first instance queued: most processes never queue one, and every fork makes a queue.
    /// </summary>
    public sealed class SignalQueue
    {
        public const int Capacity = 64;

        private int[] _signals;
        private LinuxThread[] _targets;
        private SignalInformation[] _information;
        private int _count;

        /// <summary>How many instances wait (for /proc's SigQ and the limit).</summary>
        public int Count => _count;

        /// <summary>Queues one more instance of 'signal' for 'target' (null: the process); false when full.</summary>
        public bool Add(int signal, LinuxThread target, in SignalInformation information, ulong limit)
        {
            if (_count >= Capacity || (ulong)_count >= limit || (_information == null && !AllocateEntries()))
                return false;
            _signals[_count] = signal;
            _targets[_count] = target;
            _information[_count] = information;
            _count++;
            return true;
        }

        private bool AllocateEntries()
        {
            _signals = new int[Capacity];
            _targets = new LinuxThread[Capacity];
            _information = new SignalInformation[Capacity];
            if (_signals != null && _targets != null && _information != null)
                return true;
            FreeEntries();
            return false;   // out of memory: the send fails as a full queue's does (EAGAIN)
        }

        private void FreeEntries()
        {
            if (_signals != null)
                Exo.Runtime.ObjectAllocator.Free(_signals);
            if (_targets != null)
                Exo.Runtime.ObjectAllocator.Free(_targets);
            if (_information != null)
                Exo.Runtime.ObjectAllocator.Free(_information);
            _signals = null;
            _targets = null;
            _information = null;
        }

        /// <summary>Takes the oldest waiting instance of 'signal' for 'target', if there is one.</summary>
        public bool TakeNext(int signal, LinuxThread target, out SignalInformation information)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_signals[i] != signal || _targets[i] != target)
                    continue;
                information = _information[i];
                RemoveAt(i);
                return true;
            }
            information = default;
            return false;
        }

        /// <summary>Drops every waiting instance of the signals in 'set' (SIG_IGN set, SIGCONT's stops).</summary>
        public void Discard(ulong set)
        {
            for (int i = 0; i < _count;)
            {
                if ((Signal.Bit(_signals[i]) & set) != 0)
                    RemoveAt(i);
                else
                    i++;
            }
        }

        /// <summary>Drops every waiting instance for 'target' (a thread being released).</summary>
        public void DiscardFor(LinuxThread target)
        {
            for (int i = 0; i < _count;)
            {
                if (_targets[i] == target)
                    RemoveAt(i);
                else
                    i++;
            }
        }

        private void RemoveAt(int index)
        {
            for (int i = index + 1; i < _count; i++)
            {
                _signals[i - 1] = _signals[i];
                _targets[i - 1] = _targets[i];
                _information[i - 1] = _information[i];
            }
            _count--;
            _targets[_count] = null;
        }

        public void Free()
        {
            FreeEntries();
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
