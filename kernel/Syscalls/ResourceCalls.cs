using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Drivers;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Device resources for user-mode drivers. resource_create(root, kind, base, length) makes an I/O port
    /// range, an interrupt line, a physical range or a PCI function's configuration space (Syscalls/PciCalls) from a handle to the root resource (needs Manage), within
    /// the kernel's policies (never its own ports, lines, RAM or APICs); io_port_enable(handle) lets the process
    /// use the range's ports with IN/OUT (needs Read and Write) until that capability leaves its table;
    /// interrupt_bind(line, notification, bits) and interrupt_ack(line) deliver a line's interrupts (Manage,
    /// Wait); physical_map(handle, address or 0, writable) maps a physical range uncached (Map, and Write).
    /// </summary>
    public static unsafe class ResourceCalls
    {
        internal static void Register()
        {
            SystemCalls.Register(SystemCallNumber.ResourceCreate, &DoCreate);
            SystemCalls.Register(SystemCallNumber.IoPortEnable, &DoIoPortEnable);
            SystemCalls.Register(SystemCallNumber.InterruptBind, &DoInterruptBind);
            SystemCalls.Register(SystemCallNumber.InterruptAcknowledge, &DoInterruptAcknowledge);
            SystemCalls.Register(SystemCallNumber.PhysicalMap, &DoPhysicalMap);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong root = frame->Argument0;
            ulong kind = frame->Argument1;
            ulong start = frame->Argument2;
            ulong length = frame->Argument3;
            Process process = SystemCalls.CurrentProcess;
            Error error = CapabilitySpace.Reference(process.Handles, root, ObjectType.Resource, Rights.Manage, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            found.Release();   // the root resource lives for ever; only the capability mattered
            switch ((ResourceKind)kind)
            {
                case ResourceKind.IoPorts:
                    if (!IoPortPolicy.IsValid(start, length))
                        return SystemCallResult.From(Error.Invalid);
                    if (IoPortPolicy.IsKernelOwned(start, length))
                        return SystemCallResult.From(Error.AccessDenied);
                    return SystemCalls.InsertHandle(process, new IoPortRange((int)start, (int)length), ObjectType.IoPortRange,
                        IoPortGrants.RequiredRights | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                case ResourceKind.Interrupt:
                    if (length != 1)
                        return SystemCallResult.From(Error.Invalid);
                    InterruptLine line = InterruptLine.Claim(start, out error);
                    if (line == null)
                        return SystemCallResult.From(error);
                    return SystemCalls.InsertHandle(process, line, ObjectType.Interrupt,
                        Rights.Manage | Rights.Wait | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                case ResourceKind.Physical:
                    PhysicalRangeVerdict verdict = DeviceResources.CheckPhysical(start, length);
                    if (verdict != PhysicalRangeVerdict.Allowed)
                        return verdict == PhysicalRangeVerdict.Malformed ? SystemCallResult.From(Error.Invalid) : SystemCallResult.From(Error.AccessDenied);
                    return SystemCalls.InsertHandle(process, new PhysicalRange(start, length), ObjectType.PhysicalRange,
                        Rights.Read | Rights.Write | Rights.Map | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                case ResourceKind.PciDevice:
                    if (length != 1)
                        return SystemCallResult.From(Error.Invalid);
                    Drivers.Pci.PciDevice device = Drivers.Pci.PciDevice.Claim(start, out error);
                    if (device == null)
                        return SystemCallResult.From(error);
                    return SystemCalls.InsertHandle(process, device, ObjectType.PciDevice, Drivers.Pci.PciDevice.GrantedRights);
                case ResourceKind.DmaMemory:
                    if (start != 0 || length == 0 || length > MemoryObject.MaximumContiguousSize)
                        return SystemCallResult.From(Error.Invalid);
                    return MemoryObjectCalls.Create(process, length, contiguous: true, Rights.All);
                default:
                    return SystemCallResult.From(Error.Invalid);
            }
        }

        private static ulong DoIoPortEnable(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (SystemCalls.CurrentProcess is not Process process)
                return SystemCallResult.From(Error.AccessDenied);
            if (handle > uint.MaxValue)
                return SystemCallResult.From(Error.BadHandle);
            IoPortGrants grants = process.IoPorts;
            if (grants == null)
                grants = process.IoPorts = new IoPortGrants();   // only this process's own thread gets here
            if (grants == null)
                return SystemCallResult.From(Error.OutOfMemory);
            CapabilitySpace.Enter();   // masks interrupts: this thread stays on this processor
            Error error = process.Handles.Lookup(new Handle((uint)handle), ObjectType.IoPortRange, IoPortGrants.RequiredRights, out _);
            if (error == Error.None && !grants.Add((uint)handle))
                error = Error.OutOfMemory;   // the process enabled as many ranges as it may
            if (error == Error.None)
            {
                IoPermissions.Enter();
                grants.RecomputeLocked(process.Handles);
                Scheduler.Scheduler.Current.User.IoPermissions = grants.Bitmap;
                IoPermissions.InstallLocked(Cpu.CurrentProcessor(), grants.Bitmap);
                IoPermissions.Exit();
            }
            CapabilitySpace.Exit();
            return SystemCallResult.From(error);
        }

        private static ulong DoInterruptBind(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong notificationHandle = frame->Argument1;
            ulong bits = frame->Argument2;
            Process process = SystemCalls.CurrentProcess;
            if (bits == 0 || (bits >> 63) != 0)   // as notification_signal: bit 63 would look like an error
                return SystemCallResult.From(Error.Invalid);
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.Interrupt, Rights.Manage, out KernelObject line);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = CapabilitySpace.Reference(process.Handles, notificationHandle, ObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == Error.None)
            {
                ((InterruptLine)line).Bind((Notification)notification, bits);
                notification.Release();   // the line took its own reference
            }
            line.Release();
            return SystemCallResult.From(error);
        }

        private static ulong DoInterruptAcknowledge(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, handle, ObjectType.Interrupt, Rights.Wait, out KernelObject line);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ((InterruptLine)line).Acknowledge();
            line.Release();
            return 0;
        }

        private static ulong DoPhysicalMap(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong address = frame->Argument1;
            ulong writable = frame->Argument2;
            Process process = SystemCalls.CurrentProcess;
            Rights needed = writable != 0 ? Rights.Map | Rights.Write : Rights.Map;
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.PhysicalRange, needed, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            PhysicalRange range = (PhysicalRange)found;
            address = process.PlaceMapping(address);
            bool mapped = (address & 0xFFF) == 0 && Memory.UserMemory.IsUserRange(address, range.Length)
                && range.MapInto(process.AddressSpace, address, writable != 0);
            if (mapped)
                process.MappingPlaced(address, range.Length);
            range.Release();
            return mapped ? address : SystemCallResult.From(Error.Invalid);   // misaligned, outside user space, or overlapping
        }
    }
}
