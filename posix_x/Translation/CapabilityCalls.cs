using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Processes;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// capget and capset. POSIX-X keeps no capability sets: privilege is the user ids' (Credentials.IsPrivileged), so a
    /// thread's sets are what Linux's would be for its ids without file capabilities: every capability permitted while
    /// one of its real, effective or saved user ids is 0, effective while its effective one is, none inheritable.
    /// capset accepts what changes nothing and refuses any change with EPERM: adding is what Linux refuses too, and a
    /// program that drops a capability must not believe POSIX-X's id-based checks stopped granting it.
    /// Versions 1 (32 bits), 2 and 3 (64 bits); another is EINVAL with version 3 written back (0 for a probe with no data).
    /// </summary>
    public static unsafe class CapabilityCalls
    {
        private const uint Version1 = 0x19980330, Version2 = 0x20071026, Version3 = 0x20080522;
        /// <summary>Linux's CAP_LAST_CAP (CAP_CHECKPOINT_RESTORE): capabilities 0 to 40.</summary>
        private const int LastCapability = 40;
        private const ulong AllCapabilities = (1UL << (LastCapability + 1)) - 1;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Capget, &DoGet, CallPath.Legacy);
            LinuxSystemCalls.Register(Capset, &DoSet, CallPath.Legacy);
        }

        // struct __user_cap_header_struct, struct __user_cap_data_struct.
        private struct Header { public uint Version; public int ProcessId; }
        private struct Data { public uint Effective, Permitted, Inheritable; }

        // capget(header, data): data null with a known version is a probe (0).
        private static ulong DoGet(RegisterFrame* frame)
        {
            Error error = ReadHeader(frame->Argument0, out Header header, out int words);
            if (frame->Argument1 == 0 || error != Error.None)
                return SystemCallResult.From(frame->Argument1 == 0 && error == Error.Invalid ? Error.None : error);
            if (header.ProcessId < 0)
                return SystemCallResult.From(Error.Invalid);
            error = SetsOf(header.ProcessId, out ulong effective, out ulong permitted);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Data* data = stackalloc Data[2];
            for (int i = 0; i < 2; i++)
                data[i] = new Data { Effective = (uint)(effective >> (32 * i)), Permitted = (uint)(permitted >> (32 * i)) };
            return UserMemory.CopyToUser(frame->Argument1, data, (ulong)(words * sizeof(Data))) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        // capset(header, data): the caller's own sets only (EPERM for another's, as Linux).
        private static ulong DoSet(RegisterFrame* frame)
        {
            Error error = ReadHeader(frame->Argument0, out Header header, out int words);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (header.ProcessId != 0 && header.ProcessId != LinuxThread.Current.ThreadId && header.ProcessId != LinuxProcess.Current.ProcessId)
                return SystemCallResult.From(Error.NotPermitted);
            Data* data = stackalloc Data[2];
            data[1] = default;
            if (!UserMemory.CopyFromUser(data, frame->Argument1, (ulong)(words * sizeof(Data))))
                return SystemCallResult.From(Error.BadAddress);
            SetsOf(0, out ulong effective, out ulong permitted);
            ulong newEffective = data[0].Effective | ((ulong)data[1].Effective << 32);
            ulong newPermitted = data[0].Permitted | ((ulong)data[1].Permitted << 32);
            ulong newInheritable = data[0].Inheritable | ((ulong)data[1].Inheritable << 32);
            if (words == 1)
            {
                // Version 1 names the low 32 capabilities only; the others stay as they are.
                newEffective |= effective & ~0xFFFF_FFFFUL;
                newPermitted |= permitted & ~0xFFFF_FFFFUL;
            }
            return newEffective == effective && newPermitted == permitted && newInheritable == 0 ? 0 : SystemCallResult.From(Error.NotPermitted);
        }

        // The header's version (EINVAL with version 3 written back for an unknown one) and how many data structures it has.
        private static Error ReadHeader(ulong address, out Header header, out int words)
        {
            words = 0;
            Header copy;
            header = default;
            if (!UserMemory.CopyFromUser(&copy, address, (ulong)sizeof(Header)))
                return Error.BadAddress;
            header = copy;
            if (header.Version == Version1)
                words = 1;
            else if (header.Version == Version2 || header.Version == Version3)
                words = 2;
            else
            {
                uint preferred = Version3;
                return UserMemory.CopyToUser(address, &preferred, 4) ? Error.Invalid : Error.BadAddress;
            }
            return Error.None;
        }

        // The sets of the thread 'id' (0: the caller) from its process's user ids; ESRCH if none.
        private static Error SetsOf(int id, out ulong effective, out ulong permitted)
        {
            effective = permitted = 0;
            LinuxThread state = PriorityCalls.FindThread(id, out LinuxProcess process, out UserThread thread);
            if (state != null)
            {
                Credentials credentials = process.Credentials;
                if (credentials.UserId == 0 || credentials.EffectiveUserId == 0 || credentials.SavedUserId == 0)
                    permitted = AllCapabilities;
                if (credentials.EffectiveUserId == 0)
                    effective = AllCapabilities;
            }
            PriorityCalls.ReleaseThread(process, thread);
            return state == null ? Error.NoSuchProcess : Error.None;
        }
    }
}
