using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls about who the process is: its user and group ids (real, effective, saved) and supplementary
    /// groups, and the file system ids file access uses (setfsuid, setfsgid). Every process starts as root (uid 0);
    /// root may set any id, and an unprivileged process only to one of its own ids, as on Linux.
    /// </summary>
    public static unsafe class IdentityCalls
    {
        private const uint Unchanged = uint.MaxValue;   // -1: leave this id as it is

        internal static void Register()
        {
            LinuxSystemCalls.Register(Getuid, &DoGetUserId, CallPath.Fast);
            LinuxSystemCalls.Register(Geteuid, &DoGetEffectiveUserId, CallPath.Fast);
            LinuxSystemCalls.Register(Getgid, &DoGetGroupId, CallPath.Fast);
            LinuxSystemCalls.Register(Getegid, &DoGetEffectiveGroupId, CallPath.Fast);
            LinuxSystemCalls.Register(Setuid, &DoSetUserId, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setgid, &DoSetGroupId, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setresuid, &DoSetUserIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setresgid, &DoSetGroupIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setreuid, &DoSetRealEffectiveUserIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setregid, &DoSetRealEffectiveGroupIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getresuid, &DoGetUserIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getresgid, &DoGetGroupIds, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getgroups, &DoGetGroups, CallPath.Fast);
            LinuxSystemCalls.Register(Setgroups, &DoSetGroups, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setfsuid, &DoSetFileSystemUserId, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setfsgid, &DoSetFileSystemGroupId, CallPath.Hybrid);
        }

        private static ulong DoGetUserId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.UserId;
        private static ulong DoGetEffectiveUserId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.EffectiveUserId;
        private static ulong DoGetGroupId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.GroupId;
        private static ulong DoGetEffectiveGroupId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.EffectiveGroupId;

        // setuid: root sets all three; others only the effective id, to its real or saved id. -1 is not an id.
        private static ulong DoSetUserId(RegisterFrame* frame) => SetOne((uint)frame->Argument0, users: true);

        private static ulong DoSetGroupId(RegisterFrame* frame) => SetOne((uint)frame->Argument0, users: false);

        private static ulong SetOne(uint id, bool users)
        {
            if (id == Unchanged)
                return SystemCallResult.From(Error.Invalid);
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                Ids ids = Ids.Of(c, users);
                if (c.IsPrivileged)
                    ids.Real = ids.Effective = ids.Saved = id;
                else if (id == ids.Real || id == ids.Saved)
                    ids.Effective = id;
                else
                    return SystemCallResult.From(Error.NotPermitted);
                ids.Store(ref c, users);
            }
            return 0;
        }

        private static ulong DoSetUserIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, (uint)frame->Argument2, users: true);

        private static ulong DoSetGroupIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, (uint)frame->Argument2, users: false);

        private static ulong DoSetRealEffectiveUserIds(RegisterFrame* frame)
            => SetRealEffective((uint)frame->Argument0, (uint)frame->Argument1, users: true);

        private static ulong DoSetRealEffectiveGroupIds(RegisterFrame* frame)
            => SetRealEffective((uint)frame->Argument0, (uint)frame->Argument1, users: false);

        // setres[ug]id: each id -1 (unchanged) or, for an unprivileged process, one of its current three.
        private static ulong SetIds(uint real, uint effective, uint saved, bool users)
        {
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                Ids ids = Ids.Of(c, users);
                if (!c.IsPrivileged && (!ids.Holds(real) || !ids.Holds(effective) || !ids.Holds(saved)))
                    return SystemCallResult.From(Error.NotPermitted);
                if (real != Unchanged) ids.Real = real;
                if (effective != Unchanged) ids.Effective = effective;
                if (saved != Unchanged) ids.Saved = saved;
                ids.Store(ref c, users);
            }
            return 0;
        }

        // setre[ug]id, as Linux: the real id may become the real or effective one, the effective id any of the three
        // (anything for root); the saved id follows the new effective id when the real id is set or the effective id
        // moves away from the old real one.
        private static ulong SetRealEffective(uint real, uint effective, bool users)
        {
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                Ids old = Ids.Of(c, users), ids = old;
                if (!c.IsPrivileged && ((real != Unchanged && real != old.Real && real != old.Effective) || !old.Holds(effective)))
                    return SystemCallResult.From(Error.NotPermitted);
                if (real != Unchanged) ids.Real = real;
                if (effective != Unchanged) ids.Effective = effective;
                if (real != Unchanged || (effective != Unchanged && effective != old.Real))
                    ids.Saved = ids.Effective;
                ids.Store(ref c, users);
            }
            return 0;
        }

        // setfs[ug]id: returns the previous file system id; sets it when the new one is one of the process's ids or the
        // caller is root. -1 (not an id) only asks.
        private static ulong DoSetFileSystemUserId(RegisterFrame* frame) => SetFileSystemId((uint)frame->Argument0, users: true);

        private static ulong DoSetFileSystemGroupId(RegisterFrame* frame) => SetFileSystemId((uint)frame->Argument0, users: false);

        private static ulong SetFileSystemId(uint id, bool users)
        {
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                Ids ids = Ids.Of(c, users);
                uint previous = ids.FileSystem;
                if (id != Unchanged && (c.IsPrivileged || id == ids.Real || id == ids.Effective || id == ids.Saved || id == ids.FileSystem))
                {
                    if (users) c.FileSystemUserId = id;
                    else c.FileSystemGroupId = id;
                }
                return previous;
            }
        }

        // One kind of ids (users' or groups'), read and stored together; the file system id follows the effective one.
        private struct Ids
        {
            public uint Real, Effective, Saved, FileSystem;

            public static Ids Of(in Credentials c, bool users) => users
                ? new Ids { Real = c.UserId, Effective = c.EffectiveUserId, Saved = c.SavedUserId, FileSystem = c.FileSystemUserId }
                : new Ids { Real = c.GroupId, Effective = c.EffectiveGroupId, Saved = c.SavedGroupId, FileSystem = c.FileSystemGroupId };

            public bool Holds(uint id) => id == Unchanged || id == Real || id == Effective || id == Saved;

            public void Store(ref Credentials c, bool users)
            {
                if (users) { c.UserId = Real; c.EffectiveUserId = Effective; c.SavedUserId = Saved; c.FileSystemUserId = Effective; }
                else { c.GroupId = Real; c.EffectiveGroupId = Effective; c.SavedGroupId = Saved; c.FileSystemGroupId = Effective; }
            }
        }

        private static ulong DoGetUserIds(RegisterFrame* frame)
        {
            Credentials c = LinuxProcess.Current.Credentials;
            return WriteThree(frame, c.UserId, c.EffectiveUserId, c.SavedUserId);
        }

        private static ulong DoGetGroupIds(RegisterFrame* frame)
        {
            Credentials c = LinuxProcess.Current.Credentials;
            return WriteThree(frame, c.GroupId, c.EffectiveGroupId, c.SavedGroupId);
        }

        private static ulong WriteThree(RegisterFrame* frame, uint a, uint b, uint c)
        {
            if (!UserMemory.CopyToUser(frame->Argument0, &a, 4) || !UserMemory.CopyToUser(frame->Argument1, &b, 4)
                || !UserMemory.CopyToUser(frame->Argument2, &c, 4))
                return SystemCallResult.From(Error.BadAddress);
            return 0;
        }

        // getgroups(size, list): the count for size 0, EINVAL for a list too small for them.
        private static ulong DoGetGroups(RegisterFrame* frame)
        {
            long size = (int)frame->Argument0;
            if (size < 0)
                return SystemCallResult.From(Error.Invalid);
            Credentials c = LinuxProcess.Current.Credentials;
            if (size == 0)
                return (ulong)c.GroupCount;
            if (size < c.GroupCount)
                return SystemCallResult.From(Error.Invalid);
            return UserMemory.CopyToUser(frame->Argument1, c.Groups, (ulong)c.GroupCount * 4) ? (ulong)c.GroupCount
                : SystemCallResult.From(Error.BadAddress);
        }

        // setgroups(size, list): root only; kept sorted, as Linux keeps them (getgroups answers in that order).
        private static ulong DoSetGroups(RegisterFrame* frame)
        {
            LinuxProcess process = LinuxProcess.Current;
            if (!process.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            ulong size = (uint)frame->Argument0;
            if (size > LinuxGroupsLimit || size > Credentials.MaximumGroups)
                return SystemCallResult.From(Error.Invalid);
            uint* groups = stackalloc uint[Credentials.MaximumGroups];
            if (size != 0 && !UserMemory.CopyFromUser(groups, frame->Argument1, size * 4))
                return SystemCallResult.From(Error.BadAddress);
            for (int i = 1; i < (int)size; i++)
            {
                uint group = groups[i];
                int j = i - 1;
                for (; j >= 0 && groups[j] > group; j--)
                    groups[j + 1] = groups[j];
                groups[j + 1] = group;
            }
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                for (int i = 0; i < (int)size; i++)
                    c.Groups[i] = groups[i];
                c.GroupCount = (int)size;
            }
            return 0;
        }

        private const ulong LinuxGroupsLimit = 65536;   // NGROUPS_MAX
    }
}
