using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Std;
using Exo.Std.Services;

namespace Memfs
{
    /// <summary>
    /// memfs: a small in-memory file system served to the kernel over a Fusion Ring channel (the protocol in
    /// libs/Exo.Protocols/FileSystem), the model for the disk file system services to come. init starts it as a
    /// service; it offers itself to the kernel under its first argument (default "memfs"), and a root shell then
    /// mounts it with `mount -t ringfs memfs DIR`. One request at a time, answered in full before the next.
    /// With a second argument "--misbehave" (the ringfs boot tests' rogue server, userland/config/ringfs_test.conf) it
    /// answers a lookup of "malformed" with a malformed reply (a device's mode) and never answers a lookup of "silence";
    /// it also offers a page of bulk memory and answers a read of a file that begins "bulk-inside" with the data there
    /// (FileSystemReply.InBulk), and of one that begins "bulk-outside" with a place past that page.
    /// </summary>
    public static unsafe class Program
    {
        public static int Main()
        {
            if (!MemoryFileSystem.Initialize())
            {
                Console.WriteLine("memfs: out of memory");
                return 1;
            }
            FileSystemServerChannel channel;
            bool misbehave = Process.ArgumentIs(2, "--misbehave");
            Exo.Std.Handles.MemoryObject bulk = default;
            byte* bulkPage = null;
            if (misbehave && (Exo.Std.Handles.MemoryObject.Create(4096, out bulk) != Error.None || bulk.Map(true, out bulkPage) != Error.None))
                return 1;
            if (misbehave && Process.TryGetArgument(1, out byte* rogueName, out int rogueNameLength))
                OfferBadObjects(rogueName, rogueNameLength);
            Error error = Process.TryGetArgument(1, out byte* name, out int nameLength)
                ? FileSystemServerChannel.Offer(name, nameLength, bulk.Handle, out channel) : FileSystemServerChannel.Offer("memfs", out channel);
            if (error != Error.None)
            {
                Console.Write("memfs: the kernel refused the offer: ");
                Console.WriteLine(Errors.Describe(error));
                return 1;
            }
            byte* data = (byte*)Exo.Std.Memory.UserHeap.Allocate(FileSystemLimits.MaximumDataLength);
            while (true)
            {
                if (channel.Receive(out FileSystemRequest request) != MessageProblem.None)
                    continue;   // refused and answered already
                FileSystemReply reply = Serve(request, data);
                if (misbehave && request.Operation == FileSystemOperation.Lookup)
                {
                    if (Is(request.Name, request.NameLength, "silence"))
                        continue;   // the kernel's caller waits for its time limit
                    if (Is(request.Name, request.NameLength, "malformed"))
                        reply = new FileSystemReply
                        {
                            Operation = request.Operation, Sequence = request.Sequence,
                            Attributes = new NodeAttributes { Node = 1, Mode = 0x2000 | 0x1B6, LinkCount = 1 },   // a character device
                        };
                }
                if (misbehave && request.Operation == FileSystemOperation.Read && reply.ErrorNumber == 0 && reply.DataLength <= 4096)
                {
                    bool inside = StartsWith(reply.Data, reply.DataLength, "bulk-inside"), outside = StartsWith(reply.Data, reply.DataLength, "bulk-outside");
                    if (inside || outside)
                    {
                        for (int i = 0; i < reply.DataLength; i++)
                            bulkPage[i] = reply.Data[i];
                        reply.Data = null;
                        reply.InBulk = true;
                        reply.BulkOffset = outside ? 4096UL : 0;
                    }
                }
                channel.Reply(ref reply);
            }
        }

        // The kernel refuses an offer whose other objects are wrong (FileSystemOfferObjects), and a refused offer leaves
        // the name free (the real offer after these succeeds): an unreadable pointer to them, a block channel in
        // ordinary memory (the kernel reads it through the direct map: DMA memory only), one without request bits, bulk
        // memory that is a notification. Each error printed, in order.
        private static void OfferBadObjects(byte* name, int nameLength)
        {
            Exo.Std.Handles.MemoryObject.Create(FileSystemChannelLayout.Size, out Exo.Std.Handles.MemoryObject channel);
            Exo.Std.Ipc.Notification.Create(out Exo.Std.Ipc.Notification server);
            Exo.Std.Ipc.Notification.Create(out Exo.Std.Ipc.Notification client);
            Exo.Std.Handles.MemoryObject.Create(Exo.Protocols.BlockDevice.BlockChannelLayout.Size, out Exo.Std.Handles.MemoryObject ordinary);
            Console.Write("memfs: offers with bad objects refused: ");
            Console.Write(Errors.Describe(SystemCall.ErrorOf(SystemCall.Call(SystemCallNumber.FileSystemOffer, (ulong)name, (ulong)nameLength,
                channel.Handle.Value, server.Handle.Value, client.Handle.Value, 0x10))));
            FileSystemOfferObjects block = new FileSystemOfferObjects
            {
                BlockMemory = ordinary.Handle.Value, BlockDriver = server.Handle.Value, BlockClient = client.Handle.Value, BlockRequestBits = 2,
            };
            Console.Write(", ");
            Console.Write(Errors.Describe(FileSystemServerChannel.Offer(name, nameLength, block, out _)));
            Console.Write(", ");
            Console.Write(Errors.Describe(FileSystemServerChannel.Offer(name, nameLength, block with { BlockRequestBits = 0 }, out _)));
            Console.Write(", ");
            Console.WriteLine(Errors.Describe(FileSystemServerChannel.Offer(name, nameLength, new FileSystemOfferObjects { Bulk = server.Handle.Value }, out _)));
        }

        private static bool StartsWith(byte* data, int length, string prefix)
        {
            if (data == null || length < prefix.Length)
                return false;
            for (int i = 0; i < prefix.Length; i++)
                if (data[i] != prefix[i])
                    return false;
            return true;
        }

        private static FileSystemReply Serve(in FileSystemRequest request, byte* data)
        {
            FileSystemReply reply = new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence };
            ulong node = request.Node;
            Error error;
            switch (request.Operation)
            {
                case FileSystemOperation.Lookup:
                    error = MemoryFileSystem.Lookup(node, request.Name, request.NameLength, out node);
                    break;
                case FileSystemOperation.GetAttributes:
                case FileSystemOperation.Statistics:
                    error = MemoryFileSystem.Exists(node) ? Error.None : Error.StaleHandle;
                    if (error == Error.None && request.Operation == FileSystemOperation.Statistics)
                    {
                        MemoryFileSystem.Figures().Write(data);
                        reply.Data = data;
                        reply.DataLength = FileSystemFigures.EncodedLength;
                    }
                    break;
                case FileSystemOperation.ReadDirectory:
                    error = ReadDirectory(request, data, ref reply);
                    break;
                case FileSystemOperation.Read:
                case FileSystemOperation.ReadLink:
                    error = MemoryFileSystem.File(node, out byte* contents, out ulong size);
                    if (error == Error.None)
                    {
                        ulong from = request.Operation == FileSystemOperation.Read ? request.Offset : 0;
                        // No bulk memory offered: a read larger than a reply carries is answered short.
                        ulong want = request.Operation == FileSystemOperation.Read ? (request.Count < FileSystemLimits.MaximumDataLength ? request.Count : FileSystemLimits.MaximumDataLength) : FileSystemLimits.MaximumLinkTargetLength;
                        ulong available = from < size ? size - from : 0;
                        reply.Data = contents + from;
                        reply.DataLength = (int)(available < want ? available : want);
                    }
                    break;
                case FileSystemOperation.Write:
                    error = MemoryFileSystem.Write(node, request.Offset, request.Data, request.DataLength, out reply.Count);
                    break;
                case FileSystemOperation.Create:
                case FileSystemOperation.MakeDirectory:
                case FileSystemOperation.SymbolicLink:
                    uint mode = request.Operation == FileSystemOperation.SymbolicLink ? NodeAttributes.SymbolicLink | 0x1FF : request.Mode;
                    error = MemoryFileSystem.Make(node, request.Name, request.NameLength, mode, request.UserId, request.GroupId,
                        request.Data, request.DataLength, out node);
                    break;
                case FileSystemOperation.Unlink:
                case FileSystemOperation.RemoveDirectory:
                    error = MemoryFileSystem.Remove(node, request.Name, request.NameLength, request.Operation == FileSystemOperation.RemoveDirectory);
                    break;
                case FileSystemOperation.Rename:
                    error = MemoryFileSystem.Rename(node, request.Name, request.NameLength, request.SecondNode, request.SecondName, request.SecondNameLength);
                    break;
                case FileSystemOperation.SetAttributes:
                    error = MemoryFileSystem.SetAttributes(node, request);
                    break;
                case FileSystemOperation.Synchronize:
                    error = MemoryFileSystem.Exists(node) ? Error.None : Error.StaleHandle;   // memory: nothing to write back
                    break;
                case FileSystemOperation.Unmount:
                    error = Error.None;   // memory: nothing to write back, and the tree stays for the next mount
                    break;
                default:
                    error = Error.NotSupported;
                    break;
            }
            if (error != Error.None)
                return new FileSystemReply { Operation = request.Operation, Sequence = request.Sequence, ErrorNumber = (ushort)error };
            if (FileSystemReply.CarriesAttributes(request.Operation))
                reply.Attributes = MemoryFileSystem.AttributesOf(node);
            return reply;
        }

        private static bool Is(byte* bytes, int length, string text)
        {
            if (length != text.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (bytes[i] != (byte)text[i])
                    return false;
            return true;
        }

        // As many records as fit in the request's count, from its cursor.
        private static Error ReadDirectory(in FileSystemRequest request, byte* data, ref FileSystemReply reply)
        {
            ulong cursor = request.Offset;
            int used = 0;
            while (true)
            {
                Error error = MemoryFileSystem.NextEntry(request.Node, cursor, out ulong id, out byte type, out byte* name, out int nameLength);
                if (error != Error.None)
                    return error;
                if (id == 0)
                    break;
                int written = DirectoryRecords.Write(data + used, (int)request.Count - used, id, id, type, name, nameLength);
                if (written == 0)
                    break;
                used += written;
                cursor = id;
            }
            reply.Data = data;
            reply.DataLength = used;
            return Error.None;
        }
    }
}
