using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Exo.Storage.HostTests
{
    /// <summary>stat(2) of a host file (mode, owner, modification time), through the C library.</summary>
    public sealed unsafe class HostFileStatus
    {
        public readonly uint Mode, UserId, GroupId;
        public readonly long ModifiedSeconds;

        [DllImport("libc", SetLastError = true)]
        private static extern int lstat(string path, byte* buffer);

        public HostFileStatus(string path)
        {
            byte* buffer = stackalloc byte[256];
            if (lstat(path, buffer) != 0)
                throw new IOException("lstat " + path);
            // x86-64 struct stat: st_mode at 24, st_uid 28, st_gid 32, st_mtim at 88.
            Mode = *(uint*)(buffer + 24);
            UserId = *(uint*)(buffer + 28);
            GroupId = *(uint*)(buffer + 32);
            ModifiedSeconds = *(long*)(buffer + 88);
        }
    }
}
