using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Exo.Abi;
using Exo.Protocols.FileSystem;
using Exo.Storage.Ext;
using Extfs;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// extfs's translation between the file system protocol and the library (userland/csharp/extfs/ExtServer.cs): the
    /// root is node 1, listings pass the protocol's own checks (no "." or "..", known types only, cursors increasing),
    /// replies carry attributes and errors as the protocol says.
    /// </summary>
    public unsafe class ExtServerTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;
        public ExtServerTests(Xunit.Abstractions.ITestOutputHelper output) { _output = output; }

        private static FileSystemReply Ask(ExtFileSystem fs, FileSystemRequest request, byte[] data)
        {
            fixed (byte* buffer = data)
                return ExtServer.Serve(fs, request, buffer);
        }

        // MapBlocks: the runs name the sectors where the file's bytes are on the disk (the kernel's O_DIRECT reads go
        // there without extfs), so the disk's sectors at each run are the file's bytes; data still only in the cache is
        // written back before the answer; a hole stops the runs; sectors count from the partition's start.
        [Theory]
        [MemberData(nameof(ImageFormat.All), MemberType = typeof(ImageFormat))]
        public void MappedBlocksHoldTheFilesBytesOnTheDisk(string format)
        {
            using var work = new Scratch("map-" + format);
            using var tree = new SourceTree(Path.Combine(work, "tree"), withSparse: false);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, tree.Root, ImageFormat.Options(format));
            var device = new FileBlockDevice(image);
            using var mounted = new MountedImage(device);
            Assert.Equal(Error.None, mounted.MountError);
            var fs = mounted.FileSystem;
            var data = new byte[FileSystemLimits.MaximumDataLength];
            uint large = mounted.Node("/large.bin");
            byte[] expected = (byte[])tree.Files["large.bin"].Clone();

            List<BlockRun> Map(uint node, ulong offset, ulong firstSector = 0)
            {
                FileSystemReply reply;
                fixed (byte* buffer = data)
                    reply = ExtServer.Serve(fs, new FileSystemRequest { Operation = FileSystemOperation.MapBlocks, Node = node, Offset = offset, Count = 1 << 20, Sequence = 3 },
                        buffer, default, firstSector);
                Assert.Equal(0, reply.ErrorNumber);
                var runs = new List<BlockRun>();
                fixed (byte* buffer = data)
                {
                    Assert.Equal(MessageProblem.None, BlockRuns.CheckAll(buffer, reply.DataLength, offset));
                    for (int i = 0; i < reply.DataLength / BlockRuns.RecordLength; i++)
                        runs.Add(BlockRuns.Read(buffer + i * BlockRuns.RecordLength));
                }
                return runs;
            }
            void CheckOnDisk(List<BlockRun> runs, byte[] file, ulong from)
            {
                Assert.NotEmpty(runs);
                Assert.True(runs[0].Offset <= from && runs[0].Offset + runs[0].Length > from);
                foreach (BlockRun run in runs)
                {
                    ulong length = Math.Min(run.Length, (ulong)file.Length - run.Offset);
                    byte[] sectors = new byte[(length + 511) / 512 * 512];
                    fixed (byte* buffer = sectors)
                        Assert.Equal(Error.None, device.Read(run.Sector, (uint)(sectors.Length / 512), buffer));
                    Assert.Equal(file.Skip((int)run.Offset).Take((int)length).ToArray(), sectors.Take((int)length).ToArray());
                }
            }

            List<BlockRun> whole = Map(large, 0);
            CheckOnDisk(whole, expected, 0);
            Assert.True(whole.Sum(r => (long)r.Length) >= 1 << 20);   // at least what was asked, unless the file ends
            CheckOnDisk(Map(large, 4_000_000), expected, 4_000_000);
            Assert.Empty(Map(large, 5_000_000 + 8192));   // past the end: nothing

            // Written, still in the cache: written back before the answer, so the disk holds the new bytes.
            byte[] changed = new byte[10_000];
            new Random(3).NextBytes(changed);
            Assert.Equal(Error.None, mounted.Write(large, 20_000, changed));
            Array.Copy(changed, 0, expected, 20_000, changed.Length);
            Assert.True(fs.Cache.DirtyBlocks > 0);
            CheckOnDisk(Map(large, 16384), expected, 16384);
            Assert.Equal(0, fs.Cache.DirtyBlocks);

            // A hole: no run there; the data after it is mapped.
            uint holed = mounted.CreateFile("/holed");
            byte[] far = Encoding.ASCII.GetBytes("after a hole");
            Assert.Equal(Error.None, mounted.Write(holed, 1 << 20, far));
            Assert.Empty(Map(holed, 0));
            byte[] holedBytes = new byte[(1 << 20) + far.Length];
            Array.Copy(far, 0, holedBytes, 1 << 20, far.Length);
            CheckOnDisk(Map(holed, 1 << 20), holedBytes, 1 << 20);

            // On a partition: the disk's sectors, the partition's first added.
            List<BlockRun> moved = Map(large, 0, 2048);
            Assert.Equal(whole.Select(r => r.Sector + 2048), moved.Select(r => r.Sector));

            // Not a regular file: refused.
            FileSystemReply directory;
            fixed (byte* buffer = data)
                directory = ExtServer.Serve(fs, new FileSystemRequest { Operation = FileSystemOperation.MapBlocks, Node = 1, Count = 4096 }, buffer);
            Assert.Equal((ushort)Error.IsADirectory, directory.ErrorNumber);
        }

        [Fact]
        public void ProtocolRequestsAreAnsweredFromTheImage()
        {
            using var work = new Scratch("server");
            using var tree = new SourceTree(Path.Combine(work, "tree"), withSparse: false);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, tree.Root, ImageFormat.Options("ext4-4k"));
            E2fsprogs.Run("debugfs", "-w", "-R", "mknod pipe p", image);   // a fifo: no protocol type, never listed
            Assert.Contains("pipe", E2fsprogs.Debugfs(image, "ls /"));
            using var mounted = MountedImage.Open(image);
            var fs = mounted.FileSystem;
            var data = new byte[FileSystemLimits.MaximumDataLength];

            var root = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.GetAttributes, Node = 1, Sequence = 7 }, data);
            Assert.Equal(0, root.ErrorNumber);
            Assert.Equal(7u, root.Sequence);
            Assert.Equal(1ul, root.Attributes.Node);
            Assert.True(root.Attributes.IsValid);
            Assert.Equal(NodeAttributes.Directory, root.Attributes.Mode & NodeAttributes.TypeMask);
            Assert.Equal((ushort)Error.StaleHandle, Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.GetAttributes, Node = 2 }, data).ErrorNumber);

            byte[] name = Encoding.ASCII.GetBytes("small.txt");
            FileSystemReply found;
            fixed (byte* pointer = name)
                found = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Lookup, Node = 1, Name = pointer, NameLength = name.Length }, data);
            Assert.Equal(0, found.ErrorNumber);
            Assert.Equal((ulong)tree.Files["small.txt"].Length, found.Attributes.Size);
            var read = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Read, Node = found.Attributes.Node, Count = 4096 }, data);
            Assert.Equal(tree.Files["small.txt"], data.Take(read.DataLength).ToArray());
            Assert.False(read.InBulk);
            // With a read window (extfs on a block channel): the data is left there, and the reply names it.
            var bulk = new byte[8192 + 4096];
            fixed (byte* window = bulk)
            fixed (byte* buffer = data)
            {
                var inWindow = ExtServer.Serve(fs, new FileSystemRequest { Operation = FileSystemOperation.Read, Node = found.Attributes.Node, Count = 4096 }, buffer,
                    new ReadWindow { Address = window + 8192, Length = 4096, BulkOffset = 0x3000 });
                Assert.Equal(0, inWindow.ErrorNumber);
                Assert.True(inWindow.InBulk);
                Assert.Equal(0x3000UL, inWindow.BulkOffset);
                Assert.True(inWindow.Data == null);
                Assert.Equal(tree.Files["small.txt"], bulk.Skip(8192).Take(inWindow.DataLength).ToArray());
            }

            // The big directory listed in small replies: every name once, cursors checked as the kernel's client checks them.
            foreach (var (directory, expected) in new[] { ("many", tree.Files.Keys.Where(k => k.StartsWith("many/")).Select(k => k.Substring(5))),
                                                          ("", new[] { "small.txt", "dir", "many", "short-link", "long-link", "lost+found", "empty" }) })
            {
                ulong node = directory == "" ? 1 : mounted.Node("/" + directory);
                var names = new List<string>();
                ulong cursor = 0;
                while (true)
                {
                    var reply = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.ReadDirectory, Node = node, Offset = cursor, Count = 700 }, data);
                    Assert.Equal(0, reply.ErrorNumber);
                    if (reply.DataLength == 0)
                        break;
                    fixed (byte* records = data)
                    {
                        Assert.Equal(MessageProblem.None, DirectoryRecords.CheckAll(records, reply.DataLength, cursor));
                        int position = 0;
                        while (DirectoryRecords.Next(records, reply.DataLength, ref position, out DirectoryRecord record))
                        {
                            names.Add(Encoding.ASCII.GetString(record.Name, record.NameLength));
                            cursor = record.NextCursor;
                        }
                    }
                }
                Assert.Equal(names.Count, names.Distinct().Count());
                foreach (string expectedName in expected)
                    Assert.Contains(expectedName, names);
                Assert.DoesNotContain("pipe", names);
                Assert.DoesNotContain(".", names);
            }

            byte[] created = Encoding.ASCII.GetBytes("created");
            FileSystemReply made;
            fixed (byte* pointer = created)
                made = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Create, Node = 1, Name = pointer, NameLength = created.Length, Mode = 0x1A4, UserId = 5, GroupId = 6 }, data);
            Assert.Equal(0, made.ErrorNumber);
            Assert.Equal(NodeAttributes.Regular | 0x1A4, made.Attributes.Mode);
            byte[] payload = Encoding.ASCII.GetBytes("through the protocol");
            FileSystemReply wrote;
            fixed (byte* pointer = payload)
                wrote = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Write, Node = made.Attributes.Node, Data = pointer, DataLength = payload.Length }, data);
            Assert.Equal((uint)payload.Length, wrote.Count);
            Assert.Equal((ulong)payload.Length, wrote.Attributes.Size);
            var figures = Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Statistics, Node = 1 }, data);
            Assert.Equal(FileSystemFigures.EncodedLength, figures.DataLength);
            // The identity a mount follows a restarted server by: the superblock's UUID (at 1024 + 0x68 in the image).
            byte[] uuid = new byte[16];
            using (var stream = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                stream.Position = 1024 + 0x68;
                stream.ReadExactly(uuid);
            }
            fixed (byte* pointer = data)
            {
                FileSystemFigures answered = FileSystemFigures.Read(pointer);
                Assert.Equal(4096ul, answered.BlockSize);
                Assert.True(answered.HasIdentity, "mke2fs gives every file system a UUID");
                Assert.Equal(BitConverter.ToUInt64(uuid, 0), answered.IdentityLow);
                Assert.Equal(BitConverter.ToUInt64(uuid, 8), answered.IdentityHigh);
            }
            fixed (byte* pointer = created)
                Assert.Equal((ushort)Error.AlreadyExists, Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.MakeDirectory, Node = 1, Name = pointer, NameLength = created.Length, Mode = 0x1ED }, data).ErrorNumber);
            Assert.Equal((ushort)0, Ask(fs, new FileSystemRequest { Operation = FileSystemOperation.Synchronize, Node = 1 }, data).ErrorNumber);
            E2fsprogs.AssertClean(image, _output);
            Assert.Equal(payload, E2fsprogs.Cat(image, "/created"));
        }
    }
}
