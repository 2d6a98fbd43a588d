using Exo.Abi;
using Exo.Storage.Ext;

namespace Extfs
{
    /// <summary>A block device over a disk image in memory (512-byte sectors): the service's device until virtio-blk's client is there.</summary>
    public sealed unsafe class MemoryImageDevice : IBlockDevice
    {
        private readonly byte* _image;
        private readonly ulong _sectors;

        public MemoryImageDevice(byte* image, ulong length, bool readOnly)
        {
            _image = image;
            _sectors = length / 512;
            IsReadOnly = readOnly;
        }

        public uint SectorSize => 512;
        public ulong SectorCount => _sectors;
        public bool IsReadOnly { get; }

        public Error Read(ulong sector, uint count, byte* buffer) => Copy(sector, count, _image + sector * 512, buffer);

        public Error Write(ulong sector, uint count, byte* buffer) =>
            IsReadOnly ? Error.ReadOnlyFileSystem : Copy(sector, count, buffer, _image + sector * 512);

        private Error Copy(ulong sector, uint count, byte* from, byte* to)
        {
            if (sector > _sectors || count > _sectors - sector)
                return Error.InputOutput;
            ulong bytes = (ulong)count * 512;
            System.Buffer.MemoryCopy(from, to, bytes, bytes);
            return Error.None;
        }

        public Error WriteRuns(SectorRun* runs, int count) => SectorRun.WriteEach(this, runs, count);

        public Error Flush() => Error.None;
    }
}
