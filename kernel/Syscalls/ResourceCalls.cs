using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Drivers;
using Exo.Kernel.Ipc;
using Exo.Kernel.Processes;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// Device resources for user-mode drivers. resource_create(root, kind, base, length) makes an I/O port
    /// range, an interrupt line or a physical range from a handle to the root resource (needs Manage), within
    /// the kernel's policies (never its own ports, lines, RAM or APICs); io_port_enable(handle) lets the process
    /// use the range's ports with IN/OUT (needs Read and Write) until that capability leaves its table;
    /// interrupt_bind(line, notification, bits) and interrupt_ack(line) deliver a line's interrupts (Manage,
    /// Wait); physical_map(handle, address or 0, writable) maps a physical range uncached (Map, and Write).
    /// </summary>
    public static unsafe class ResourceCalls
    {
        public const int Create = 60, IoPortEnable = 61, InterruptBind = 62, InterruptAcknowledge = 63, PhysicalMap = 64;
        public const ulong KindIoPorts = 1, KindInterrupt = 2, KindPhysical = 3;

        internal static void Register()
        {
            SystemCalls.Register(Create, &DoCreate);
            SystemCalls.Register(IoPortEnable, &DoIoPortEnable);
            SystemCalls.Register(InterruptBind, &DoInterruptBind);
            SystemCalls.Register(InterruptAcknowledge, &DoInterruptAcknowledge);
            SystemCalls.Register(PhysicalMap, &DoPhysicalMap);
        }

        private static ulong DoCreate(RegisterFrame* frame)
        {
            ulong root = frame->Argument0;
            ulong kind = frame->Argument1;
            ulong start = frame->Argument2;
            ulong length = frame->Argument3;
            Process process = CapabilitySpace.CurrentProcess;
            ulong error = CapabilitySpace.Reference(process, root, KernelObjectType.Resource, Rights.Manage, out KernelObject found);
            if (error != 0)
                return error;
            found.Release();   // the root resource lives for ever; only the capability mattered
            switch (kind)
            {
                case KindIoPorts:
                    if (!IoPortPolicy.IsValid(start, length))
                        return SystemCalls.InvalidArgument;
                    if (IoPortPolicy.IsKernelOwned(start, length))
                        return SystemCalls.AccessDenied;
                    return CapabilitySpace.InsertNew(process, new IoPortRange((int)start, (int)length), KernelObjectType.IoPortRange,
                        IoPortGrants.RequiredRights | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                case KindInterrupt:
                    if (length != 1)
                        return SystemCalls.InvalidArgument;
                    InterruptLine line = InterruptLine.Claim(start, out error);
                    if (line == null)
                        return error;
                    return CapabilitySpace.InsertNew(process, line, KernelObjectType.Interrupt,
                        Rights.Manage | Rights.Wait | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                case KindPhysical:
                    PhysicalRangeVerdict verdict = DeviceResources.CheckPhysical(start, length);
                    if (verdict != PhysicalRangeVerdict.Allowed)
                        return verdict == PhysicalRangeVerdict.Malformed ? SystemCalls.InvalidArgument : SystemCalls.AccessDenied;
                    return CapabilitySpace.InsertNew(process, new PhysicalRange(start, length), KernelObjectType.PhysicalRange,
                        Rights.Read | Rights.Write | Rights.Map | Rights.Grant | Rights.Duplicate | Rights.Revoke);
                default:
                    return SystemCalls.InvalidArgument;
            }
        }

        private static ulong DoIoPortEnable(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            if (CapabilitySpace.CurrentProcess is not Process process)
                return SystemCalls.AccessDenied;
            if (handle > uint.MaxValue)
                return SystemCalls.BadHandle;
            IoPortGrants grants = process.IoPorts;
            if (grants == null)
                grants = process.IoPorts = new IoPortGrants();   // only this process's own thread gets here
            if (grants == null)
                return SystemCalls.OutOfMemory;
            CapabilitySpace.Enter();   // masks interrupts: this thread stays on this processor
            CapabilityError error = process.Handles.Lookup(new Handle((uint)handle), KernelObjectType.IoPortRange, IoPortGrants.RequiredRights, out _);
            if (error == CapabilityError.None && !grants.Add((uint)handle))
                error = CapabilityError.TableFull;
            if (error == CapabilityError.None)
            {
                IoPermissions.Enter();
                grants.RecomputeLocked(process.Handles);
                Scheduler.Scheduler.Current.User.IoPermissions = grants.Bitmap;
                IoPermissions.InstallLocked(Cpu.CurrentProcessor(), grants.Bitmap);
                IoPermissions.Exit();
            }
            CapabilitySpace.Exit();
            return CapabilitySpace.ToResult(error);
        }

        private static ulong DoInterruptBind(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong notificationHandle = frame->Argument1;
            ulong bits = frame->Argument2;
            Process process = CapabilitySpace.CurrentProcess;
            if (bits == 0 || (bits >> 63) != 0)   // as notification_signal: bit 63 would look like an error
                return SystemCalls.InvalidArgument;
            ulong error = CapabilitySpace.Reference(process, handle, KernelObjectType.Interrupt, Rights.Manage, out KernelObject line);
            if (error != 0)
                return error;
            error = CapabilitySpace.Reference(process, notificationHandle, KernelObjectType.Notification, Rights.Signal, out KernelObject notification);
            if (error == 0)
            {
                ((InterruptLine)line).Bind((Notification)notification, bits);
                notification.Release();   // the line took its own reference
            }
            line.Release();
            return error;
        }

        private static ulong DoInterruptAcknowledge(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong error = CapabilitySpace.Reference(CapabilitySpace.CurrentProcess, handle, KernelObjectType.Interrupt, Rights.Wait, out KernelObject line);
            if (error != 0)
                return error;
            ((InterruptLine)line).Acknowledge();
            line.Release();
            return 0;
        }

        private static ulong DoPhysicalMap(RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong address = frame->Argument1;
            ulong writable = frame->Argument2;
            Process process = CapabilitySpace.CurrentProcess;
            Rights needed = writable != 0 ? Rights.Map | Rights.Write : Rights.Map;
            ulong error = CapabilitySpace.Reference(process, handle, KernelObjectType.PhysicalRange, needed, out KernelObject found);
            if (error != 0)
                return error;
            PhysicalRange range = (PhysicalRange)found;
            address = process.PlaceMapping(address);
            bool mapped = (address & 0xFFF) == 0 && Memory.UserMemory.IsUserRange(address, range.Length)
                && range.MapInto(process.AddressSpace, address, writable != 0);
            if (mapped)
                process.MappingPlaced(address, range.Length);
            range.Release();
            return mapped ? address : SystemCalls.InvalidArgument;   // misaligned, outside user space, or overlapping
        }
    }
}
