using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;

namespace DeviceManager
{
    /// <summary>
    /// Watches one disk's pair of programs (virtio_blk and its extfs) and starts the pair again when either crashes.
    /// Both go together, with a fresh channel: a dead driver leaves its client waiting for completions that never come
    /// (so the manager kills that extfs, and the kernel gives the mount's callers EIO), and a dead client leaves requests
    /// in the channel's rings that a new client would meet (so the manager stops the driver, after turning the device's
    /// bus mastering off, and the new driver resets the device). The pair starts again only once both ends have been
    /// seen (each process signals its watch bit once, after it has ended: a bit is never taken for a later process),
    /// at most <see cref="RestartBudget.Maximum"/> times. An extfs that exits by itself (no file system on the disk, a refused
    /// offer) is reported and not started again: that would fail the same way.
    /// </summary>
    internal unsafe struct DiskSupervisor
    {
        /// <summary>Disks the manager drives: each extfs takes one of the kernel's 8 offered names (memfs has one), and
        /// two watch bits (driver, file system) of one 64-bit notification.</summary>
        public const int MaximumDisks = 4;

        private PciDevice _device;
        private int _address, _number;
        private RestartBudget _restarts;
        private ProcessHandle _driver, _fileSystem;
        private bool _driverRunning, _fileSystemRunning, _restartWanted;

        public ulong DriverBit => 1UL << (2 * _number);
        public ulong FileSystemBit => 1UL << (2 * _number + 1);

        /// <summary>Starts the pair for disk 'number' (diskN) and watches both; false if the driver did not start.</summary>
        public bool Start(RootResource root, PciDevice device, int address, int number, Notification ends)
        {
            _device = device;
            _address = address;
            _number = number;
            return StartPair(root, ends);
        }

        private bool StartPair(RootResource root, Notification ends)
        {
            _restartWanted = false;
            Error error = DiskPrograms.Start(root, _device, _address, _number, out _driver, out _fileSystem, out Error fileSystemError);
            _driverRunning = error == Error.None && _driver.Watch(ends, DriverBit) == Error.None;
            _fileSystemRunning = fileSystemError == Error.None && _fileSystem.Watch(ends, FileSystemBit) == Error.None;
            return _driverRunning;
        }

        /// <summary>Handles this disk's bits of 'bits' (programs that ended), and restarts the pair when both have.</summary>
        public void Handle(RootResource root, Notification ends, ulong bits)
        {
            if ((bits & DriverBit) != 0 && _driverRunning)
                DriverEnded();
            if ((bits & FileSystemBit) != 0 && _fileSystemRunning)
                FileSystemEnded();
            if (!_restartWanted || _driverRunning || _fileSystemRunning)
                return;
            _restartWanted = false;
            if (!_restarts.Take("virtio_blk and extfs for disk", _number, "", "disk"))
                return;
            StartPair(root, ends);
        }

        private void DriverEnded()
        {
            _driver.Wait(out long status);
            _driver.Close();
            _driverRunning = false;
            DriverLaunch.StopBusMastering(_device);   // its DMA memory is gone with it: the device must not write there any more (no IOMMU)
            Console.Write("devices: a virtio_blk driver ended with status ");
            Console.Write(status);
            Console.WriteLine(", bus mastering turned off");
            _restartWanted = true;
            if (_fileSystemRunning)
            {
                Write("stopping extfs disk");
                Console.WriteLine(", whose driver ended");
                _fileSystem.Kill();   // it waits for completions that will never come; its end is seen like any other
            }
        }

        private void FileSystemEnded()
        {
            _fileSystem.Wait(out long status);
            _fileSystem.Close();
            _fileSystemRunning = false;
            Write("extfs disk");
            ProcessHandle.WriteEnd(status);
            if (!ProcessHandle.IsKilled(status) && !ProcessHandle.IsFault(status))
            {
                // By itself: it would fail the same way again (unless its driver's end asked for a restart).
                Console.WriteLine(_restartWanted ? "" : "; not started again");
                return;
            }
            Console.WriteLine();
            _restartWanted = true;
            if (_driverRunning)
            {
                DriverLaunch.StopBusMastering(_device);
                Write("stopping virtio_blk for disk");
                Console.WriteLine(": a new extfs gets a fresh channel");
                _driver.Kill();
            }
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
