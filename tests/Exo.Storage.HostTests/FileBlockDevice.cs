using System;
using System.IO;
using Exo.Abi;
using Exo.Storage.Ext;

namespace Exo.Storage.HostTests
{
    /// <summary>A block device over an image file (512-byte sectors), as the tests' stand-in for virtio-blk.</summary>
    public sealed unsafe class FileBlockDevice : IBlockDevice, IDisposable
    {
        private readonly FileStream _file;
        public int Writes, Flushes;

        public FileBlockDevice(string path, bool readOnly = false)
        {
            _file = new FileStream(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite);
            IsReadOnly = readOnly;
        }

        public uint SectorSize => 512;
        public ulong SectorCount => (ulong)_file.Length / 512;
        public bool IsReadOnly { get; }

        public Error Read(ulong sector, uint count, byte* buffer)
        {
            if (sector + count > SectorCount)
                return Error.InputOutput;
            _file.Position = (long)(sector * 512);
            var span = new Span<byte>(buffer, (int)(count * 512));
            _file.ReadExactly(span);
            return Error.None;
        }

        public Error Write(ulong sector, uint count, byte* buffer)
        {
            if (IsReadOnly)
                return Error.ReadOnlyFileSystem;
            if (sector + count > SectorCount)
                return Error.InputOutput;
            _file.Position = (long)(sector * 512);
            _file.Write(new ReadOnlySpan<byte>(buffer, (int)(count * 512)));
            Writes++;
            return Error.None;
        }

        public Error WriteRuns(SectorRun* runs, int count) => SectorRun.WriteEach(this, runs, count);

        public Error Flush()
        {
            _file.Flush(true);
            Flushes++;
            return Error.None;
        }

        public void Dispose() => _file.Dispose();
    }
}
