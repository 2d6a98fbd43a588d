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
