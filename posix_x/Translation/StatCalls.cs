using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux calls that describe files: stat, lstat, fstat, newfstatat, statx, statfs, fstatfs, access,
    /// faccessat, faccessat2. The structures are Linux's x86-64 layouts.
    /// </summary>
    public static unsafe class StatCalls
    {
        private const int AccessExists = 0;
        private const uint StatxBasicStats = 0x7FF;
        private const uint StatxReservedMask = 0x80000000;
        private const int StatxSynchronizationType = 0x6000;   // AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC
        private const int StatxKnownFlags = DescriptorContext.AtSymlinkNoFollow | DescriptorContext.AtNoAutomount
            | DescriptorContext.AtEmptyPath | StatxSynchronizationType;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Stat, &DoStat, CallPath.Hybrid);
            LinuxSystemCalls.Register(Lstat, &DoLinkStat, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fstat, &DoFileStat, CallPath.Hybrid);
            LinuxSystemCalls.Register(Newfstatat, &DoStatAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Statx, &DoStatExtended, CallPath.Hybrid);
            LinuxSystemCalls.Register(Statfs, &DoFileSystemStat, CallPath.Hybrid);
            LinuxSystemCalls.Register(Fstatfs, &DoFileFileSystemStat, CallPath.Hybrid);
            LinuxSystemCalls.Register(Access, &DoAccess, CallPath.Hybrid);
            LinuxSystemCalls.Register(Faccessat, &DoAccessAt, CallPath.Hybrid);
            LinuxSystemCalls.Register(Faccessat2, &DoAccessAt2, CallPath.Hybrid);
        }

        /// <summary>struct stat on x86-64 (144 bytes).</summary>
        public struct FileStatus
        {
            public ulong Device, Inode, LinkCount;
            public uint Mode, UserId, GroupId, Padding;
            public ulong SpecialDevice;
            public long Size, BlockSize, Blocks;
            public long AccessSeconds, AccessNanoseconds, ModifySeconds, ModifyNanoseconds, ChangeSeconds, ChangeNanoseconds;
            public fixed long Unused[3];
        }

        public static FileStatus Describe(Vnode node)
        {
            FileStatus status = default;
            status.Device = node.FileSystemDevice;
            status.Inode = node.Inode;
            status.LinkCount = node.LinkCount;
            status.Mode = node.Mode;
            status.UserId = node.UserId;
            status.GroupId = node.GroupId;
            status.SpecialDevice = node.Device;
            status.Size = (long)node.Size;
            status.BlockSize = 4096;
            status.Blocks = (long)node.Blocks;
            status.AccessSeconds = node.Accessed.Seconds; status.AccessNanoseconds = node.Accessed.Nanoseconds;
            status.ModifySeconds = node.Modified.Seconds; status.ModifyNanoseconds = node.Modified.Nanoseconds;
            status.ChangeSeconds = node.Changed.Seconds; status.ChangeNanoseconds = node.Changed.Nanoseconds;
            return status;
        }

        private static ulong Copy(Vnode node, ulong destination)
        {
            FileStatus status = Describe(node);
            node.Release();
            return UserMemory.CopyToUser(destination, &status, (ulong)sizeof(FileStatus)) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoStat(RegisterFrame* frame) => StatPath(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, frame->Argument1, 0);
        private static ulong DoLinkStat(RegisterFrame* frame) => StatPath(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, frame->Argument1, DescriptorContext.AtSymlinkNoFollow);
        private static ulong DoStatAt(RegisterFrame* frame) => StatPath(frame->Argument0, frame->Argument1, frame->Argument2, (int)frame->Argument3);

        private static ulong StatPath(ulong directory, ulong path, ulong destination, int flags)
        {
            if ((flags & ~(DescriptorContext.AtSymlinkNoFollow | DescriptorContext.AtEmptyPath | DescriptorContext.AtNoAutomount)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(directory, path, (flags & DescriptorContext.AtSymlinkNoFollow) == 0,
                (flags & DescriptorContext.AtEmptyPath) != 0, out Vnode node);
            return error != Error.None ? SystemCallResult.From(error) : Copy(node, destination);
        }

        private static ulong DoFileStat(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Vnode node = file.Node;
            node.AddReference();
            file.Release();
            return Copy(node, frame->Argument1);
        }

        private struct StatxTimestamp { public long Seconds; public uint Nanoseconds; public int Reserved; }

        /// <summary>struct statx (256 bytes).</summary>
        private struct ExtendedStatus
        {
            public uint Mask, BlockSize;
            public ulong Attributes;
            public uint LinkCount, UserId, GroupId;
            public ushort Mode, Spare0;
            public ulong Inode, Size, Blocks, AttributesMask;
            public StatxTimestamp Accessed, Born, Changed, Modified;
            public uint DeviceMajorOfSpecial, DeviceMinorOfSpecial, DeviceMajor, DeviceMinor;
            public fixed ulong Spare[14];
        }

        private static ulong DoStatExtended(RegisterFrame* frame)
        {
            int flags = (int)frame->Argument2;
            // Linux's checks, before the path: flags it knows (AT_STATX_FORCE_SYNC and DONT_SYNC not both), a mask
            // without STATX__RESERVED.
            if ((flags & ~StatxKnownFlags) != 0 || (flags & StatxSynchronizationType) == StatxSynchronizationType
                || ((uint)frame->Argument3 & StatxReservedMask) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(frame->Argument0, frame->Argument1, (flags & DescriptorContext.AtSymlinkNoFollow) == 0,
                (flags & DescriptorContext.AtEmptyPath) != 0, out Vnode node);
            if (error != Error.None)
                return SystemCallResult.From(error);
            ExtendedStatus status = default;
            status.Mask = StatxBasicStats;
            status.BlockSize = 4096;
            status.LinkCount = node.LinkCount;
            status.UserId = node.UserId;
            status.GroupId = node.GroupId;
            status.Mode = (ushort)node.Mode;
            status.Inode = node.Inode;
            status.Size = node.Size;
            status.Blocks = node.Blocks;
            status.Accessed = new StatxTimestamp { Seconds = node.Accessed.Seconds, Nanoseconds = (uint)node.Accessed.Nanoseconds };
            status.Modified = new StatxTimestamp { Seconds = node.Modified.Seconds, Nanoseconds = (uint)node.Modified.Nanoseconds };
            status.Changed = new StatxTimestamp { Seconds = node.Changed.Seconds, Nanoseconds = (uint)node.Changed.Nanoseconds };
            status.DeviceMajorOfSpecial = (uint)Devices.Major(node.Device);
            status.DeviceMinorOfSpecial = (uint)Devices.Minor(node.Device);
            status.DeviceMajor = 0;
            status.DeviceMinor = (uint)node.FileSystemDevice;
            node.Release();
            return UserMemory.CopyToUser(frame->Argument4, &status, (ulong)sizeof(ExtendedStatus)) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        /// <summary>struct statfs on x86-64 (120 bytes).</summary>
        private struct FileSystemStatus
        {
            public long Type, BlockSize;
            public ulong Blocks, FreeBlocks, AvailableBlocks, Files, FreeFiles;
            public int FileSystemId0, FileSystemId1;
            public long NameLength, FragmentSize, Flags;
            public fixed long Spare[4];
        }

        private static ulong DescribeFileSystem(Vnode node, ulong destination)
        {
            FileSystemStatistics statistics = node.FileSystem.Statistics;
            FileSystemStatus status = default;
            status.Type = (long)statistics.Type;
            status.BlockSize = (long)statistics.BlockSize;
            status.Blocks = statistics.Blocks;
            status.FreeBlocks = statistics.FreeBlocks;
            status.AvailableBlocks = statistics.AvailableBlocks;
            status.Files = statistics.Files;
            status.FreeFiles = statistics.FreeFiles;
            status.FileSystemId0 = (int)node.FileSystem.DeviceId;
            status.NameLength = (long)statistics.MaximumNameLength;
            status.FragmentSize = (long)statistics.BlockSize;
            status.Flags = node.FileSystem.ReadOnly ? 1 : 0;   // ST_RDONLY
            node.Release();
            return UserMemory.CopyToUser(destination, &status, (ulong)sizeof(FileSystemStatus)) ? 0 : SystemCallResult.From(Error.BadAddress);
        }

        private static ulong DoFileSystemStat(RegisterFrame* frame)
        {
            Error error = DescriptorContext.ResolveAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, true, false, out Vnode node);
            return error != Error.None ? SystemCallResult.From(error) : DescribeFileSystem(node, frame->Argument1);
        }

        private static ulong DoFileFileSystemStat(RegisterFrame* frame)
        {
            OpenFile file = DescriptorContext.File(frame->Argument0);
            if (file == null)
                return SystemCallResult.From(Error.BadHandle);
            Vnode node = file.Node;
            node.AddReference();
            file.Release();
            return DescribeFileSystem(node, frame->Argument1);
        }

        private static ulong DoAccess(RegisterFrame* frame) => AccessAt(unchecked((ulong)DescriptorContext.WorkingDirectory), frame->Argument0, (int)frame->Argument1, 0);
        private static ulong DoAccessAt(RegisterFrame* frame) => AccessAt(frame->Argument0, frame->Argument1, (int)frame->Argument2, 0);
        private static ulong DoAccessAt2(RegisterFrame* frame) => AccessAt(frame->Argument0, frame->Argument1, (int)frame->Argument2, (int)frame->Argument3);

        // access checks with the real ids (AT_EACCESS: the effective ones); F_OK only that the path resolves.
        private static ulong AccessAt(ulong directory, ulong path, int mode, int flags)
        {
            if ((mode & ~7) != 0 || (flags & ~(DescriptorContext.AtEaccess | DescriptorContext.AtSymlinkNoFollow | DescriptorContext.AtEmptyPath)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = DescriptorContext.ResolveAt(directory, path, (flags & DescriptorContext.AtSymlinkNoFollow) == 0,
                (flags & DescriptorContext.AtEmptyPath) != 0, out Vnode node);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Credentials credentials = LinuxProcess.Current.Credentials;
            if ((flags & DescriptorContext.AtEaccess) == 0)
            {
                credentials.FileSystemUserId = credentials.UserId;   // access(): as the real ids would
                credentials.FileSystemGroupId = credentials.GroupId;
            }
            if (mode != AccessExists)
                error = Permissions.Check(node, credentials, (uint)mode);
            if (error == Error.None && (mode & (int)FileMode.Write) != 0 && node.FileSystem != null && node.FileSystem.ReadOnly)
                error = Error.ReadOnlyFileSystem;
            node.Release();
            return SystemCallResult.From(error);
        }
    }
}
