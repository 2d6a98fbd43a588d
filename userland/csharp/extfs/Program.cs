using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Std;
using Exo.Std.Services;
using Exo.Storage.Ext;

namespace Extfs
{
    /// <summary>
    /// extfs: an ext2/ext4 file system served to the kernel over a Fusion Ring channel (libs/Exo.Protocols/FileSystem),
    /// like memfs, from the library in userland/services/storage/ext on a block device. Not started by init yet: it
    /// has no disk until the virtio-blk client is merged (the device is an IBlockDevice; MemoryImageDevice serves an
    /// image in memory). Usage: extfs [NAME].
    /// </summary>
    public static unsafe class Program
    {
        /// <summary>
        /// The disk: the virtio-blk client will plug in here. Until then "extfs NAME MIB" serves an image of MIB MiB in
        /// memory, which nothing fills yet (it holds no file system, so the mount is refused with EINVAL).
        /// </summary>
        private static IBlockDevice OpenDevice()
        {
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

        private const int CacheBlocks = 16;

        public static int Main()
        {
            IBlockDevice device = OpenDevice();
            if (device == null)
            {
                Console.WriteLine("extfs: no block device yet");
                return 1;
            }
            ulong workspaceLength = ExtFileSystem.WorkspaceBytes(CacheBlocks);
            byte* workspace = (byte*)Exo.Std.Memory.UserHeap.Allocate((nuint)workspaceLength);
            byte* data = (byte*)Exo.Std.Memory.UserHeap.Allocate(FileSystemLimits.MaximumDataLength);
            if (workspace == null || data == null)
            {
                Console.WriteLine("extfs: out of memory");
                return 1;
            }
            Error error = ExtFileSystem.Mount(device, workspace, workspaceLength, false, null, out ExtFileSystem fileSystem);
            if (error != Error.None)
            {
                Console.Write("extfs: cannot mount: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            FileSystemServerChannel channel;
            error = Process.TryGetArgument(1, out byte* name, out int nameLength)
                ? FileSystemServerChannel.Offer(name, nameLength, out channel) : FileSystemServerChannel.Offer("extfs", out channel);
            if (error != Error.None)
            {
                Console.Write("extfs: the kernel refused the offer: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            while (true)
            {
                if (channel.Receive(out FileSystemRequest request) != MessageProblem.None)
                    continue;   // refused and answered already
                FileSystemReply reply = ExtServer.Serve(fileSystem, request, data);
                channel.Reply(ref reply);
                if (request.Operation != FileSystemOperation.Lookup && request.Operation != FileSystemOperation.GetAttributes
                    && request.Operation != FileSystemOperation.Read && request.Operation != FileSystemOperation.ReadDirectory)
                    fileSystem.Sync();   // each change reaches the disk before the next request (no sync in the protocol yet)
            }
        }
    }
}
