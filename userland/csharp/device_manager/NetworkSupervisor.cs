using System.Threading;
using Exo.Abi;
using Exo.Protocols.NetworkDevice;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Memory;

namespace DeviceManager
{
    /// <summary>
    /// Watches one network card's pair of programs (virtio_net and its client). When the driver ends, the manager turns the
    /// device's bus mastering off, marks the channel's facts DriverGone, signals the client's DriverGoneBit and starts a
    /// driver again at once with the same channel: the client sees the error, resets the channel (empty rings) and goes on
    /// with the new driver, which waits for that reset before it touches the rings (NetworkChannel). The client keeps
    /// running, as the network service will need to (its sockets outlive a driver). When the client crashes, the driver is
    /// stopped (the rings hold the dead client's frames) and both start again with a fresh channel once both have ended.
    /// At most <see cref="RestartBudget.Maximum"/> restarts of either kind; a client that exits by itself (done, or failed) is not
    /// started again, and its driver keeps running.
    /// </summary>
    internal unsafe struct NetworkSupervisor
    {
        /// <summary>Cards the manager drives: two watch bits each (driver, client) above the disks' bits.</summary>
        public const int MaximumCards = 4;
        private const int FirstWatchBit = 2 * DiskSupervisor.MaximumDisks;

        private PciDevice _device;
        private int _address, _number;
        private RestartBudget _restarts;
        private byte* _client;
        private int _clientLength;
        private ProcessHandle _driver, _clientProcess;
        private NetworkPrograms.Channel _channel;
        private bool _driverRunning, _clientRunning, _restartWanted;

        public ulong DriverBit => 1UL << (FirstWatchBit + 2 * _number);
        public ulong ClientBit => 1UL << (FirstWatchBit + 2 * _number + 1);

        /// <summary>Starts the pair for card 'number' (netN) with the client program 'client' (none if empty) and watches
        /// both; false if the driver did not start.</summary>
        public bool Start(RootResource root, PciDevice device, int address, int number, byte* client, int clientLength, Notification ends)
        {
            _device = device;
            _address = address;
            _number = number;
            _client = client;
            _clientLength = clientLength;
            return StartPair(root, ends);
        }

        private bool StartPair(RootResource root, Notification ends)
        {
            _restartWanted = false;
            _driverRunning = _clientRunning = false;
            if (NetworkPrograms.CreateChannel(out _channel) != Error.None)
                return false;
            StartDriver(root, ends);
            if (_driverRunning && _clientLength > 0)
                _clientRunning = NetworkPrograms.StartClient(_channel, _number, _client, _clientLength, out _clientProcess) == Error.None
                    && _clientProcess.Watch(ends, ClientBit) == Error.None;
            return _driverRunning;
        }

        private void StartDriver(RootResource root, Notification ends)
        {
            _driverRunning = NetworkPrograms.StartDriver(root, _device, _address, _number, _channel, out _driver) == Error.None
                && _driver.Watch(ends, DriverBit) == Error.None;
        }

        /// <summary>Handles this card's bits of 'bits' (programs that ended): a driver started again for a client that
        /// lives, or the pair started again when both have ended.</summary>
        public void Handle(RootResource root, Notification ends, ulong bits)
        {
            if ((bits & DriverBit) != 0 && _driverRunning)
                DriverEnded(root, ends);
            if ((bits & ClientBit) != 0 && _clientRunning)
                ClientEnded();
            if (!_restartWanted || _driverRunning || _clientRunning)
                return;
            ReleaseChannel();
            if (CountRestart("virtio_net and its client for net", ""))
                StartPair(root, ends);
        }

        // Counts a restart and reports it; false (reported) when the card has had its restarts.
        private bool CountRestart(string what, string after)
        {
            _restartWanted = false;
            return _restarts.Take(what, _number, after, "net");
        }

        private void DriverEnded(RootResource root, Notification ends)
        {
            _driver.Wait(out long status);
            _driver.Close();
            _driverRunning = false;
            DriverLaunch.StopBusMastering(_device);
            Console.Write("devices: a virtio_net driver ended with status ");
            Console.Write(status);
            Console.WriteLine(", bus mastering turned off");
            if (!_clientRunning)
            {
                _restartWanted = true;   // the pair starts again with a fresh channel
                return;
            }
            // The facts first, then the bit: a client woken by the bit finds the flag set. The new driver waits until the
            // client has reset the channel.
            NetworkDeviceFacts* facts = (NetworkDeviceFacts*)(_channel.Shared + NetworkChannelLayout.FactsOffset);
            Volatile.Write(ref facts->DriverGone, 1u);
            _channel.Client.Signal(NetworkChannelLayout.DriverGoneBit);
            Write("told the client of net");
            Console.WriteLine(" that its driver is gone");
            if (CountRestart("virtio_net for net", ": its client keeps the channel"))
                StartDriver(root, ends);
        }

        private void ClientEnded()
        {
            _clientProcess.Wait(out long status);
            _clientProcess.Close();
            _clientRunning = false;
            Write("the client of net");
            ProcessHandle.WriteEnd(status);
            if (!ProcessHandle.IsKilled(status) && !ProcessHandle.IsFault(status))
            {
                // By itself: done, or it saw its driver go (then the driver's end asked for the restart).
                Console.WriteLine(_restartWanted ? "" : "; its driver keeps running");
                return;
            }
            Console.WriteLine();
            _restartWanted = true;
            if (_driverRunning)
            {
                DriverLaunch.StopBusMastering(_device);
                Write("stopping virtio_net for net");
                Console.WriteLine(": a new client gets a fresh channel");
                _driver.Kill();
            }
        }

        // The old pair's channel: both ends have gone, so the manager lets go of it too.
        private void ReleaseChannel()
        {
            VirtualMemory.Unmap(_channel.Shared, NetworkChannelLayout.Size);
            _channel.Memory.Close();
            _channel.Driver.Close();
            _channel.Client.Close();
            _channel = default;
        }

        // "devices: <before>N", the line's end left to the caller.
        private void Write(string before)
        {
            Console.Write("devices: ");
            Console.Write(before);
            Console.Write(_number);
        }
    }
}
