using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Protocols.Display;
using Exo.Protocols.Input;

namespace DeviceManager
{
    /// <summary>
    /// Starts the desktop's programs when the manager's configuration names a display client (its second argument) and a
    /// Bochs VBE display is there (QEMU's std-vga or bochs-display): display_bochs with only its device's capabilities,
    /// ps2_input with only the i8042's ports (0x60, 0x64) and interrupt lines (1, 12), virtio_input for the first virtio
    /// tablet if there is one, and the client ("CLIENT display0": the compositor; display_demo in the drivers' tests)
    /// with the client's side of every channel and the framebuffer. The manager keeps the devices while it lists the bus
    /// (<see cref="Keep"/>), then starts them all (<see cref="Start"/>). It makes the channels (a page each,
    /// libs/Exo.Protocols/Display and Input) and one notification the client waits on, which the drivers may only signal.
    /// The client is supervised: the manager keeps its handles and, when it ends, starts it again with the same ones (the
    /// drivers go on; the channels keep the mode and the rings' positions; its own clients reconnect under the same
    /// service name), at most <see cref="RestartBudget.Maximum"/> times. The drivers are not supervised yet.
    /// </summary>
    internal unsafe struct DesktopPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumHandles = 16;
        private const int FramebufferBar = 0;
        private const ulong KeyboardIrq = 1, MouseIrq = 12;
        /// <summary>virtio_input's queue and buffers (VirtioInputDevice.DmaBytes).</summary>
        private const ulong TabletDmaBytes = 8192;
        /// <summary>QEMU's std-vga (class 0300) and bochs-display (class 0380): the same identity, the Bochs VBE registers.</summary>
        private const uint BochsDisplay = 0x1111u << 16 | 0x1234;
        /// <summary>A modern virtio-input device (QEMU's virtio-tablet-pci).</summary>
        private const uint VirtioInput = 0x1052u << 16 | 0x1AF4;

        /// <summary>The bit the display client's end sets on the manager's notification (after the disks', cards' and audio's).</summary>
        public const ulong ClientBit = 1UL << (2 * DiskSupervisor.MaximumDisks + 2 * NetworkSupervisor.MaximumCards + 2 * AudioSupervisor.MaximumControllers);

        // What the client is started with, kept for its restarts.
        private fixed byte _clientName[CommandCapacity];
        private int _clientNameLength;
        private RestartBudget _restarts;
        private PhysicalRange _framebuffer;
        private MemoryObject _displayPage, _inputPage, _tabletPage;
        private Notification _own, _displayDriver, _inputDriver, _tabletDriver;
        private ProcessHandle _client;
        private bool _clientRunning;

        private PciDevice _display, _tablet;
        private int _displayAddress, _tabletAddress;
        private bool _hasDisplay, _hasTablet;

        private BootFramebuffer _boot;
        private bool _hasBootFramebuffer;

        /// <summary>Use the boot loader's framebuffer even when a Bochs display is there (the manager's fourth argument
        /// "boot-framebuffer": how the tests reach the fallback on QEMU's std-vga).</summary>
        public bool PreferBootFramebuffer;
        /// <summary>The client is started as "CLIENT display0 bench" (make bench's desktop boot: the compositor's rows).</summary>
        public bool BenchClient;

        /// <summary>A display to start the desktop on: a Bochs VBE device, or else the boot loader's framebuffer.</summary>
        public bool HasDisplay => _hasDisplay || _hasBootFramebuffer;

        /// <summary>What the boot loader's framebuffer must be to serve: direct RGB at 32 bits per pixel, page aligned.</summary>
        private struct BootFramebuffer
        {
            public ulong Address, Pitch, Width, Height, Bytes;
        }

        /// <summary>Looks for the boot loader's framebuffer when no Bochs display was kept (the fallback).</summary>
        public void FindBootFramebuffer(RootResource root)
        {
            if (_hasDisplay)
                return;
            const ulong directRgb = 1, pageSize = 4096;
            if (root.QueryFramebuffer(FramebufferField.Type, out ulong type) != Error.None || type != directRgb
                || root.QueryFramebuffer(FramebufferField.BitsPerPixel, out ulong bits) != Error.None || bits != DisplayModes.BitsPerPixel
                || root.QueryFramebuffer(FramebufferField.Address, out _boot.Address) != Error.None || (_boot.Address & (pageSize - 1)) != 0
                || root.QueryFramebuffer(FramebufferField.Pitch, out _boot.Pitch) != Error.None
                || root.QueryFramebuffer(FramebufferField.Width, out _boot.Width) != Error.None
                || root.QueryFramebuffer(FramebufferField.Height, out _boot.Height) != Error.None)
                return;
            _boot.Bytes = (_boot.Pitch * _boot.Height + pageSize - 1) & ~(pageSize - 1);
            _hasBootFramebuffer = _boot.Bytes != 0;
        }

        /// <summary>The drivers Start starts: the display's, ps2_input, and the tablet's if there is one.</summary>
        public int Drivers => _hasTablet ? 3 : 2;

        /// <summary>Keeps the first display and the first tablet the scan finds (true: kept; false: not one of them).</summary>
        public bool Keep(PciDevice device, int address, uint identity)
        {
            if (identity == BochsDisplay && !_hasDisplay && !PreferBootFramebuffer)
            {
                _display = device;
                _displayAddress = address;
                return _hasDisplay = true;
            }
            if (identity == VirtioInput && !_hasTablet)
            {
                _tablet = device;
                _tabletAddress = address;
                return _hasTablet = true;
            }
            return false;
        }

        /// <summary>Gives back what Keep kept (no display: nothing to start).</summary>
        public void Close()
        {
            if (_hasDisplay)
                _display.Close();
            if (_hasTablet)
                _tablet.Close();
            _hasDisplay = _hasTablet = false;
        }

        public Error Start(RootResource root, byte* client, int clientLength, byte* layout, int layoutLength, Notification ends)
        {
            if (clientLength <= 0 || clientLength > CommandCapacity - 10 || layoutLength > 4)
                return Error.Invalid;
            MemoryObject inputPage = default, tabletPage = default;
            Notification displayDriver = default, inputDriver = default, tabletDriver = default, own = default;
            Error error = MemoryObject.Create(DisplayChannelHeader.PageBytes, out MemoryObject displayPage);
            if (error == Error.None)
                error = MemoryObject.Create(InputChannelHeader.PageBytes, out inputPage);
            if (error == Error.None)
                error = Notification.Create(out displayDriver);
            if (error == Error.None)
                error = Notification.Create(out inputDriver);
            if (error == Error.None)
                error = Notification.Create(out own);
            PhysicalRange framebuffer = default;
            if (error == Error.None)
                error = _hasDisplay ? DriverLaunch.CreateBarRange(root, _display, FramebufferBar, out framebuffer)
                    : root.CreatePhysical(_boot.Address, _boot.Bytes, out framebuffer);
            if (error == Error.None)
                error = _hasDisplay ? StartDisplayDriver(root, _display, _displayAddress, displayPage, displayDriver, own)
                    : StartFramebufferDriver(displayPage, displayDriver, own);
            if (error == Error.None)
                error = StartInputDriver(root, inputPage, inputDriver, own, layout, layoutLength, BenchClient);
            if (error == Error.None && _hasTablet)
            {
                error = MemoryObject.Create(InputChannelHeader.PageBytes, out tabletPage);
                if (error == Error.None)
                    error = Notification.Create(out tabletDriver);
                if (error == Error.None)
                    error = StartTabletDriver(root, _tablet, _tabletAddress, tabletPage, tabletDriver, own);
            }
            if (error == Error.None)
            {
                for (int i = 0; i < clientLength; i++)
                    _clientName[i] = client[i];
                _clientNameLength = clientLength;
                _framebuffer = framebuffer;
                _displayPage = displayPage;
                _inputPage = inputPage;
                _tabletPage = tabletPage;
                _own = own;
                _displayDriver = displayDriver;
                _inputDriver = inputDriver;
                _tabletDriver = tabletDriver;
                return StartClient(ends);
            }
            framebuffer.Close();
            displayPage.Close();
            inputPage.Close();
            tabletPage.Close();
            displayDriver.Close();
            inputDriver.Close();
            tabletDriver.Close();
            own.Close();
            return error;
        }

        /// <summary>Starts the display client with the kept handles and watches for its end.</summary>
        private Error StartClient(Notification ends)
        {
            fixed (byte* name = _clientName)
            {
                Error error = StartClient(_framebuffer, name, _clientNameLength, BenchClient, _displayPage, _own, _displayDriver,
                    _inputPage, _inputDriver, _tabletPage, _tabletDriver, out _client);
                _clientRunning = error == Error.None && _client.Watch(ends, ClientBit) == Error.None;
                return error;
            }
        }

        /// <summary>The display client ended ('bits' has ClientBit): it is started again, at most MaximumRestarts times.</summary>
        public void Handle(Notification ends, ulong bits)
        {
            if ((bits & ClientBit) == 0 || !_clientRunning)
                return;
            _client.Wait(out long status);
            _client.Close();
            _clientRunning = false;
            Console.Write("devices: the display client");
            ProcessHandle.WriteEnd(status);
            Console.WriteLine();
            if (_restarts.Take("the display client", -1, "", "the display client"))
                StartClient(ends);
        }

        /// <summary>"display_bochs display0 ADDRESS BAR...": the device, its BARs, the display page, its notification, the
        /// client's (Signal only), the console.</summary>
        private static Error StartDisplayDriver(RootResource root, PciDevice device, int address, MemoryObject page, Notification driver, Notification client)
            => StartPciDriver(root, device, address, "display_bochs display0 ", default, page, driver, client);

        /// <summary>"display_framebuffer display0 WIDTH HEIGHT PITCH BYTES": the display page, its notification, the client's
        /// (Signal only), the console.</summary>
        private Error StartFramebufferDriver(MemoryObject page, Notification driver, Notification client)
        {
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "display_framebuffer display0 ");
            length = CommandLine.AppendDecimal(command, length, (int)_boot.Width);
            command[length++] = (byte)' ';
            length = CommandLine.AppendDecimal(command, length, (int)_boot.Height);
            command[length++] = (byte)' ';
            length = CommandLine.AppendDecimal(command, length, (int)_boot.Pitch);
            command[length++] = (byte)' ';
            length = CommandLine.AppendDecimal(command, length, (int)_boot.Bytes);
            Error error = client.Duplicate(Rights.Signal | Rights.Grant, out Notification clientSignal);
            if (error == Error.None)
            {
                Handle* handles = stackalloc Handle[4];
                handles[0] = page.Handle;
                handles[1] = driver.Handle;
                handles[2] = clientSignal.Handle;
                handles[3] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 4, out _);
                clientSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            return error;
        }

        /// <summary>"virtio_input tablet0 ADDRESS BAR...": the device, its BARs, DMA memory for its queue, the tablet's input
        /// page, its notification, the client's (Signal only), the console.</summary>
        private static Error StartTabletDriver(RootResource root, PciDevice device, int address, MemoryObject page, Notification driver, Notification client)
        {
            Error error = root.CreateDmaMemory(TabletDmaBytes, out MemoryObject dma);
            if (error == Error.None)
                error = StartPciDriver(root, device, address, "virtio_input tablet0 ", dma, page, driver, client);
            dma.Close();
            return error;
        }

        /// <summary>COMMAND ADDRESS BAR... with the device, its BARs, 'dma' (when valid), the page, the driver's notification,
        /// the client's (Signal only) and the console.</summary>
        private static Error StartPciDriver(RootResource root, PciDevice device, int address, string name, MemoryObject dma,
            MemoryObject page, Notification driver, Notification client)
        {
            Handle* handles = stackalloc Handle[MaximumHandles];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, name);
            length = CommandLine.AppendPciAddress(command, length, address);
            length = DriverLaunch.AddBarRanges(root, device, handles, ref count, command, length);
            int owned = count;
            Error error = client.Duplicate(Rights.Signal | Rights.Grant, out Notification clientSignal);
            if (error == Error.None)
            {
                if (dma.Handle.IsValid)
                    handles[count++] = dma.Handle;
                handles[count++] = page.Handle;
                handles[count++] = driver.Handle;
                handles[count++] = clientSignal.Handle;
                handles[count++] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, count, out _);
                clientSignal.Close();
            }
            DriverLaunch.Report(error, command, length);
            for (int i = 1; i < owned; i++)
                handles[i].Close();
            return error;
        }

        /// <summary>"ps2_input input0 LAYOUT" ("ps2_input input0 LAYOUT bench" for make bench): the ports 0x60 and 0x64, lines 1 and 12, the input page, its notification,
        /// the client's (Signal only), the console.</summary>
        private static Error StartInputDriver(RootResource root, MemoryObject page, Notification driver, Notification client, byte* layout, int layoutLength, bool bench)
        {
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "ps2_input input0 ");
            if (layoutLength == 0)
                length = CommandLine.Append(command, length, "us");
            for (int i = 0; i < layoutLength; i++)
                command[length++] = layout[i];
            if (bench)
                length = CommandLine.Append(command, length, " bench");   // presses keys when the bench's compositor asks
            Handle* handles = stackalloc Handle[MaximumHandles];
            Error error = root.CreateIoPorts(0x60, 1, out IoPortRange data);
            handles[0] = data.Handle;
            if (error == Error.None)
            {
                error = root.CreateIoPorts(0x64, 1, out IoPortRange status);
                handles[1] = status.Handle;
            }
            if (error == Error.None)
            {
                error = root.CreateInterrupt(KeyboardIrq, out InterruptLine keyboard);
                handles[2] = keyboard.Handle;
            }
            if (error == Error.None)
            {
                error = root.CreateInterrupt(MouseIrq, out InterruptLine mouse);
                handles[3] = mouse.Handle;
            }
            Notification clientSignal = default;
            if (error == Error.None)
                error = client.Duplicate(Rights.Signal | Rights.Grant, out clientSignal);
            if (error == Error.None)
            {
                handles[4] = page.Handle;
                handles[5] = driver.Handle;
                handles[6] = clientSignal.Handle;
                handles[7] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 8, out _);
            }
            DriverLaunch.Report(error, command, length);
            clientSignal.Close();
            for (int i = 0; i < 4; i++)
                handles[i].Close();   // the driver has its own: the lines are free again only when it ends
            return error;
        }

        /// <summary>"CLIENT display0" ("CLIENT display0 bench" for make bench): the display page, its notification, the display driver's (Signal only), the
        /// framebuffer, the input page, the input driver's (Signal only), the console, then with a tablet its page and its
        /// driver's notification (Signal only).</summary>
        private static Error StartClient(PhysicalRange framebuffer, byte* client, int clientLength, bool bench, MemoryObject displayPage,
            Notification own, Notification displayDriver, MemoryObject inputPage, Notification inputDriver, MemoryObject tabletPage, Notification tabletDriver,
            out ProcessHandle process)
        {
            process = default;
            byte* command = stackalloc byte[CommandCapacity];
            int length = 0;
            for (; length < clientLength; length++)
                command[length] = client[length];
            length = CommandLine.Append(command, length, bench ? " display0 bench" : " display0");
            Handle* handles = stackalloc Handle[9];
            int count = 7;
            Notification displaySignal = default, inputSignal = default, tabletSignal = default;
            Error error = displayDriver.Duplicate(Rights.Signal | Rights.Grant, out displaySignal);
            if (error == Error.None)
                error = inputDriver.Duplicate(Rights.Signal | Rights.Grant, out inputSignal);
            if (error == Error.None && tabletPage.Handle.IsValid)
            {
                error = tabletDriver.Duplicate(Rights.Signal | Rights.Grant, out tabletSignal);
                handles[count++] = tabletPage.Handle;
                handles[count++] = tabletSignal.Handle;
            }
            if (error == Error.None)
            {
                handles[0] = displayPage.Handle;
                handles[1] = own.Handle;
                handles[2] = displaySignal.Handle;
                handles[3] = framebuffer.Handle;
                handles[4] = inputPage.Handle;
                handles[5] = inputSignal.Handle;
                handles[6] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, count, out process);
            }
            DriverLaunch.Report(error, command, length);
            displaySignal.Close();
            inputSignal.Close();
            tabletSignal.Close();
            return error;
        }
    }
}
