using Exo.Kernel.Arch.X64;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.Kernel.Processes;
using Exo.PosixX.Vfs.Proc;
using Exo.PosixX.Vfs.Remote;
using Exo.PosixX.Vfs.Tmpfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux's mount and umount2 (busybox mount and umount, df on a fresh mount): new tmpfs, proc and ringfs (a file
    /// system served by a user-mode process, named by mount's source: see Vfs/Remote) mounts with their
    /// options (tmpfs: size, nr_blocks, nr_inodes, mode, uid, gid), remounting read-only or read-write, propagation
    /// changes (every mount is private: there is one namespace), and unmounting with Linux's busy rule (nothing may
    /// use the file system: no working or root directory, program or open file of any process, no mount on one of its
    /// directories) and flags (MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW). Root only (CAP_SYS_ADMIN).
    /// </summary>
    public static unsafe class MountCalls
    {
        // mount(2)'s flags (include/uapi/linux/mount.h).
        private const ulong ReadOnly = 1, Remount = 32, Bind = 4096, Move = 8192,
            Unbindable = 1 << 17, Private = 1 << 18, Slave = 1 << 19, Shared = 1 << 20, NoUser = 1UL << 31;
        private const ulong Propagation = Unbindable | Private | Slave | Shared;
        /// <summary>MS_MGC_VAL in the high 16 bits: the old "new mount call" magic, taken off as Linux does.</summary>
        private const ulong MagicMask = 0xFFFF0000, MagicValue = 0xC0ED0000;
        // umount2(2)'s flags.
        private const int Force = 1, Detach = 2, Expire = 4, NoFollow = 8;
        private const int PageSize = 4096;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Abi.LinuxSystemCallNumber.Mount, &DoMount, CallPath.Legacy);
            LinuxSystemCalls.Register(Umount2, &DoUnmount, CallPath.Legacy);
        }

        // mount(source, target, filesystemtype, mountflags, data). Linux copies the three strings and the data page
        // first (EFAULT), then looks the target up (ENOENT, ENOTDIR...), then checks the caller's right (EPERM).
        private static ulong DoMount(RegisterFrame* frame)
        {
            byte* buffer = (byte*)KernelHeap.AllocateUninitialized(3 * PathWalker.MaximumPathLength + PageSize);
            if (buffer == null)
                return SystemCallResult.From(Error.OutOfMemory);
            byte* source = buffer, type = buffer + PathWalker.MaximumPathLength, target = type + PathWalker.MaximumPathLength;
            byte* options = target + PathWalker.MaximumPathLength;
            Error error = CopyString(frame->Argument2, type, out int typeLength);
            int sourceLength = 0, optionsLength = 0;
            if (error == Error.None)
                error = CopyString(frame->Argument0, source, out sourceLength);
            if (error == Error.None)
                error = CopyOptions(frame->Argument4, options, out optionsLength);
            Vnode point = null;
            if (error == Error.None)
                error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument1, true, false, out point);
            if (error == Error.None)
                error = MountFileSystem(point, frame->Argument0 != 0 ? source : null, sourceLength, frame->Argument2 != 0 ? type : null, typeLength,
                    frame->Argument3, options, optionsLength);
            point?.Release();
            KernelHeap.Free(buffer);
            return SystemCallResult.From(error);
        }

        private static Error MountFileSystem(Vnode point, byte* source, int sourceLength, byte* type, int typeLength, ulong flags, byte* options, int optionsLength)
        {
            if ((flags & MagicMask) == MagicValue)
                flags &= ~MagicMask;
            if ((flags & NoUser) != 0)
                return Error.Invalid;
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return Error.NotPermitted;
            if ((flags & Remount) != 0)
            {
                FileSystem mounted = point.FileSystem;
                if (mounted == null || mounted.Root != point)
                    return Error.Invalid;   // not the root of a mounted file system
                Error error = ApplyOptions(mounted, options, optionsLength, out bool readOnlyOption);
                if (error == Error.None)
                    mounted.ReadOnly = (flags & ReadOnly) != 0 || readOnlyOption;
                return error;
            }
            // A bind or a move would show one directory at two places: a vnode here does not know which mount it is
            // seen through, so ".." could not tell where to go back to. Refused rather than done wrong.
            if ((flags & (Bind | Move)) != 0)
                return Error.Invalid;
            if ((flags & Propagation) != 0)
                return point.FileSystem != null && point.FileSystem.Root == point ? Error.None : Error.Invalid;   // one namespace: every mount is private
            if (type == null)
                return Error.Invalid;
            if (!point.IsDirectory)
                return Error.NotADirectory;
            FileSystem fileSystem;
            if (Is(type, typeLength, "tmpfs"))
            {
                Credentials credentials = LinuxProcess.Current.Credentials;
                TmpfsFileSystem tmpfs = new TmpfsFileSystem(0x3FF);   // 01777, tmpfs's default
                tmpfs.Root.UserId = credentials.EffectiveUserId;
                tmpfs.Root.GroupId = credentials.EffectiveGroupId;
                fileSystem = tmpfs;
            }
            else if (Is(type, typeLength, "proc"))
            {
                fileSystem = new ProcFileSystem();
            }
            else if (Is(type, typeLength, "ringfs"))
            {
                // The source names the server: what it offered the kernel (FileSystemOffer), not a device. With the
                // "wait" option a server that has not offered yet is waited for, woken by its offer (a bounded wait).
                if (source == null)
                    return Error.Invalid;
                if (HasFlag(options, optionsLength, "wait"))
                {
                    Error waitError = ServiceOfferWait.WaitFor(source, sourceLength, RemoteFileSystem.OfferWaitMilliseconds);
                    if (waitError != Error.None)
                        return waitError;
                }
                Error connectError = RemoteFileSystem.Connect(source, sourceLength, out RemoteFileSystem remote);
                if (connectError != Error.None)
                    return connectError;
                fileSystem = remote;
            }
            else
            {
                return Error.NoDevice;   // no such file system type
            }
            Error optionError = ApplyOptions(fileSystem, options, optionsLength, out bool readOnly);
            if (optionError != Error.None)
                return optionError;
            fileSystem.ReadOnly = (flags & ReadOnly) != 0 || readOnly;
            return source != null ? MountTable.MountOn(point, fileSystem, source, sourceLength) : MountTable.MountOn(point, fileSystem, "none");
        }

        // umount2(target, flags).
        private static ulong DoUnmount(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument1;
            if ((flags & ~(Force | Detach | Expire | NoFollow)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0,
                (flags & NoFollow) == 0, false, out Vnode point);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = Unmount(point, flags);
            point.Release();
            return SystemCallResult.From(error);
        }

        private static Error Unmount(Vnode point, int flags)
        {
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return Error.NotPermitted;
            if (point == MountTable.RootDirectory)
                return Error.Busy;   // the root is always in use (Linux tries a read-only remount, which its writers refuse)
            Mount mount = MountTable.MountOf(point);
            if (mount == null)
                return Error.Invalid;   // not a mount's root
            FileSystem fileSystem = mount.FileSystem;
            if (MountTable.HasMountsInside(fileSystem))
                return Error.Busy;
            bool used = InUse(fileSystem);
            if ((flags & Expire) != 0)
            {
                if ((flags & (Force | Detach)) != 0)
                    return Error.Invalid;
                if (used)
                    return Error.Busy;
                if (!mount.MarkedToExpire)
                {
                    mount.MarkedToExpire = true;
                    return Error.WouldBlock;   // EAGAIN: marked; the next MNT_EXPIRE unmounts it
                }
            }
            if (used && (flags & Detach) == 0)
                return Error.Busy;
            MountTable.Unmount(mount);
            // A lazily detached one still in use stays whole for its users (its memory is not given back then).
            if (!used && fileSystem is TmpfsFileSystem)
                Empty(fileSystem.Root);
            if (!used && fileSystem is RemoteFileSystem remote)
                remote.Disconnect();   // the server is told (it marks its disk clean), then hears no more from this mount
            return Error.None;
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

        // ---------------------------------------------------------------- options

        /// <summary>
        /// Applies the comma-separated options of mount's data to 'fileSystem': the generic ones every file system
        /// takes (ro, rw and those that change nothing here), then tmpfs's own; any other is EINVAL, as Linux's
        /// parsers answer. 'readOnly': "ro" was given.
        /// </summary>
        // Whether the comma-separated 'options' hold 'flag' alone (no value).
        private static bool HasFlag(byte* options, int length, string flag)
        {
            int start = 0;
            while (start < length)
            {
                int end = start;
                while (end < length && options[end] != (byte)',')
                    end++;
                if (Is(options + start, end - start, flag))
                    return true;
                start = end + 1;
            }
            return false;
        }

        private static Error ApplyOptions(FileSystem fileSystem, byte* options, int length, out bool readOnly)
        {
            readOnly = false;
            int start = 0;
            while (start < length)
            {
                int end = start;
                while (end < length && options[end] != (byte)',')
                    end++;
                int equals = start;
                while (equals < end && options[equals] != (byte)'=')
                    equals++;
                byte* key = options + start;
                int keyLength = equals - start;
                byte* value = options + equals + 1;
                int valueLength = equals < end ? end - equals - 1 : -1;
                if (keyLength > 0)
                {
                    if (Is(key, keyLength, "ro") && valueLength < 0)
                        readOnly = true;
                    else if (valueLength < 0 && (Is(key, keyLength, "rw") || Is(key, keyLength, "sync") || Is(key, keyLength, "async")
                             || Is(key, keyLength, "dirsync") || Is(key, keyLength, "lazytime") || Is(key, keyLength, "nolazytime")
                             || Is(key, keyLength, "silent")))
                        readOnly = readOnly && !Is(key, keyLength, "rw");
                    else if (valueLength < 0 && fileSystem is RemoteFileSystem && Is(key, keyLength, "wait"))
                    {
                        // ringfs's own: used before the connection (MountFileSystem)
                    }
                    else if (!(fileSystem is TmpfsFileSystem tmpfs) || TmpfsOption(tmpfs, key, keyLength, value, valueLength) != Error.None)
                        return Error.Invalid;
                }
                start = end + 1;
            }
            return Error.None;
        }

        // One of tmpfs's options (mm/shmem.c's shmem_fs_parameters): sizes in bytes with K, M, G... or a percentage of
        // memory for size, in pages for nr_blocks; mode in octal; uid and gid in decimal.
        private static Error TmpfsOption(TmpfsFileSystem tmpfs, byte* key, int keyLength, byte* value, int valueLength)
        {
            if (valueLength <= 0)
                return Error.Invalid;
            if (Is(key, keyLength, "size") || Is(key, keyLength, "nr_blocks"))
            {
                bool bytes = keyLength == 4;
                if (!ParseSize(value, valueLength, bytes, out ulong size))
                    return Error.Invalid;
                ulong pages = bytes ? (size + PageSize - 1) / PageSize : size;
                if (pages != 0 && pages < (ulong)tmpfs.PagesInUse)
                    return Error.Invalid;   // a remount may not shrink it below what its files hold
                tmpfs.MaximumPages = pages;
                return Error.None;
            }
            if (Is(key, keyLength, "nr_inodes"))
                return ParseSize(value, valueLength, false, out _) ? Error.None : Error.Invalid;   // no limit on objects here
            if (!ParseNumber(value, valueLength, Is(key, keyLength, "mode") ? 8u : 10u, out ulong number, out int used) || used != valueLength || number > uint.MaxValue)
                return Error.Invalid;
            if (Is(key, keyLength, "mode"))
                tmpfs.Root.Mode = (tmpfs.Root.Mode & FileMode.TypeMask) | ((uint)number & FileMode.ChangeableMask);
            else if (Is(key, keyLength, "uid"))
                tmpfs.Root.UserId = (uint)number;
            else if (Is(key, keyLength, "gid"))
                tmpfs.Root.GroupId = (uint)number;
            else
                return Error.Invalid;
            return Error.None;
        }

        // Linux's memparse: a number (0x hexadecimal, 0 octal) and a binary multiple K, M, G, T, P or E; "N%" of memory
        // where 'percentAllowed'.
        private static bool ParseSize(byte* value, int length, bool percentAllowed, out ulong size)
        {
            size = 0;
            if (!ParseNumber(value, length, 0, out ulong number, out int used))
                return false;
            if (used == length)
            {
                size = number;
                return true;
            }
            if (used + 1 != length)
                return false;
            byte suffix = (byte)(value[used] | 0x20);
            if (value[used] == (byte)'%' && percentAllowed)
            {
                size = PhysicalMemory.TotalUsableBytes / 100 * number;
                return true;
            }
            int shift = suffix == (byte)'k' ? 10 : suffix == (byte)'m' ? 20 : suffix == (byte)'g' ? 30 : suffix == (byte)'t' ? 40
                : suffix == (byte)'p' ? 50 : suffix == (byte)'e' ? 60 : -1;
            if (shift < 0 || number > ulong.MaxValue >> shift)
                return false;
            size = number << shift;
            return true;
        }

        // Digits in 'radix' (0: C's rule, 0x for 16 and a leading 0 for 8) from the start of 'value'; 'used' is how many bytes.
        private static bool ParseNumber(byte* value, int length, uint radix, out ulong number, out int used)
        {
            number = 0;
            used = 0;
            if (radix == 0)
            {
                radix = 10;
                if (length > 1 && value[0] == (byte)'0')
                {
                    radix = 8;
                    used = 1;
                    if ((value[1] | 0x20) == (byte)'x')
                    {
                        radix = 16;
                        used = 2;
                    }
                }
            }
            int first = used;
            for (; used < length; used++)
            {
                int c = value[used] | 0x20;
                uint digit = c >= '0' && c <= '9' ? (uint)(c - '0') : c >= 'a' && c <= 'f' ? (uint)(c - 'a' + 10) : 99;
                if (digit >= radix)
                    break;
                if (number > (ulong.MaxValue - digit) / radix)
                    return false;
                number = number * radix + digit;
            }
            return used > first || (radix == 8 && used == 1);
        }

        // ---------------------------------------------------------------- strings

        // A string argument (strndup_user with PATH_MAX): EFAULT for a bad pointer, EINVAL when too long; a null pointer is an empty string.
        private static Error CopyString(ulong user, byte* into, out int length)
        {
            length = 0;
            if (user == 0)
                return Error.None;
            Error error = PathWalker.CopyPath(user, into, out length, allowEmpty: true);
            return error == Error.NameTooLong ? Error.Invalid : error;
        }

        // The data argument (copy_mount_options): as much of one page as can be read, EFAULT if none can; read as
        // text up to its first zero (the last byte is made one, as Linux does).
        private static Error CopyOptions(ulong user, byte* into, out int length)
        {
            length = 0;
            if (user == 0)
                return Error.None;
            int copied = 0;
            while (copied < PageSize)
            {
                int chunk = (int)(0x1000 - ((user + (ulong)copied) & 0xFFF));
                if (chunk > PageSize - copied)
                    chunk = PageSize - copied;
                if (!UserMemory.CopyFromUser(into + copied, user + (ulong)copied, (ulong)chunk))
                    break;
                copied += chunk;
            }
            if (copied == 0)
                return Error.BadAddress;
            into[copied < PageSize ? copied : PageSize - 1] = 0;
            while (into[length] != 0)
                length++;
            return Error.None;
        }

        private static bool Is(byte* bytes, int length, string text)
        {
            if (length != text.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (bytes[i] != (byte)text[i])
                    return false;
            return true;
        }
    }
}
