using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Audio;

namespace DeviceManager
{
    /// <summary>
    /// Watches an HD Audio controller's pair (intel_hda and the audio service). When the driver ends, the manager turns
    /// bus mastering off, marks the facts DriverGone and signals the service, which ends every stream with an error and
    /// clears the facts; a new driver (started at once) waits for that, then sets the device up again. When the service
    /// ends, it is started again with the same channel and a fresh endpoint under the same name (its clients' streams ended with it: they see no
    /// progress and give up), and the driver keeps playing whatever the ring holds (silence: the service wrote a guard).
    /// At most <see cref="RestartBudget.Maximum"/> restarts.
    /// </summary>
    internal unsafe struct AudioSupervisor
    {
        public const int MaximumControllers = 1;
        private const int FirstWatchBit = 2 * DiskSupervisor.MaximumDisks + 2 * NetworkSupervisor.MaximumCards;
        private const ulong DriverGoneBit = 2;

        private PciDevice _device;
        private int _address, _number;
        private RestartBudget _restarts;
        private ProcessHandle _driver, _service;
        private Endpoint _names;
        private AudioPrograms.Channel _channel;
        private bool _driverRunning, _serviceRunning;

        public ulong DriverBit => 1UL << (FirstWatchBit + 2 * _number);
        public ulong ServiceBit => 1UL << (FirstWatchBit + 2 * _number + 1);

        public bool Start(RootResource root, PciDevice device, int address, int number, Endpoint names, Notification ends)
        {
            _device = device;
            _address = address;
            _number = number;
            _names = names;
            Error error = AudioPrograms.CreateChannel(root, names, out _channel);
            if (error != Error.None)
            {
                Console.Write("devices: cannot make the audio channel: ");
                Console.WriteLine(Errors.Describe(error));
                return false;
            }
            StartDriver(root, ends);
            if (_driverRunning)
                StartService(ends);
            return _driverRunning;
        }

        private void StartDriver(RootResource root, Notification ends)
        {
            _driverRunning = AudioPrograms.StartDriver(root, _device, _address, _number, _channel, out _driver) == Error.None
                && _driver.Watch(ends, DriverBit) == Error.None;
        }

        private void StartService(Notification ends)
        {
            _serviceRunning = AudioPrograms.StartService(_channel, _number, out _service) == Error.None
                && _service.Watch(ends, ServiceBit) == Error.None;
        }

        public void Handle(RootResource root, Notification ends, ulong bits)
        {
            if ((bits & DriverBit) != 0 && _driverRunning)
            {
                _driver.Wait(out long status);
                _driver.Close();
                _driverRunning = false;
                DriverLaunch.StopBusMastering(_device);
                Console.Write("devices: an intel_hda driver ended with status ");
                Console.Write(status);
                Console.WriteLine(", bus mastering turned off; the audio service told");
                Volatile.Write(ref ((AudioDeviceFacts*)_channel.SharedFacts)->DriverGone, 1u);
                _channel.Service.Signal(DriverGoneBit);
                if (CountRestart("intel_hda for audio"))
                    StartDriver(root, ends);
            }
            if ((bits & ServiceBit) != 0 && _serviceRunning)
            {
                _service.Wait(out long status);
                _service.Close();
                _serviceRunning = false;
                Console.Write("devices: the audio service");
                ProcessHandle.WriteEnd(status);
                Console.WriteLine();
                _channel.Endpoint.Close();
                if (AudioPrograms.CreateEndpoint(_names, out _channel.Endpoint) == Error.None && CountRestart("the audio service for audio"))
                    StartService(ends);
            }
        }

        private bool CountRestart(string what) => _restarts.Take(what, _number, "", "audio");
    }
}
