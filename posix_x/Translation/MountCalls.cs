using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Tmpfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// mount and umount2, for the file systems POSIX-X has: a new tmpfs (its "mode=" option kept) or procfs on a
    /// directory, read-only or not (MS_RDONLY), and MS_REMOUNT to change that of a mounted one. Root only. Other
    /// flags that only restrict (nosuid, nodev, noexec, noatime...) are accepted and not enforced; bind mounts and
    /// other file system types are refused (EINVAL, ENODEV). Unmounting refuses a file system in use (EBUSY: an
    /// open file, a working or root directory or a program file inside it, or a mount on one of its directories),
    /// then empties a tmpfs so that its memory comes back (MNT_DETACH is not offered: EINVAL).
    /// </summary>
    public static unsafe class MountCalls
    {
        private const ulong ReadOnlyFlag = 1, Remount = 32, Bind = 4096, Move = 8192, Recursive = 16384,
            Private = 1 << 18, Slave = 1 << 19, Shared = 1 << 20, Unbindable = 1 << 17;
        private const ulong MagicMask = 0xFFFF0000, Magic = 0xC0ED0000;   // MS_MGC_VAL: old callers' marker
        private const int UnmountForce = 1, UnmountDetach = 2, UnmountExpire = 4, UnmountNoFollow = 8;
        private const int MaximumTypeLength = 32, MaximumDataLength = 256;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Abi.LinuxSystemCallNumber.Mount, &DoMount, CallPath.Legacy);
            LinuxSystemCalls.Register(Umount2, &DoUnmount, CallPath.Legacy);
        }

        // mount(source, target, type, flags, data)
        private static ulong DoMount(RegisterFrame* frame)
        {
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            ulong flags = frame->Argument3;
            if ((flags & MagicMask) == Magic)
                flags &= ~MagicMask;
            if ((flags & (Bind | Move | Private | Slave | Shared | Unbindable | Recursive)) != 0)
                return SystemCallResult.From(Error.Invalid);   // bind, move and propagation: not offered
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument1, follow: true,
                emptyPathAllowed: false, out Vnode target);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if ((flags & Remount) != 0)
                error = RemountAt(target, (flags & ReadOnlyFlag) != 0);
            else
                error = MountAt(target, frame->Argument0, frame->Argument2, frame->Argument4, (flags & ReadOnlyFlag) != 0);
            target.Release();
            return SystemCallResult.From(error);
        }

        private static Error RemountAt(Vnode target, bool readOnly)
        {
            FileSystem fileSystem = target.FileSystem;
            if (fileSystem == null || fileSystem.Root != target)
                return Error.Invalid;   // not the root of a mounted file system
            fileSystem.ReadOnly = readOnly;
            return Error.None;
        }

        private static Error MountAt(Vnode target, ulong userSource, ulong userType, ulong userData, bool readOnly)
        {
            if (!target.IsDirectory)
                return Error.NotADirectory;
            byte* type = stackalloc byte[MaximumTypeLength];
            byte* source = stackalloc byte[MaximumTypeLength];
            byte* data = stackalloc byte[MaximumDataLength];
            Error error = CopyString(userType, type, MaximumTypeLength, out int typeLength);
            if (error != Error.None)
                return error == Error.NameTooLong ? Error.NoDevice : error;
            int sourceLength = 0, dataLength = 0;
            if (userSource != 0 && (error = CopyString(userSource, source, MaximumTypeLength, out sourceLength)) != Error.None)
                return error == Error.NameTooLong ? Error.Invalid : error;
            if (userData != 0 && (error = CopyString(userData, data, MaximumDataLength, out dataLength)) != Error.None)
                return error == Error.NameTooLong ? Error.Invalid : error;
            FileSystem fileSystem;
            if (Is(type, typeLength, "tmpfs"))
            {
                uint mode = 0x3FF;   // 1777, as Linux's tmpfs root without mode=
                if (!ModeOption(data, dataLength, ref mode))
                    return Error.Invalid;
                fileSystem = new TmpfsFileSystem(mode);
            }
            else if (Is(type, typeLength, "proc"))
            {
                fileSystem = new Vfs.Proc.ProcFileSystem();
            }
            else
            {
                return Error.NoDevice;   // no such file system type here
            }
            fileSystem.ReadOnly = readOnly;
            return sourceLength > 0 ? MountTable.MountOn(target, fileSystem, source, sourceLength)
                : MountTable.MountOn(target, fileSystem, fileSystem.TypeName);
        }

        // umount2(target, flags)
        private static ulong DoUnmount(RegisterFrame* frame)
        {
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            int flags = (int)frame->Argument1;
            if ((flags & ~(UnmountForce | UnmountDetach | UnmountExpire | UnmountNoFollow)) != 0 || (flags & (UnmountDetach | UnmountExpire)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0,
                follow: (flags & UnmountNoFollow) == 0, emptyPathAllowed: false, out Vnode target);
            if (error != Error.None)
                return SystemCallResult.From(error);
            FileSystem fileSystem = target.FileSystem;
            bool systemRoot = target == MountTable.RootDirectory;
            Vfs.Mount mount = MountTable.MountOf(target);
            target.Release();
            if (systemRoot)
                return SystemCallResult.From(Error.Busy);   // the root is always in use, as Linux answers
            if (mount == null)
                return SystemCallResult.From(Error.Invalid);   // not a mount point (or the root)
            if (MountTable.HasMountsInside(fileSystem) || InUse(fileSystem))
                return SystemCallResult.From(Error.Busy);
            MountTable.Unmount(mount);
            if (fileSystem is TmpfsFileSystem)
                Empty(fileSystem.Root);
            return 0;
        }

        // Whether a process has something open, or its working or root directory or its program, in 'fileSystem'.
        private static bool InUse(FileSystem fileSystem)
        {
            for (int slot = 0; slot < ProcessRegistry.Capacity; slot++)
            {
                Process process = ProcessRegistry.ReferenceAt(slot);
                if (process == null)
                    continue;
                bool used = false;
                if (process.PersonalityState is LinuxProcess linux)
                {
                    using (linux.Lock.Hold())
                    {
                        used = linux.WorkingDirectory?.FileSystem == fileSystem || linux.RootDirectory?.FileSystem == fileSystem
                            || linux.Executable?.FileSystem == fileSystem;
                        FileDescriptorTable descriptors = linux.Descriptors;
                        for (int next = 0; !used && descriptors != null;)
                        {
                            int descriptor = descriptors.NextOpen(next, out OpenFile file);
                            if (descriptor < 0)
                                break;
                            used = file.Node != null && file.Node.FileSystem == fileSystem;
                            file.Release();
                            next = descriptor + 1;
                        }
                    }
                }
                process.Release();
                if (used)
                    return true;
            }
            return false;
        }

        // Removes everything under 'root' (an unmounted tmpfs nobody uses), deepest first, without recursion (a deep
        // tree must not take the kernel stack).
        private static void Empty(Vnode root)
        {
            DirectoryEntry* entry = (DirectoryEntry*)KernelHeap.AllocateUninitialized((ulong)sizeof(DirectoryEntry));
            byte* name = (byte*)KernelHeap.AllocateUninitialized(Vfs.Name.MaximumLength + 1);
            if (entry == null || name == null)
            {
                KernelHeap.Free(entry);
                KernelHeap.Free(name);
                return;   // its memory stays in use: nothing is broken, only not given back
            }
            Vnode current = root;
            current.AddReference();
            while (true)
            {
                if (FirstEntry(current, entry))
                {
                    Vfs.Name child = new Vfs.Name(entry->Name, entry->NameLength);
                    if (current.Lookup(child, out Vnode found) != Error.None)
                        break;
                    if (found.IsDirectory && !found.IsRemovedDirectory)
                    {
                        current.Release();
                        current = found;   // down into it first
                        continue;
                    }
                    found.Release();
                    if (current.Remove(child, directory: false) != Error.None)
                        break;
                    continue;
                }
                if (current == root)
                    break;
                // Empty: up to its parent, then remove it there by its name.
                Vnode parent = current.ReferenceParent();
                int length = current.NameInParentLength;
                for (int i = 0; i < length; i++)
                    name[i] = current.NameInParent[i];
                current.Release();
                current = parent;
                if (parent == null || parent.Remove(new Vfs.Name(name, length), directory: true) != Error.None)
                    break;
            }
            current?.Release();
            KernelHeap.Free(entry);
            KernelHeap.Free(name);
        }

        // The first entry of 'directory' other than "." and "..".
        private static bool FirstEntry(Vnode directory, DirectoryEntry* entry)
        {
            ulong cursor = 0;
            while (directory.ReadEntry(ref cursor, entry) == Error.None)
            {
                bool dot = entry->NameLength == 1 && entry->Name[0] == (byte)'.';
                bool dotDot = entry->NameLength == 2 && entry->Name[0] == (byte)'.' && entry->Name[1] == (byte)'.';
                if (!dot && !dotDot)
                    return true;
            }
            return false;
        }

        private static Error CopyString(ulong address, byte* into, int capacity, out int length)
        {
            length = 0;
            for (; length < capacity; length++)
            {
                if (!Exo.Kernel.Memory.UserMemory.CopyFromUser(into + length, address + (ulong)length, 1))
                    return Error.BadAddress;
                if (into[length] == 0)
                    return Error.None;
            }
            return Error.NameTooLong;
        }

        private static bool Is(byte* text, int length, string expected)
        {
            if (length != expected.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (text[i] != (byte)expected[i])
                    return false;
            return true;
        }

        // tmpfs's "mode=OCTAL" among comma-separated options (the others, size= and friends, are accepted unchecked).
        private static bool ModeOption(byte* data, int length, ref uint mode)
        {
            for (int start = 0; start < length;)
            {
                int end = start;
                while (end < length && data[end] != (byte)',')
                    end++;
                if (end - start > 5 && data[start] == (byte)'m' && data[start + 1] == (byte)'o' && data[start + 2] == (byte)'d'
                    && data[start + 3] == (byte)'e' && data[start + 4] == (byte)'=')
                {
                    uint value = 0;
                    for (int i = start + 5; i < end; i++)
                    {
                        if (data[i] < (byte)'0' || data[i] > (byte)'7' || value > 0xFFF)
                            return false;
                        value = value * 8 + (uint)(data[i] - '0');
                    }
                    mode = value & 0xFFF;
                }
                start = end + 1;
            }
            return true;
        }
    }
}
