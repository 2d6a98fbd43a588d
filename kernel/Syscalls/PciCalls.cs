using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Drivers.Pci;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// One PCI function's configuration space through its capability (made by resource_create from the root
    /// resource): pci_config_read(device, offset, width) (needs Read), pci_config_write(device, offset, width,
    /// value) (needs Write; PciConfigurationPolicy says which registers the kernel keeps), pci_bar_size(device,
    /// index) (needs Read), pci_interrupt_bind(device, entry, notification, bits) (needs Manage): one ABI for both
    /// kinds of message interrupt, the kernel picks MSI-X when the function has it (entry: its table entry, up to 8),
    /// else plain MSI (entry 0: one message); the binding ends with the calling process (PciDevice.BindMessageInterrupt).
    /// </summary>
    public static unsafe class PciCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.PciConfigRead, &DoRead);
            SystemCalls.Register(SystemCallNumber.PciConfigWrite, &DoWrite);
            SystemCalls.Register(SystemCallNumber.PciBarSize, &DoBarSize);
            SystemCalls.Register(SystemCallNumber.PciInterruptBind, &DoInterruptBind);
        }

        private static ulong DoRead(RegisterFrame* frame)
        {
            ulong offset = frame->Argument1;
            ulong width = frame->Argument2;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, frame->Argument0, ObjectType.PciDevice, Rights.Read, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            var device = (PciDevice)found;
            ulong result = device.CheckRead(offset, width) == PciAccessVerdict.Allowed
                ? device.Read((int)offset, (int)width)
                : SystemCallResult.From(Error.Invalid);
            device.Release();
            return result;
        }

        private static ulong DoWrite(RegisterFrame* frame)
        {
            ulong offset = frame->Argument1;
            ulong width = frame->Argument2;
            ulong value = frame->Argument3;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, frame->Argument0, ObjectType.PciDevice, Rights.Write, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            var device = (PciDevice)found;
            PciAccessVerdict verdict = device.CheckWrite(offset, width);
            if (verdict == PciAccessVerdict.Allowed && value >> (int)(8 * width) != 0)
                verdict = PciAccessVerdict.Malformed;   // a value wider than the access
            if (verdict == PciAccessVerdict.Allowed)
                device.Write((int)offset, (int)width, (uint)value);
            device.Release();
            return SystemCallResult.From(verdict == PciAccessVerdict.Allowed ? Error.None : verdict == PciAccessVerdict.Malformed ? Error.Invalid : Error.AccessDenied);
        }

        private static ulong DoBarSize(RegisterFrame* frame)
        {
            ulong index = frame->Argument1;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, frame->Argument0, ObjectType.PciDevice, Rights.Read, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            PciFunction function = ((PciDevice)found).Function;
            ulong result = index < (ulong)function.BarCount ? function.BarSizes[(int)index] : SystemCallResult.From(Error.Invalid);
            found.Release();
            return result;
        }

        private static ulong DoInterruptBind(RegisterFrame* frame)
        {
            ulong entry = frame->Argument1;
            ulong bits = frame->Argument3;
            if (bits == 0 || (bits >> 63) != 0)   // as interrupt_bind
                return SystemCallResult.From(Error.Invalid);
            Processes.Process process = SystemCalls.CurrentProcess;
            Error error = CapabilitySpace.Reference(process.Handles, frame->Argument0, ObjectType.PciDevice, Rights.Manage, out KernelObject device);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = CapabilitySpace.Reference(process.Handles, frame->Argument2, ObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == Error.None)
            {
                process.BoundMessageInterrupts = true;   // its end releases what it bound
                error = ((PciDevice)device).BindMessageInterrupt(entry, (Ipc.Notification)notification, bits, process);
                notification.Release();   // a bound vector took its own reference
            }
            device.Release();
            return SystemCallResult.From(error);
        }
    }
}
