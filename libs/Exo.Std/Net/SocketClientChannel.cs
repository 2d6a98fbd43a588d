using Exo.Abi;
using Exo.Protocols.Sockets;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace Exo.Std.Net
{
    /// <summary>
    /// A native program's own socket channel to the network service (docs/network.md): the same protocol, layout and
    /// ring code (Exo.Protocols.Sockets.SocketClientRings) as the kernel's end for POSIX-X. <see cref="Open"/> claims the
    /// channel netstack offers (the SocketClaim call) and maps it; <see cref="TcpSocket"/> and <see cref="UdpSocket"/>
    /// make their requests through it. For one thread: one request waited for at a time, always under tag slot 0, so
    /// the data slot a zero-copy send fills or a zero-copy receive reads (<see cref="Data"/>) is the caller's until its
    /// next request; closes are posted under the other tags and not waited for (<see cref="Post"/>). The service is not trusted: completions and events are copied out of shared memory and decoded,
    /// and a request unanswered for <see cref="ReplyTimeoutMilliseconds"/> or a malformed record breaks the channel
    /// (NetworkDown from then on). Everything is allocated by Open; no call allocates after it.
    /// </summary>
    public sealed unsafe class SocketClientChannel
    {
        /// <summary>The name netstack offers native channels under.</summary>
        public const string ServiceName = "network-native";
        /// <summary>Sockets this program holds at once (the readiness table's size: ids of the service's first slots).</summary>
        public const int MaximumSockets = 256;
        /// <summary>How long the service may take over one request (it never waits for the network: it answers WouldBlock).</summary>
        public const long ReplyTimeoutMilliseconds = 5000;
        /// <summary>How long Open waits for the service to offer a channel (it offers the next one as soon as one is claimed).</summary>
        public const long OfferTimeoutMilliseconds = 5000;
        private const uint Slot = 0;

        private MemoryObject _memory;
        private Notification _service, _own;
        private byte* _shared;
        private SocketClientRings _rings;
        private uint _generation;
        private bool _broken;
        private readonly uint[] _ids = new uint[MaximumSockets];
        private readonly uint[] _readiness = new uint[MaximumSockets];
        private readonly ushort[] _errors = new ushort[MaximumSockets];
        private readonly int[] _changes = new int[MaximumSockets];
        // Requests posted and not yet answered: a bit per tag slot (1 to 31), with the tag each was sent under.
        private uint _posted;
        private readonly uint[] _postedTags = new uint[SocketChannelLayout.MaximumInFlight];

        private SocketClientChannel() { }

        /// <summary>
        /// Claims a channel of the network service's: NotFound when no network service runs (or every channel it has is
        /// taken: each ends with its program), AlreadyExists when this process holds one, Invalid for rings of another shape.
        /// </summary>
        public static Error Open(out SocketClientChannel channel)
        {
            channel = null;
            byte* name = stackalloc byte[ServiceName.Length];
            for (int i = 0; i < ServiceName.Length; i++)
                name[i] = (byte)ServiceName[i];
            uint* handles = stackalloc uint[3];
            long deadline = MonotonicClock.Milliseconds + OfferTimeoutMilliseconds;
            Error error;
            while (true)
            {
                error = SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.SocketClaim, (ulong)name, (ulong)ServiceName.Length, (ulong)handles));
                if (error != Error.NotFound || MonotonicClock.Milliseconds > deadline)
                    break;
                Process.Yield();   // another program claimed the last offer a moment ago: netstack offers the next
            }
            if (error != Error.None)
                return error;
            var made = new SocketClientChannel
            {
                _memory = new MemoryObject(new Handle(handles[0])),
                _service = new Notification(new Handle(handles[1])),
                _own = new Notification(new Handle(handles[2])),
            };
            error = made._memory.Map(true, out made._shared);
            if (error != Error.None)
                return error;
            byte* shared = made._shared;
            if (!made._rings.Attach(shared + SocketChannelLayout.RequestRingOffset, shared + SocketChannelLayout.CompletionRingOffset,
                    shared + SocketChannelLayout.EventRingOffset))
                return Error.Invalid;
            channel = made;
            return Error.None;
        }

        /// <summary>The data slot (SocketChannelLayout.DataSlotSize bytes, shared with the service): what the next send
        /// carries, what the last receive brought.</summary>
        public byte* Data => _shared + SocketChannelLayout.DataOffsetOf(Slot);

        public bool IsBroken => _broken;

        /// <summary>
        /// Sends 'request' and waits for its completion (Error.None: the completion's Status is the operation's result),
        /// NetworkDown once the channel is broken. A completion that makes a socket (Create, Accept, a Connect without a
        /// socket) files it first.
        /// </summary>
        public Error Exchange(ref SocketRequest request, out SocketCompletion completion)
        {
            completion = default;
            if (_broken)
                return Error.NetworkDown;
            uint tag = (++_generation << 5) | Slot;
            request.Tag = tag;
            bool makesEvenOnError = request.MakesItsSocket;
            bool registers = request.Operation == SocketOperation.Create || request.Operation == SocketOperation.Accept || makesEvenOnError;
            while (true)
            {
                if (_rings.TrySend(ref request, out bool wake))
                {
                    if (wake)
                        _service.Signal(SocketChannelLayout.RequestBit);
                    break;
                }
                if (request.Check() != SocketMessageProblem.None)
                    return Error.Invalid;   // a request the protocol refuses is never sent
                Process.Yield();   // the service has answered but not yet freed the request's ring slot
            }
            ulong deadline = 0;   // read only when the answer is not there at once (ClockRead is a system call)
            while (true)
            {
                Error error = Drain(tag, registers, makesEvenOnError, ref completion, out bool done);
                if (error != Error.None)
                    return error;
                if (done)
                    return Error.None;
                if (deadline == 0)
                    deadline = MonotonicClock.Nanoseconds + (ulong)ReplyTimeoutMilliseconds * 1_000_000UL;
                if (Sleep(deadline) == Error.TimedOut)
                    return Break();
            }
        }

        /// <summary>
        /// Sends 'request' (one with no data: a close) under a tag of its own and does not wait for its answer, which a
        /// later drain takes; with every other tag in flight it is exchanged as usual. Linux's close does not report
        /// the protocol's outcome either, and the service takes the close with the program's next request.
        /// </summary>
        public Error Post(ref SocketRequest request)
        {
            if (_broken)
                return Error.NetworkDown;
            uint free = ~_posted & ~1u;   // tag slots 1 to 31 (MaximumInFlight is a uint's 32 bits)
            if (free == 0 || request.DataLength != 0)
            {
                Error error = Exchange(ref request, out SocketCompletion completion);
                return error != Error.None ? error : (Error)completion.Status;
            }
            uint slot = (uint)System.Numerics.BitOperations.TrailingZeroCount(free);
            uint tag = (++_generation << 5) | slot;
            request.Tag = tag;
            bool wake;
            while (!_rings.TrySend(ref request, out wake))
            {
                // Encode checks the request: looked at again only when it was not sent, as Exchange does.
                if (request.Check() != SocketMessageProblem.None)
                    return Error.Invalid;
                Process.Yield();   // the service has answered but not yet freed a request's ring slot
            }
            _postedTags[slot] = tag;
            _posted |= 1u << (int)slot;
            if (wake)
                _service.Signal(SocketChannelLayout.RequestBit);
            return Error.None;
        }

        /// <summary>A socket's readiness (SocketReadiness bits), pending error and changes counter as the last event said.</summary>
        public uint ReadinessOf(uint socket, out ushort pendingError, out int changes)
        {
            int index = IndexOf(socket);
            pendingError = index >= 0 ? _errors[index] : (ushort)0;
            changes = index >= 0 ? _changes[index] : 0;
            return index >= 0 ? _readiness[index] : 0;
        }

        /// <summary>Waits until an event has changed 'socket' since the caller saw 'seen' changes (NetworkDown once broken).</summary>
        public Error WaitForChange(uint socket, int seen)
        {
            while (!_broken)
            {
                ReadinessOf(socket, out _, out int changes);
                if (changes != seen)
                    return Error.None;
                SocketCompletion none = default;
                Error error = Drain(0, false, false, ref none, out _);
                if (error != Error.None)
                    return error;
                ReadinessOf(socket, out _, out changes);
                if (changes != seen)
                    return Error.None;
                Sleep(0);
            }
            return Error.NetworkDown;
        }

        /// <summary>Takes the socket out of the readiness table (before its Close is sent: the id may be given again).</summary>
        public void Forget(uint socket)
        {
            int index = IndexOf(socket);
            if (index >= 0)
                _ids[index] = 0;
        }

        // Takes every completion (the one for 'tag', if any, into 'completion') and then every event; a record that does
        // not decode or answers nothing asked breaks the channel.
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the record is read only after TryRead filled it
        private Error Drain(uint tag, bool registers, bool makesEvenOnError, ref SocketCompletion completion, out bool done)
        {
            done = false;
            byte* record = stackalloc byte[SocketCompletion.Length];
            while (_rings.Completions.TryRead(record))
            {
                if (SocketCompletion.Decode(record, out SocketCompletion answer) != SocketMessageProblem.None)
                    return Break();
                int posted = (int)(answer.Tag & (SocketChannelLayout.MaximumInFlight - 1));
                if (posted != 0 && (_posted & (1u << posted)) != 0 && _postedTags[posted] == answer.Tag)
                {
                    _posted &= ~(1u << posted);   // a posted close's answer: nobody waits for it
                    continue;
                }
                if (tag == 0 || answer.Tag != tag || done)
                    return Break();
                // A Connect that made its socket gives its id with an error too (the socket stays after a failed connect).
                if (registers && (answer.Status == 0 || (makesEvenOnError && answer.Value != 0)) && !Register(answer.Value))
                {
                    answer.Status = (ushort)Error.TooManyFiles;   // the caller closes the service's socket (Value is kept)
                }
                completion = answer;
                done = true;
            }
            _rings.Completions.Release();
            while (_rings.Events.TryRead(record))
            {
                if (SocketEvent.Decode(record, out SocketEvent change) != SocketMessageProblem.None)
                    return Break();
                int index = IndexOf(change.Socket);
                if (index < 0)
                    continue;   // a socket closed meanwhile: its late events go nowhere
                _readiness[index] = change.Readiness;
                _errors[index] = change.PendingError;
                _changes[index]++;
            }
            _rings.Events.Release();
            return Error.None;
        }

        // The service's ids are (its table index + 1) | generation << 16: this table is indexed the same way, so a
        // program's first MaximumSockets sockets fit.
        private bool Register(ulong id)
        {
            int index = (int)(id & 0xFFFF) - 1;
            if (id == 0 || id > uint.MaxValue || index < 0 || index >= MaximumSockets || _ids[index] != 0)
                return false;
            _ids[index] = (uint)id;
            _readiness[index] = 0;
            _errors[index] = 0;
            _changes[index] = 0;
            return true;
        }

        private int IndexOf(uint id)
        {
            int index = (int)(id & 0xFFFF) - 1;
            return index >= 0 && index < MaximumSockets && id != 0 && _ids[index] == id ? index : -1;
        }

        // Announces sleep on both rings (so the service rings the notification after publishing), then waits until a
        // signal or the deadline (monotonic nanoseconds; 0: none). TimedOut once the deadline has passed.
        private Error Sleep(ulong deadline)
        {
            if (!_rings.Completions.PrepareToSleep())
                return Error.None;
            if (!_rings.Events.PrepareToSleep())
            {
                _rings.Completions.FinishSleep();
                return Error.None;
            }
            Error error = deadline == 0 ? _own.Wait(out _) : _own.WaitUntil(deadline, out _);
            _rings.Completions.FinishSleep();
            _rings.Events.FinishSleep();
            return error;
        }

        private Error Break()
        {
            _broken = true;
            return Error.NetworkDown;
        }
    }
}
