using Exo.Abi;
using Exo.Network;
using Exo.Protocols.Sockets;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;

namespace Netstack
{
    /// <summary>
    /// Native programs' socket channels (docs/network.md): a fixed pool, each with its own socket table. One channel at a
    /// time is offered to the kernel as <see cref="OfferName"/>; the kernel gives it to the first program that claims it
    /// (exo_std's SocketClientChannel), marks it Claimed and rings the service, which offers the next free one. When the
    /// program ends, the kernel marks it Gone: its sockets are closed (streams reset or close as a Close request would),
    /// its rings laid out again and the channel goes back to the pool. Channels are made once and reused, never unmapped:
    /// a process keeps at most 16 memory objects mapped, and the pool's are always the same.
    /// </summary>
    internal sealed class NativeClients
    {
        /// <summary>Native programs with sockets at once (each channel is 2 MiB of data slots): a fifth waits for a free one.</summary>
        public const int MaximumClients = 4;
        public const string OfferName = "network-native";
        private const byte Free = 0, Offered = 1, Claimed = 2;

        private readonly SocketServerChannel[] _channels = new SocketServerChannel[MaximumClients];
        private readonly SocketService[] _services = new SocketService[MaximumClients];
        private readonly byte[] _states = new byte[MaximumClients];

        private NativeClients() { }

        public static Error Create(Notification own, NetworkStack stack, TcpStack tcp, TcpSocketOwners owners, out NativeClients clients)
        {
            clients = new NativeClients();
            for (int i = 0; i < MaximumClients; i++)
            {
                Error error = SocketServerChannel.Create(own, out clients._channels[i]);
                if (error != Error.None)
                    return error;
                clients._services[i] = new SocketService(clients._channels[i], stack, tcp, owners);
            }
            return clients.OfferNext();
        }

        /// <summary>Follows the kernel's client states: a claim offers the next channel, an ended client's channel is emptied and freed.</summary>
        public void Update()
        {
            bool offered = false;
            for (int i = 0; i < MaximumClients; i++)
            {
                if (_states[i] == Free)
                    continue;   // the kernel changes only an offered or a claimed channel's state (this runs every turn)
                uint state = _channels[i].ClientState;
                if (_states[i] == Offered && state == SocketChannelLayout.ClientClaimed)
                    _states[i] = Claimed;
                else if (_states[i] != Free && state == SocketChannelLayout.ClientGone)
                {
                    _services[i].CloseAll();
                    _states[i] = _channels[i].Reset() ? Free : Claimed;   // a channel that cannot be reset is never offered again
                }
                offered |= _states[i] == Offered;
            }
            if (!offered)
                OfferNext();
        }

        private Error OfferNext()
        {
            for (int i = 0; i < MaximumClients; i++)
            {
                if (_states[i] != Free)
                    continue;
                Error error = _channels[i].OfferNative(OfferName);
                if (error == Error.None)
                    _states[i] = Offered;
                return error;
            }
            return Error.None;   // all are claimed: the next is offered when a client ends
        }

        /// <summary>Answers every claimed channel's waiting requests; true if any came.</summary>
        public bool ServeRequests()
        {
            bool any = false;
            for (int i = 0; i < MaximumClients; i++)
                if (_states[i] == Claimed)
                    any |= _services[i].ServeRequests();
            return any;
        }

        /// <summary>Posts the claimed channels' readiness changes and publishes them.</summary>
        public void PostChangesAndFlush()
        {
            for (int i = 0; i < MaximumClients; i++)
            {
                if (_states[i] != Claimed)
                    continue;
                _services[i].PostChanges();
                _channels[i].Flush();
            }
        }

        /// <summary>Announces sleep on every claimed channel's request ring: false (none left announced) if requests came meanwhile.</summary>
        public bool PrepareToSleep()
        {
            for (int i = 0; i < MaximumClients; i++)
            {
                if (_states[i] != Claimed || _channels[i].PrepareToSleep())
                    continue;
                for (int j = 0; j < i; j++)
                    if (_states[j] == Claimed)
                        _channels[j].FinishSleep();
                return false;
            }
            return true;
        }

        public void FinishSleep()
        {
            for (int i = 0; i < MaximumClients; i++)
                if (_states[i] == Claimed)
                    _channels[i].FinishSleep();
        }
    }
}
