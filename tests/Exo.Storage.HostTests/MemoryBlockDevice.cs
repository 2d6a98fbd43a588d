using System;
using Exo.Abi;
using Exo.Storage.Ext;

namespace Exo.Storage.HostTests
{
    /// <summary>A block device over an image in memory (the fuzz test's mutated copies), with an optional failing sector range.</summary>
    public sealed unsafe class MemoryBlockDevice : IBlockDevice
    {
        public readonly byte[] Image;

        public MemoryBlockDevice(byte[] image, bool readOnly = false)
        {
            Image = image;
            IsReadOnly = readOnly;
        }

        public uint SectorSize => 512;
        public ulong SectorCount => (ulong)Image.Length / 512;
        public bool IsReadOnly { get; }

        public Error Read(ulong sector, uint count, byte* buffer)
        {
            if (sector + count > SectorCount)
                return Error.InputOutput;
            new ReadOnlySpan<byte>(Image, (int)(sector * 512), (int)(count * 512)).CopyTo(new Span<byte>(buffer, (int)(count * 512)));
            return Error.None;
        }

        public Error Write(ulong sector, uint count, byte* buffer)
        {
            if (IsReadOnly)
                return Error.ReadOnlyFileSystem;
            if (sector + count > SectorCount)
                return Error.InputOutput;
            new ReadOnlySpan<byte>(buffer, (int)(count * 512)).CopyTo(new Span<byte>(Image, (int)(sector * 512), (int)(count * 512)));
            return Error.None;
        }

        public Error WriteRuns(SectorRun* runs, int count) => SectorRun.WriteEach(this, runs, count);

        public Error Flush() => Error.None;
    }
}
