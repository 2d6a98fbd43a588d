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
    /// Starts the desktop's three programs when the manager's configuration names a display client (its second argument)
    /// and a Bochs VBE display is there (QEMU's std-vga or bochs-display): display_bochs with only its device's
    /// capabilities, ps2_input with only the i8042's ports (0x60, 0x64) and interrupt lines (1, 12), and the client
    /// ("CLIENT display0": the test program display_demo now, the compositor later) with the client's side of both
    /// channels and the framebuffer. The manager makes the channels (a page each, libs/Exo.Protocols/Display and Input) and
    /// one notification the client waits on, which both drivers may only signal. Not supervised yet: a crashed program
    /// stays down.
    /// </summary>
    internal static unsafe class DesktopPrograms
    {
        private const int CommandCapacity = 64;
        private const int MaximumHandles = 16;
        private const int FramebufferBar = 0;
        private const ulong KeyboardIrq = 1, MouseIrq = 12;
        private const ushort BochsVendor = 0x1234, BochsDevice = 0x1111;

        /// <summary>QEMU's std-vga (class 0300) and bochs-display (class 0380): the same identity, the Bochs VBE registers.</summary>
        public static bool IsBochsDisplay(uint identity) => identity == ((uint)BochsDevice << 16 | BochsVendor);

        public static Error Start(RootResource root, PciDevice device, int address, byte* client, int clientLength, byte* layout, int layoutLength)
        {
            if (clientLength <= 0 || clientLength > CommandCapacity - 10 || layoutLength > 4)
                return Error.Invalid;
            MemoryObject inputPage = default;
            Notification displayDriver = default, inputDriver = default, own = default;
            Error error = MemoryObject.Create(DisplayChannelHeader.PageBytes, out MemoryObject displayPage);
            if (error == Error.None)
                error = MemoryObject.Create(InputChannelHeader.PageBytes, out inputPage);
            if (error == Error.None)
                error = Notification.Create(out displayDriver);
            if (error == Error.None)
                error = Notification.Create(out inputDriver);
            if (error == Error.None)
                error = Notification.Create(out own);
            if (error == Error.None)
                error = StartDisplayDriver(root, device, address, displayPage, displayDriver, own);
            if (error == Error.None)
                error = StartInputDriver(root, inputPage, inputDriver, own, layout, layoutLength);
            if (error == Error.None)
                error = StartClient(root, device, client, clientLength, displayPage, own, displayDriver, inputPage, inputDriver);
            // Every program has its own copies now; the manager keeps only the programs' process handles, unused (nothing
            // restarts them yet).
            displayPage.Close();
            inputPage.Close();
            displayDriver.Close();
            inputDriver.Close();
            own.Close();
            return error;
        }

        /// <summary>"display_bochs display0 ADDRESS BAR...": the device, its BARs, the display page, its notification, the
        /// client's (Signal only), the console.</summary>
        private static Error StartDisplayDriver(RootResource root, PciDevice device, int address, MemoryObject page, Notification driver, Notification client)
        {
            Handle* handles = stackalloc Handle[MaximumHandles];
            int count = 0;
            handles[count++] = device.Handle;
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "display_bochs display0 ");
            length = CommandLine.AppendPciAddress(command, length, address);
            length = DriverLaunch.AddBarRanges(root, device, handles, ref count, command, length);
            int owned = count;
            Error error = client.Duplicate(Rights.Signal | Rights.Grant, out Notification clientSignal);
            if (error == Error.None)
            {
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

        /// <summary>"ps2_input input0 LAYOUT": the ports 0x60 and 0x64, lines 1 and 12, the input page, its notification,
        /// the client's (Signal only), the console.</summary>
        private static Error StartInputDriver(RootResource root, MemoryObject page, Notification driver, Notification client, byte* layout, int layoutLength)
        {
            byte* command = stackalloc byte[CommandCapacity];
            int length = CommandLine.Append(command, 0, "ps2_input input0 ");
            if (layoutLength == 0)
                length = CommandLine.Append(command, length, "us");
            for (int i = 0; i < layoutLength; i++)
                command[length++] = layout[i];
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

        /// <summary>"CLIENT display0": the display page, its notification, the display driver's (Signal only), the
        /// framebuffer, the input page, the input driver's (Signal only), the console.</summary>
        private static Error StartClient(RootResource root, PciDevice device, byte* client, int clientLength, MemoryObject displayPage,
            Notification own, Notification displayDriver, MemoryObject inputPage, Notification inputDriver)
        {
            byte* command = stackalloc byte[CommandCapacity];
            int length = 0;
            for (; length < clientLength; length++)
                command[length] = client[length];
            length = CommandLine.Append(command, length, " display0");
            Handle* handles = stackalloc Handle[7];
            Notification displaySignal = default, inputSignal = default;
            Error error = DriverLaunch.CreateBarRange(root, device, FramebufferBar, out PhysicalRange framebuffer);
            if (error == Error.None)
                error = displayDriver.Duplicate(Rights.Signal | Rights.Grant, out displaySignal);
            if (error == Error.None)
                error = inputDriver.Duplicate(Rights.Signal | Rights.Grant, out inputSignal);
            if (error == Error.None)
            {
                handles[0] = displayPage.Handle;
                handles[1] = own.Handle;
                handles[2] = displaySignal.Handle;
                handles[3] = framebuffer.Handle;
                handles[4] = inputPage.Handle;
                handles[5] = inputSignal.Handle;
                handles[6] = Process.ConsoleHandle;
                error = Process.Spawn(command, length, handles, 7, out _);
            }
            DriverLaunch.Report(error, command, length);
            framebuffer.Close();
            displaySignal.Close();
            inputSignal.Close();
            return error;
        }
    }
}
