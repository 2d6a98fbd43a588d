using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls about who the process is: its user and group ids (real, effective, saved) and supplementary
    /// groups. Every process starts as root (uid 0); root may set any id, and an unprivileged process only to one
    /// of its own ids, as on Linux. No supplementary groups are kept yet (getgroups answers none).
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
        }

        private static ulong DoGetUserId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.UserId;
        private static ulong DoGetEffectiveUserId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.EffectiveUserId;
        private static ulong DoGetGroupId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.GroupId;
        private static ulong DoGetEffectiveGroupId(RegisterFrame* frame) => LinuxProcess.Current.Credentials.EffectiveGroupId;

        // setuid: root sets all three; others only the effective id, to its real or saved id.
        private static ulong DoSetUserId(RegisterFrame* frame)
        {
            uint id = (uint)frame->Argument0;
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials credentials = ref process.Credentials;
                if (credentials.IsPrivileged)
                    credentials.UserId = credentials.EffectiveUserId = credentials.SavedUserId = id;
                else if (id == credentials.UserId || id == credentials.SavedUserId)
                    credentials.EffectiveUserId = id;
                else
                    return SystemCallResult.From(Error.NotPermitted);
            }
            return 0;
        }

        private static ulong DoSetGroupId(RegisterFrame* frame)
        {
            uint id = (uint)frame->Argument0;
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials credentials = ref process.Credentials;
                if (credentials.IsPrivileged)
                    credentials.GroupId = credentials.EffectiveGroupId = credentials.SavedGroupId = id;
                else if (id == credentials.GroupId || id == credentials.SavedGroupId)
                    credentials.EffectiveGroupId = id;
                else
                    return SystemCallResult.From(Error.NotPermitted);
            }
            return 0;
        }

        private static ulong DoSetUserIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, (uint)frame->Argument2, users: true);

        private static ulong DoSetGroupIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, (uint)frame->Argument2, users: false);

        private static ulong DoSetRealEffectiveUserIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, Unchanged, users: true);

        private static ulong DoSetRealEffectiveGroupIds(RegisterFrame* frame)
            => SetIds((uint)frame->Argument0, (uint)frame->Argument1, Unchanged, users: false);

        // setres[ug]id: each id -1 (unchanged) or, for an unprivileged process, one of its current three.
        private static ulong SetIds(uint real, uint effective, uint saved, bool users)
        {
            LinuxProcess process = LinuxProcess.Current;
            using (process.Lock.Hold())
            {
                ref Credentials c = ref process.Credentials;
                uint r = users ? c.UserId : c.GroupId, e = users ? c.EffectiveUserId : c.EffectiveGroupId, s = users ? c.SavedUserId : c.SavedGroupId;
                if (!c.IsPrivileged && (!Allowed(real, r, e, s) || !Allowed(effective, r, e, s) || !Allowed(saved, r, e, s)))
                    return SystemCallResult.From(Error.NotPermitted);
                if (real != Unchanged) r = real;
                if (effective != Unchanged) e = effective;
                if (saved != Unchanged) s = saved;
                if (users) { c.UserId = r; c.EffectiveUserId = e; c.SavedUserId = s; }
                else { c.GroupId = r; c.EffectiveGroupId = e; c.SavedGroupId = s; }
            }
            return 0;
        }

        private static bool Allowed(uint id, uint real, uint effective, uint saved)
            => id == Unchanged || id == real || id == effective || id == saved;

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

        private static ulong DoGetGroups(RegisterFrame* frame) => (long)frame->Argument0 < 0 ? SystemCallResult.From(Error.Invalid) : 0;

        private static ulong DoSetGroups(RegisterFrame* frame)
        {
            if (!LinuxProcess.Current.Credentials.IsPrivileged)
                return SystemCallResult.From(Error.NotPermitted);
            return frame->Argument0 > 65536 ? SystemCallResult.From(Error.Invalid) : 0;
        }
    }
}
