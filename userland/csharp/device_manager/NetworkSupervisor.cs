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
    /// Watches one network card's pair of programs (virtio_net and its client) and starts the pair again, with a fresh
    /// channel, when either crashes, as DiskSupervisor does for a disk. When the driver ends, the manager turns the
    /// device's bus mastering off, marks the channel's facts DriverGone and signals the client's DriverGoneBit: the client
    /// sees the error (the rings will never move again) and ends, and the pair starts again once both have ended. When
    /// the client crashes, the driver is stopped (the rings hold the dead client's frames). At most
    /// <see cref="MaximumRestarts"/> times; a client that exits by itself (done, or failed) is not
    /// started again, and its driver keeps running.
    /// </summary>
    internal unsafe struct NetworkSupervisor
    {
        public const int MaximumRestarts = 3;
        /// <summary>Cards the manager drives: two watch bits each (driver, client) above the disks' bits.</summary>
        public const int MaximumCards = 4;
        private const int FirstWatchBit = 2 * DiskSupervisor.MaximumDisks;

        private PciDevice _device;
        private int _address, _number, _restarts;
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
            Error error = NetworkPrograms.Start(root, _device, _address, _number, _client, _clientLength,
                out _driver, out _clientProcess, out Error clientError, out _channel);
            _driverRunning = error == Error.None && _driver.Watch(ends, DriverBit) == Error.None;
            _clientRunning = clientError == Error.None && _clientProcess.Watch(ends, ClientBit) == Error.None;
            return _driverRunning;
        }

        /// <summary>Handles this card's bits of 'bits' (programs that ended), and restarts the pair when both have.</summary>
        public void Handle(RootResource root, Notification ends, ulong bits)
        {
            if ((bits & DriverBit) != 0 && _driverRunning)
                DriverEnded();
            if ((bits & ClientBit) != 0 && _clientRunning)
                ClientEnded();
            if (!_restartWanted || _driverRunning || _clientRunning)
                return;
            ReleaseChannel();
            if (_restarts == MaximumRestarts)
            {
                Write("gave up on net");
                Console.Write(" after ");
                Console.Write(MaximumRestarts);
                Console.WriteLine(" restarts");
                _restartWanted = false;
                return;
            }
            _restarts++;
            Write("restarting virtio_net and its client for net");
            Console.Write(" (restart ");
            Console.Write(_restarts);
            Console.Write(" of ");
            Console.Write(MaximumRestarts);
            Console.WriteLine(")");
            StartPair(root, ends);
        }

        private void DriverEnded()
        {
            _driver.Wait(out long status);
            _driver.Close();
            _driverRunning = false;
            DriverLaunch.StopBusMastering(_device);
            Console.Write("devices: a virtio_net driver ended with status ");
            Console.Write(status);
            Console.WriteLine(", bus mastering turned off");
            _restartWanted = true;
            if (_clientRunning)
            {
                // The facts first, then the bit: a client woken by the bit finds the flag set.
                NetworkDeviceFacts* facts = (NetworkDeviceFacts*)(_channel.Shared + NetworkChannelLayout.FactsOffset);
                Volatile.Write(ref facts->DriverGone, 1u);
                _channel.Client.Signal(NetworkChannelLayout.DriverGoneBit);
                Write("told the client of net");
                Console.WriteLine(" that its driver is gone");
            }
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
