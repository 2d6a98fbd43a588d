using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Storage.Ext;

namespace Extfs
{
    /// <summary>
    /// extfs: an ext2/ext4 file system served to the kernel over a Fusion Ring channel (libs/Exo.Protocols/FileSystem),
    /// like memfs, from the library in userland/services/storage/ext on a block device. The device manager starts it
    /// for each disk after virtio_blk as "extfs NAME" with the client side of the disk's block-device channel (its
    /// memory, the notification it waits on, the driver's to signal) and the console; it mounts the disk and offers
    /// itself to the kernel as NAME (`mount -t ringfs NAME DIR`). Every change is written back to the disk and
    /// flushed before its reply, so a machine stopped after a reply loses nothing.
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>
        /// The disk: the block-device channel the device manager gave, else (by hand: "extfs NAME MIB") an image of
        /// MIB MiB in memory, which nothing fills (it holds no file system, so the mount is refused with EINVAL).
        /// </summary>
        private static IBlockDevice OpenDevice()
        {
            Handle memory = Process.StartupHandle(0);
            if (memory.Info(out ObjectType type, out _) == Error.None && type == ObjectType.MemoryObject)
            {
                BlockDeviceClient client = null;
                Error error = BlockChannel.Attach(new MemoryObject(memory), new Notification(Process.StartupHandle(1)),
                    new Notification(Process.StartupHandle(2)), false, out BlockChannel channel);
                if (error == Error.None)
                    error = BlockDeviceClient.Open(channel, out client);
                if (error == Error.None)
                    return client;
                Console.Write("extfs: the disk's channel failed: ");
                Console.WriteLine(Errors.Describe(error));
                return null;
            }
            if (!Process.TryGetArgument(2, out byte* text, out int length))
                return null;
            ulong mebibytes = 0;
            for (int i = 0; i < length && i < 6; i++)
            {
                if (text[i] < '0' || text[i] > '9')
                    return null;
                mebibytes = mebibytes * 10 + (ulong)(text[i] - '0');
            }
            ulong bytes = mebibytes << 20;
            byte* image = bytes == 0 ? null : (byte*)Exo.Std.Memory.UserHeap.Allocate((nuint)bytes);
            return image == null ? null : new MemoryImageDevice(image, bytes, false);
        }

        /// <summary>
        /// The block cache, in blocks of the largest size (4 MiB: 1,024 blocks of 4 KiB). Changes wait in it for the
        /// write-back, so it holds a working set of metadata and recent data, as Linux's page cache would.
        /// </summary>
        private const int CacheBlocks = 64;

        /// <summary>
        /// The file system on the disk: the whole disk, or its first partition holding one (VolumeLocator), said on
        /// the console. Null, said too, when the disk cannot be read; a disk with no ext file system anywhere is
        /// served whole, and its mount is refused (EINVAL) as before.
        /// </summary>
        private static IBlockDevice Locate(IBlockDevice disk, out ulong firstSector)
        {
            firstSector = 0;
            byte* scratch = (byte*)Exo.Std.Memory.UserHeap.Allocate(Exo.Storage.Partitions.PartitionTable.ScratchBytes);
            if (scratch == null)
            {
                Console.WriteLine("extfs: out of memory");
                return null;
            }
            Error error = Exo.Storage.Partitions.VolumeLocator.Locate(disk, scratch, out IBlockDevice volume,
                out Exo.Storage.Partitions.Partition partition, out Exo.Storage.Partitions.PartitionScheme scheme);
            Exo.Std.Memory.UserHeap.Free(scratch);
            if (error != Error.None)
            {
                Console.Write("extfs: cannot read the disk: ");
                Console.WriteLine(Errors.Describe(error));
                return null;
            }
            if (volume == null || volume == disk)
                return disk;
            firstSector = partition.FirstSector;
            Console.Write(scheme == Exo.Storage.Partitions.PartitionScheme.Guid ? "extfs: GPT partition " : "extfs: MBR partition ");
            Console.Write(partition.Number);
            Console.Write(", sectors ");
            Console.Write(partition.FirstSector);
            Console.Write(" to ");
            Console.Write(partition.FirstSector + partition.SectorCount - 1);
            Console.WriteLine();
            return volume;
        }

        public static int Main()
        {
            IBlockDevice disk = OpenDevice();
            if (disk == null)
            {
                Console.WriteLine("extfs: no block device");
                return 1;
            }
            IBlockDevice device = Locate(disk, out ulong firstSector);
            if (device == null)
                return 1;
            ulong workspaceLength = ExtFileSystem.WorkspaceBytes(CacheBlocks);
            byte* workspace = (byte*)Exo.Std.Memory.UserHeap.Allocate((nuint)workspaceLength);
            if (workspace == null)
            {
                Console.WriteLine("extfs: out of memory");
                return 1;
            }
            Error error = ExtFileSystem.Mount(device, workspace, workspaceLength, device.IsReadOnly, null, out ExtFileSystem fileSystem);
            if (error != Error.None)
            {
                Console.Write("extfs: cannot mount: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            bool readOnly = device.IsReadOnly;
            FileSystemServerChannel channel;
            bool named = Process.TryGetArgument(1, out byte* name, out int nameLength);
            // On a block channel, file reads leave their data in its read window, which the kernel takes from there
            // (the channel's memory offered as bulk memory): the disk's bytes reach the reader in one copy.
            BlockDeviceClient client = disk as BlockDeviceClient;
            ReadWindow window = client == null ? default
                : new ReadWindow { Address = client.ReadWindow, Length = BlockDeviceClient.ReadWindowLength, BulkOffset = BlockDeviceClient.ReadWindowOffset };
            FileSystemOfferObjects objects = OfferObjects(client != null);
            error = named ? FileSystemServerChannel.Offer(name, nameLength, objects, out channel)
                : FileSystemServerChannel.Offer("extfs", objects, out channel);
            if (error != Error.None)
            {
                Console.Write("extfs: the kernel refused the offer: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            Console.Write("extfs: offered as ");
            WriteName(named, name, nameLength);
            Console.Write(", ");
            Console.Write(device.SectorCount);
            Console.WriteLine(readOnly ? " sectors, read-only" : " sectors");
            ulong writeBackDue = 0;   // when the oldest change not yet on the disk must reach it (0: none waits)
            while (true)
            {
                // Changes are written back (and the disk flushed) within WriteBackDelay of the first, when no request
                // comes first; a server never idle writes back between two requests once the time has come.
                if (writeBackDue != 0 && (MonotonicClock.Nanoseconds >= writeBackDue || !channel.AwaitRequest(writeBackDue)))
                {
                    // A failed write-back (a disk error, a driver being restarted) is tried again a delay later.
                    writeBackDue = WriteBack(fileSystem) ? 0 : MonotonicClock.Nanoseconds + WriteBackDelayNanoseconds;
                    continue;
                }
                if (channel.Receive(out FileSystemRequest request) != MessageProblem.None)
                    continue;   // refused and answered already
                // Unmounted by the kernel earlier: a new kernel mount has come, so the disk is mounted again (not clean).
                if (fileSystem == null)
                    error = ExtFileSystem.Mount(device, workspace, workspaceLength, readOnly, null, out fileSystem);
                FileSystemReply reply;
                if (fileSystem == null)
                    reply = Failed(request, error);
                else if (request.Operation == FileSystemOperation.Unmount)
                    reply = Unmount(ref fileSystem, readOnly, request, named, name, nameLength);
                else
                    reply = ExtServer.Serve(fileSystem, request, channel.ReplyData, window, firstSector);   // replies' data built in place
                // A change stays in the block cache (Linux's write-back): fsync, fdatasync, sync and syncfs reach it as
                // Synchronize, which writes everything back and flushes the disk before its reply; the rest follows
                // within WriteBackDelay (the README, User-mode drivers: what a machine stopped before then loses).
                // (A change that failed half-way may have changed blocks too: it is written back as well.)
                if (fileSystem != null && FileSystemOperations.IsChange(request.Operation) && writeBackDue == 0)
                    writeBackDue = MonotonicClock.Nanoseconds + WriteBackDelayNanoseconds;
                if ((request.Operation == FileSystemOperation.Synchronize || request.Operation == FileSystemOperation.Unmount) && reply.ErrorNumber == 0)
                    writeBackDue = 0;   // everything written back (a failed one is tried again at the time set)
                channel.Reply(ref reply);
            }
        }

        // On a block channel: the channel's memory as bulk memory, and the kernel's own channel to the driver (startup
        // handles 3 and 4, with the driver's notification, handle 2), for its O_DIRECT reads of the blocks MapBlocks names.
        private static FileSystemOfferObjects OfferObjects(bool blockChannel)
        {
            if (!blockChannel)
                return default;
            FileSystemOfferObjects objects = new FileSystemOfferObjects { Bulk = Process.StartupHandle(0).Value };
            Handle kernelChannel = Process.StartupHandle(3);
            if (kernelChannel.Info(out ObjectType type, out _) == Error.None && type == ObjectType.MemoryObject)
            {
                objects.BlockMemory = kernelChannel.Value;
                objects.BlockDriver = Process.StartupHandle(2).Value;
                objects.BlockClient = Process.StartupHandle(4).Value;
                objects.BlockRequestBits = Exo.Protocols.BlockDevice.BlockChannelLayout.RequestBitOf(1);
            }
            return objects;
        }

        /// <summary>How long a change may wait in the cache before it is written back (Linux's dirty_writeback_centisecs).</summary>
        private const ulong WriteBackDelayNanoseconds = 5_000_000_000;

        // Everything changed written back and the disk flushed: true, or false with the failure reported and the
        // blocks still dirty (the caller's next write-back, a sync or an eviction writes them again).
        private static bool WriteBack(ExtFileSystem fileSystem)
        {
            if (fileSystem == null)
                return true;
            Error error = fileSystem.Sync();
            if (error == Error.None)
                return true;
            Console.Write("extfs: writing back failed: ");
            Console.WriteLine(Errors.Describe(error));
            return false;
        }

        // The kernel's mount is gone: everything written back, the superblock's state put back as it was at the mount
        // (clean unless the disk was not clean then: e2fsck's to check), the disk flushed. Reported on the console.
        private static FileSystemReply Unmount(ref ExtFileSystem fileSystem, bool readOnly, in FileSystemRequest request, bool named, byte* name, int nameLength)
        {
            Error error = fileSystem.Unmount();
            bool clean = (fileSystem.Superblock.State & Superblock.StateClean) != 0;
            fileSystem = null;
            Console.Write("extfs: ");
            WriteName(named, name, nameLength);
            if (error != Error.None)
            {
                Console.Write(" unmounted, but writing it back failed: ");
                Console.WriteLine(Errors.Describe(error));
                return Failed(request, error);
            }
            Console.WriteLine(readOnly ? " unmounted (read-only: unchanged)"
                : clean ? " unmounted, marked clean" : " unmounted, left not clean (it was not clean when mounted)");
            return new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence };
        }

        private static FileSystemReply Failed(in FileSystemRequest request, Error error) =>
            new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence, ErrorNumber = (ushort)error };

        private static void WriteName(bool named, byte* name, int nameLength)
        {
            if (named)
                Console.WriteBytes(name, nameLength);
            else
                Console.Write("extfs");
        }
    }
}
