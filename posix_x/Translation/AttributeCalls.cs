using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls that change a file's attributes: chmod (fchmod, fchmodat), chown (fchown, lchown, fchownat),
    /// umask, utimensat, utimes, futimesat, utime. The owner or root may change the mode; only root may give a file
    /// away, and a non-root owner may change its group only to its own; a change by non-root clears set-user-id.
    /// </summary>
    public static unsafe class AttributeCalls
    {
        private const long TimeNow = (1L << 30) - 1, TimeOmit = (1L << 30) - 2;   // UTIME_NOW, UTIME_OMIT
        private const uint Unchanged = uint.MaxValue;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Chmod, &DoChangeMode, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fchmod, &DoChangeFileMode, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fchmodat, &DoChangeModeAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Chown, &DoChangeOwner, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lchown, &DoChangeLinkOwner, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fchown, &DoChangeFileOwner, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fchownat, &DoChangeOwnerAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Umask, &DoSetCreationMask, CallPath.Fast);
            LinuxSystemCalls.Register(Utimensat, &DoSetTimesAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Utimes, &DoSetTimesInMicroseconds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Futimesat, &DoSetTimesInMicrosecondsAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Utime, &DoSetTimesInSeconds, CallPath.Hybrid);
        }

        private static ulong AtWorking => unchecked((ulong)DescriptorContext.WorkingDirectory);

        private static ulong DoChangeMode(RegisterFrame* frame) => OnPath(AtWorking, frame->Argument0, true, false, ChangeKind.Mode, (uint)frame->Argument1, 0);
        private static ulong DoChangeModeAt(RegisterFrame* frame) => OnPath(frame->Argument0, frame->Argument1, true, false, ChangeKind.Mode, (uint)frame->Argument2, 0);
        private static ulong DoChangeFileMode(RegisterFrame* frame) => OnFile(frame->Argument0, ChangeKind.Mode, (uint)frame->Argument1, 0);
        private static ulong DoChangeOwner(RegisterFrame* frame) => OnPath(AtWorking, frame->Argument0, true, false, ChangeKind.Owner, (uint)frame->Argument1, (uint)frame->Argument2);
        private static ulong DoChangeLinkOwner(RegisterFrame* frame) => OnPath(AtWorking, frame->Argument0, false, false, ChangeKind.Owner, (uint)frame->Argument1, (uint)frame->Argument2);
        private static ulong DoChangeFileOwner(RegisterFrame* frame) => OnFile(frame->Argument0, ChangeKind.Owner, (uint)frame->Argument1, (uint)frame->Argument2);

        private static ulong DoChangeOwnerAt(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument4;
            if ((flags & ~(DescriptorContext.AtSymlinkNoFollow | DescriptorContext.AtEmptyPath)) != 0)
                return SystemCallResult.From(Error.Invalid);
            return OnPath(frame->Argument0, frame->Argument1, (flags & DescriptorContext.AtSymlinkNoFollow) == 0,
                (flags & DescriptorContext.AtEmptyPath) != 0, ChangeKind.Owner, (uint)frame->Argument2, (uint)frame->Argument3);
        }

        private enum ChangeKind { Mode, Owner }

        private static ulong OnPath(ulong directory, ulong path, bool follow, bool emptyPath, ChangeKind kind, uint a, uint b)
        {
            Error error = DescriptorContext.ResolveAt(directory, path, follow, emptyPath, out Vnode node);
            if (error == Error.None)
            {
                error = Apply(node, kind, a, b);
                node.Release();
            }
            return SystemCallResult.From(error);
        }

        private static ulong OnFile(ulong descriptor, ChangeKind kind, uint a, uint b)
        {
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Error error = Apply(file.Node, kind, a, b);
            file.Release();
            return SystemCallResult.From(error);
        }

        private static Error Apply(Vnode node, ChangeKind kind, uint a, uint b)
        {
            Credentials credentials = LinuxProcess.Current.Credentials;
            if (node.FileSystem != null && node.FileSystem.ReadOnly)
                return Error.ReadOnlyFileSystem;
            if (kind == ChangeKind.Mode)
            {
                if (!Permissions.IsOwnerOrPrivileged(node, credentials))
                    return Error.NotPermitted;
                uint mode = a & FileMode.ChangeableMask;
                if (!credentials.IsFileSystemPrivileged && !credentials.InGroup(node.GroupId))
                    mode &= ~FileMode.SetGroupId;
                node.Mode = (node.Mode & FileMode.TypeMask) | mode;
                node.Changed = Timestamp.Now;
                return node.StoreAttributes(AttributeChange.Mode);
            }
            uint user = a, group = b;
            if (!credentials.IsFileSystemPrivileged)
            {
                if (user != Unchanged && user != node.UserId)
                    return Error.NotPermitted;
                if (credentials.FileSystemUserId != node.UserId)
                    return Error.NotPermitted;
                if (group != Unchanged && group != node.GroupId && !credentials.InGroup(group))
                    return Error.NotPermitted;
            }
            if (user != Unchanged)
                node.UserId = user;
            if (group != Unchanged)
                node.GroupId = group;
            if ((user != Unchanged || group != Unchanged) && !node.IsDirectory)
                node.Mode &= ~(FileMode.SetUserId | ((node.Mode & 0x8) != 0 ? FileMode.SetGroupId : 0));   // set-group-id only with group execute
            node.Changed = Timestamp.Now;
            return node.StoreAttributes(AttributeChange.Mode | AttributeChange.UserId | AttributeChange.GroupId);
        }

        private static ulong DoSetCreationMask(RegisterFrame* frame)
        {
            LinuxProcess process = LinuxProcess.Current;
            uint previous;
            using (process.Lock.Hold())
            {
                previous = process.FileCreationMask;
                process.FileCreationMask = (uint)frame->Argument0 & 0x1FF;
            }
            return previous;
        }

        private struct TimeSpecification { public long Seconds, Nanoseconds; }

        // utimensat(dirfd, path, times[2] or null, flags): null means both now; UTIME_NOW and UTIME_OMIT per entry.
        private static ulong DoSetTimesAt(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument3;
            if ((flags & ~(DescriptorContext.AtSymlinkNoFollow | DescriptorContext.AtEmptyPath)) != 0)
                return SystemCallResult.From(Error.Invalid);
            TimeSpecification* times = stackalloc TimeSpecification[2];
            bool given = frame->Argument2 != 0;
            if (given && !UserMemory.CopyFromUser(times, frame->Argument2, 32))
                return SystemCallResult.From(Error.BadAddress);
            if (!given)
                times[0].Nanoseconds = times[1].Nanoseconds = TimeNow;
            for (int i = 0; i < 2; i++)
                if (times[i].Nanoseconds != TimeNow && times[i].Nanoseconds != TimeOmit && (ulong)times[i].Nanoseconds >= 1_000_000_000)
                    return SystemCallResult.From(Error.Invalid);
            return SetTimes(frame->Argument0, frame->Argument1, times, (flags & DescriptorContext.AtSymlinkNoFollow) == 0,
                (flags & DescriptorContext.AtEmptyPath) != 0);
        }

        // utimes(path, timeval[2] or null) and futimesat(dirfd, path, timeval[2] or null): microseconds, each below a
        // million (EINVAL); null: both now.
        private static ulong DoSetTimesInMicroseconds(RegisterFrame* frame) => SetTimesInMicroseconds(AtWorking, frame->Argument0, frame->Argument1);
        private static ulong DoSetTimesInMicrosecondsAt(RegisterFrame* frame) => SetTimesInMicroseconds(frame->Argument0, frame->Argument1, frame->Argument2);

        private static ulong SetTimesInMicroseconds(ulong directory, ulong path, ulong userTimes)
        {
            TimeSpecification* times = stackalloc TimeSpecification[2];
            if (userTimes == 0)
            {
                times[0].Nanoseconds = times[1].Nanoseconds = TimeNow;
            }
            else
            {
                if (!UserMemory.CopyFromUser(times, userTimes, 32))
                    return SystemCallResult.From(Error.BadAddress);
                for (int i = 0; i < 2; i++)
                {
                    if ((ulong)times[i].Nanoseconds >= 1_000_000)
                        return SystemCallResult.From(Error.Invalid);
                    times[i].Nanoseconds *= 1000;
                }
            }
            return SetTimes(directory, path, times, follow: true, emptyPath: false);
        }

        // utime(path, utimbuf or null): whole seconds (actime, modtime); null: both now.
        private static ulong DoSetTimesInSeconds(RegisterFrame* frame)
        {
            TimeSpecification* times = stackalloc TimeSpecification[2];
            long* seconds = stackalloc long[2];
            if (frame->Argument1 == 0)
                times[0].Nanoseconds = times[1].Nanoseconds = TimeNow;
            else if (!UserMemory.CopyFromUser(seconds, frame->Argument1, 16))
                return SystemCallResult.From(Error.BadAddress);
            else
            {
                times[0] = new TimeSpecification { Seconds = seconds[0] };
                times[1] = new TimeSpecification { Seconds = seconds[1] };
            }
            return SetTimes(AtWorking, frame->Argument0, times, follow: true, emptyPath: false);
        }

        // The times (checked) of what 'path' names from 'directory', or of the descriptor 'directory' for a null path.
        private static ulong SetTimes(ulong directory, ulong path, TimeSpecification* times, bool follow, bool emptyPath)
        {
            Error error;
            Vnode node;
            if (path == 0 && (int)directory == DescriptorContext.WorkingDirectory)
                return SystemCallResult.From(Error.BadAddress);   // no descriptor to stand for a null path
            if (path == 0)
            {
                // A null path: the descriptor itself (futimens).
                OpenFile file = DescriptorContext.File(directory);
                if (file == null)
                    return SystemCallResult.From(Error.BadHandle);
                node = file.Node;
                node.AddReference();
                file.Release();
                error = Error.None;
            }
            else
            {
                error = DescriptorContext.ResolveAt(directory, path, follow, emptyPath, out node);
            }
            if (error != Error.None)
                return SystemCallResult.From(error);
            Credentials credentials = LinuxProcess.Current.Credentials;
            bool bothNow = times[0].Nanoseconds == TimeNow && times[1].Nanoseconds == TimeNow;
            // Setting explicit times needs ownership; setting "now" also accepts write permission.
            if (!Permissions.IsOwnerOrPrivileged(node, credentials) && !(bothNow && Permissions.Allows(node, credentials, FileMode.Write)))
                error = bothNow ? Error.AccessDenied : Error.NotPermitted;
            if (error == Error.None)
            {
                Timestamp now = Timestamp.Now;
                if (times[0].Nanoseconds != TimeOmit)
                    node.Accessed = times[0].Nanoseconds == TimeNow ? now : new Timestamp { Seconds = times[0].Seconds, Nanoseconds = times[0].Nanoseconds };
                if (times[1].Nanoseconds != TimeOmit)
                    node.Modified = times[1].Nanoseconds == TimeNow ? now : new Timestamp { Seconds = times[1].Seconds, Nanoseconds = times[1].Nanoseconds };
                node.Changed = now;
                error = node.StoreAttributes((times[0].Nanoseconds != TimeOmit ? AttributeChange.Accessed : 0)
                    | (times[1].Nanoseconds != TimeOmit ? AttributeChange.Modified : 0));
            }
            node.Release();
            return SystemCallResult.From(error);
        }
    }
}
