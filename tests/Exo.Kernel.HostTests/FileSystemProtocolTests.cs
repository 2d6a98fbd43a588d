using System;
using System.Text;
using Exo.Protocols.FileSystem;
using Xunit;

namespace Exo.Kernel.HostTests
{
    /// <summary>
    /// The ringfs protocol (libs/Exo.Protocols/FileSystem), the same source the kernel and the servers compile:
    /// every operation survives encoding and decoding, and the decoders refuse every malformed message, whatever
    /// its bytes, without reading past what they were given.
    /// </summary>
    public unsafe class FileSystemProtocolTests
    {
        private delegate void Mutation(byte* message);

        private static readonly byte[] Name = Encoding.ASCII.GetBytes("file.txt");
        private static readonly byte[] Other = Encoding.ASCII.GetBytes("renamed");

        // A request of each operation, well formed; 'use' gets it with its pointers valid.
        private static void WithRequest(FileSystemOperation operation, Action<FileSystemRequest> use)
        {
            byte[] data = new byte[100];
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(i + 1);
            fixed (byte* name = Name, other = Other, bytes = data)
            {
                FileSystemRequest request = new FileSystemRequest { Operation = operation, Node = operation == FileSystemOperation.Unmount ? FileSystemLimits.RootNode : 7, Sequence = 99 };
                switch (operation)
                {
                    case FileSystemOperation.Lookup:
                    case FileSystemOperation.Unlink:
                    case FileSystemOperation.RemoveDirectory:
                        request.Name = name; request.NameLength = Name.Length;
                        break;
                    case FileSystemOperation.Create:
                    case FileSystemOperation.MakeDirectory:
                        request.Name = name; request.NameLength = Name.Length; request.UserId = 5; request.GroupId = 6;
                        request.Mode = (operation == FileSystemOperation.Create ? NodeAttributes.Regular : NodeAttributes.Directory) | 0x1A4;
                        break;
                    case FileSystemOperation.SymbolicLink:
                        request.Name = name; request.NameLength = Name.Length; request.Data = bytes; request.DataLength = 10;
                        break;
                    case FileSystemOperation.Rename:
                        request.Name = name; request.NameLength = Name.Length; request.SecondNode = 8; request.SecondName = other; request.SecondNameLength = Other.Length;
                        break;
                    case FileSystemOperation.Read:
                    case FileSystemOperation.ReadDirectory:
                    case FileSystemOperation.MapBlocks:
                        request.Offset = 4096; request.Count = 512;
                        break;
                    case FileSystemOperation.Write:
                        request.Offset = 10; request.Data = bytes; request.DataLength = data.Length;
                        break;
                    case FileSystemOperation.SetAttributes:
                        request.SetMask = SetAttributeFields.Size | SetAttributeFields.Mode | SetAttributeFields.Modified;
                        request.Size = 12345; request.Mode = 0x1ED; request.ModifiedSeconds = 1_700_000_000; request.ModifiedNanoseconds = 5;
                        break;
                }
                use(request);
            }
        }

        public static TheoryData<FileSystemOperation> Operations()
        {
            TheoryData<FileSystemOperation> all = new TheoryData<FileSystemOperation>();
            for (FileSystemOperation operation = FileSystemOperation.Lookup; operation <= FileSystemOperation.MapBlocks; operation++)
                all.Add(operation);
            return all;
        }

        // What may change a server's files: extfs writes it back later, and the kernel's ringfs mount stops trusting the
        // attributes it holds (RemoteChannel.Changes). A new operation must be put on one side here.
        [Theory]
        [MemberData(nameof(Operations))]
        public void EveryOperationIsAChangeOrNot(FileSystemOperation operation)
        {
            bool change = operation switch
            {
                FileSystemOperation.Lookup or FileSystemOperation.GetAttributes or FileSystemOperation.ReadDirectory
                    or FileSystemOperation.Read or FileSystemOperation.ReadLink or FileSystemOperation.Statistics
                    or FileSystemOperation.Synchronize or FileSystemOperation.Unmount or FileSystemOperation.MapBlocks => false,
                FileSystemOperation.Write or FileSystemOperation.Create or FileSystemOperation.MakeDirectory
                    or FileSystemOperation.Unlink or FileSystemOperation.RemoveDirectory or FileSystemOperation.Rename
                    or FileSystemOperation.SetAttributes or FileSystemOperation.SymbolicLink => true,
                _ => throw new InvalidOperationException($"{operation}: say here whether it changes the server's files"),
            };
            Assert.Equal(change, FileSystemOperations.IsChange(operation));
        }

        [Fact]
        public void NoneIsNoChange() => Assert.False(FileSystemOperations.IsChange(FileSystemOperation.None));

        [Theory]
        [MemberData(nameof(Operations))]
        public void EveryRequestSurvivesEncodingAndDecoding(FileSystemOperation operation)
        {
            WithRequest(operation, request =>
            {
                byte[] buffer = new byte[FileSystemLimits.MaximumRequestLength];
                fixed (byte* message = buffer)
                {
                    int length = request.Encode(message, buffer.Length);
                    Assert.Equal(request.EncodedLength, length);
                    Assert.True(length >= FileSystemLimits.RequestHeaderLength);
                    Assert.Equal(MessageProblem.None, FileSystemRequest.Decode(message, length, out FileSystemRequest decoded));
                    Assert.Equal(request.Operation, decoded.Operation);
                    Assert.Equal(request.Sequence, decoded.Sequence);
                    Assert.Equal(request.Node, decoded.Node);
                    Assert.Equal(request.SecondNode, decoded.SecondNode);
                    Assert.Equal(request.Offset, decoded.Offset);
                    Assert.Equal(request.Count, decoded.Count);
                    Assert.Equal(request.Mode, decoded.Mode);
                    Assert.Equal(request.UserId, decoded.UserId);
                    Assert.Equal(request.GroupId, decoded.GroupId);
                    Assert.Equal(request.SetMask, decoded.SetMask);
                    Assert.Equal(request.Size, decoded.Size);
                    Assert.Equal(request.ModifiedSeconds, decoded.ModifiedSeconds);
                    Assert.Equal(request.ModifiedNanoseconds, decoded.ModifiedNanoseconds);
                    Assert.Equal(Bytes(request.Name, request.NameLength), Bytes(decoded.Name, decoded.NameLength));
                    Assert.Equal(Bytes(request.SecondName, request.SecondNameLength), Bytes(decoded.SecondName, decoded.SecondNameLength));
                    Assert.Equal(Bytes(request.Data, request.DataLength), Bytes(decoded.Data, decoded.DataLength));
                    // Every shorter prefix is refused as truncated.
                    for (int shorter = 0; shorter < length; shorter++)
                        Assert.Equal(MessageProblem.Truncated, FileSystemRequest.Decode(message, shorter, out _));
                }
            });
        }

        private static byte[] Bytes(byte* from, int length)
        {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
                bytes[i] = from[i];
            return bytes;
        }

        public static TheoryData<string> BadNames() => new TheoryData<string> { "", ".", "..", "a/b", "nul\0byte", new string('n', 256) };

        [Theory]
        [MemberData(nameof(BadNames))]
        public void BadNamesAreRefusedBothWays(string bad)
        {
            byte[] name = Encoding.ASCII.GetBytes(bad);
            fixed (byte* bytes = name.Length > 0 ? name : new byte[1])
            {
                FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Lookup, Node = 1, Name = bytes, NameLength = name.Length };
                Assert.Equal(MessageProblem.BadName, request.Check());
                byte[] buffer = new byte[FileSystemLimits.MaximumRequestLength];
                fixed (byte* message = buffer)
                {
                    Assert.Equal(-1, request.Encode(message, buffer.Length));
                    // Forged past the encoder: the decoder still refuses it.
                    WriteLookupByHand(message, name);
                    Assert.NotEqual(MessageProblem.None, FileSystemRequest.Decode(message, buffer.Length, out FileSystemRequest decoded));
                    Assert.Equal(FileSystemOperation.None, decoded.Operation);
                }
            }
        }

        private static void WriteLookupByHand(byte* message, byte[] name)
        {
            *(uint*)message = FileSystemLimits.Magic;
            *(ushort*)(message + 4) = (ushort)FileSystemOperation.Lookup;
            *(ushort*)(message + 6) = (ushort)name.Length;
            *(ulong*)(message + 16) = 1;
            for (int i = 0; i < name.Length; i++)
                message[FileSystemLimits.RequestHeaderLength + i] = name[i];
        }

        [Fact]
        public void MalformedRequestsAreRefusedWithTheirReason()
        {
            Assert.Equal(MessageProblem.BadMagic, Mutated(FileSystemOperation.Read, m => *(uint*)m = 0x12345678));
            Assert.Equal(MessageProblem.UnknownOperation, Mutated(FileSystemOperation.Read, m => *(ushort*)(m + 4) = 0));
            Assert.Equal(MessageProblem.UnknownOperation, Mutated(FileSystemOperation.Read, m => *(ushort*)(m + 4) = 18));
            Assert.Equal(MessageProblem.UnknownOperation, Mutated(FileSystemOperation.Read, m => *(ushort*)(m + 4) = 0xFFFF));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Read, m => *(ulong*)(m + 16) = 0));             // node 0
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Unmount, m => *(ulong*)(m + 16) = 7));          // unmount names the root only
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Unmount, m => *(uint*)(m + 40) = 1));           // and carries nothing else
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Read, m => *(uint*)(m + 40) = 0));              // count 0
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Read, m => *(uint*)(m + 40) = FileSystemLimits.MaximumReadLength + 1));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.ReadDirectory, m => *(uint*)(m + 40) = FileSystemLimits.MaximumDataLength + 1));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Read, m => *(ushort*)(m + 14) = 1));            // reserved
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.GetAttributes, m => *(uint*)(m + 40) = 5));     // a count it has none of
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.SetAttributes, m => *(uint*)(m + 60) = 64));    // unknown field
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.SetAttributes, m => *(uint*)(m + 60) = 0));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.SetAttributes, m => *(uint*)(m + 84) = 1_000_000_000));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.Create, m => *(uint*)(m + 48) = NodeAttributes.Directory | 0x1A4));
            Assert.Equal(MessageProblem.BadField, Mutated(FileSystemOperation.MakeDirectory, m => *(uint*)(m + 48) = 0x2000 | 0x1A4));   // a device
            Assert.Equal(MessageProblem.BadData, Mutated(FileSystemOperation.Write, m => *(uint*)(m + 44) = FileSystemLimits.MaximumDataLength + 1));
            Assert.Equal(MessageProblem.BadData, Mutated(FileSystemOperation.Write, m => *(uint*)(m + 44) = 0));
            Assert.Equal(MessageProblem.BadName, Mutated(FileSystemOperation.Lookup, m => *(ushort*)(m + 6) = 0));
            Assert.Equal(MessageProblem.Truncated, Mutated(FileSystemOperation.Read, m => *(ushort*)(m + 6) = 3));            // a name claimed, not sent
            fixed (byte* name = Name)
                Assert.Equal(MessageProblem.BadName, new FileSystemRequest { Operation = FileSystemOperation.Read, Node = 1, Count = 1, Name = name, NameLength = 1 }.Check());
            Assert.Equal(MessageProblem.BadName, Mutated(FileSystemOperation.Rename, m => *(ulong*)(m + 24) = 0));
            Assert.Equal(MessageProblem.BadName, Mutated(FileSystemOperation.Lookup, m => *(ushort*)(m + 6) = 300));
            Assert.Equal(MessageProblem.Truncated, Mutated(FileSystemOperation.Write, m => *(uint*)(m + 44) = 200));          // more data claimed than there is
        }

        // The request of 'operation', encoded, changed by 'change', decoded from exactly its encoded length.
        private static MessageProblem Mutated(FileSystemOperation operation, Mutation change)
        {
            MessageProblem problem = MessageProblem.None;
            WithRequest(operation, request =>
            {
                byte[] buffer = new byte[FileSystemLimits.MaximumRequestLength];
                fixed (byte* message = buffer)
                {
                    int length = request.Encode(message, buffer.Length);
                    change(message);
                    problem = FileSystemRequest.Decode(message, length, out _);
                }
            });
            return problem;
        }

        [Fact]
        public void EncodingRefusesWhatDoesNotFit()
        {
            WithRequest(FileSystemOperation.Write, request =>
            {
                byte[] buffer = new byte[FileSystemLimits.RequestHeaderLength + 99];
                fixed (byte* message = buffer)
                    Assert.Equal(-1, request.Encode(message, buffer.Length));
            });
        }

        // ------------------------------------------------------------------ replies

        private static NodeAttributes File(ulong node) => new NodeAttributes
        {
            Node = node, Mode = NodeAttributes.Regular | 0x1A4, LinkCount = 1, UserId = 3, GroupId = 4, Size = 6, Blocks = 1,
            ModifiedSeconds = 1_700_000_000, ModifiedNanoseconds = 999_999_999,
        };

        // Encodes 'reply', optionally changes the message, and decodes it as the answer to 'request'.
        private static MessageProblem RoundTrip(in FileSystemRequest request, FileSystemReply reply, out FileSystemReply decoded, Mutation change = null)
        {
            byte[] buffer = new byte[FileSystemLimits.MaximumReplyLength];
            fixed (byte* message = buffer)
            {
                int length = reply.Encode(message, buffer.Length);
                Assert.True(length >= FileSystemLimits.ReplyHeaderLength);
                change?.Invoke(message);
                MessageProblem problem = FileSystemReply.Decode(message, length, request, out decoded);
                if (problem == MessageProblem.None && decoded.DataLength > 0 && !decoded.InBulk)
                {
                    Assert.True(decoded.Data >= message + FileSystemLimits.ReplyHeaderLength);
                    Assert.True(decoded.Data + decoded.DataLength <= message + length);
                }
                decoded.Data = null;   // the buffer goes with this frame
                return problem;
            }
        }

        private static FileSystemRequest Request(FileSystemOperation operation, uint count = 0)
            => new FileSystemRequest { Operation = operation, Sequence = 41, Node = 1, Count = count };

        [Fact]
        public void AttributesAndErrorsSurviveAReply()
        {
            FileSystemRequest lookup = Request(FileSystemOperation.Lookup);
            Assert.Equal(MessageProblem.None, RoundTrip(lookup, new FileSystemReply { Operation = lookup.Operation, Sequence = 41, Attributes = File(9) }, out FileSystemReply decoded));
            Assert.Equal(File(9), decoded.Attributes);
            Assert.Equal(MessageProblem.None, RoundTrip(lookup, new FileSystemReply { Operation = lookup.Operation, Sequence = 41, ErrorNumber = 2 }, out decoded));
            Assert.Equal(2, decoded.ErrorNumber);
            Assert.Equal(0UL, decoded.Attributes.Node);
        }

        [Fact]
        public void MalformedRepliesAreRefused()
        {
            FileSystemRequest lookup = Request(FileSystemOperation.Lookup);
            FileSystemReply good = new FileSystemReply { Operation = FileSystemOperation.Lookup, Sequence = 41, Attributes = File(9) };
            Assert.Equal(MessageProblem.NotTheAnswer, RoundTrip(lookup, good with { Sequence = 40 }, out _));
            Assert.Equal(MessageProblem.NotTheAnswer, RoundTrip(lookup, good with { Operation = FileSystemOperation.GetAttributes }, out _));
            Assert.Equal(MessageProblem.BadMagic, RoundTrip(lookup, good, out _, m => *(uint*)m = 0));
            Assert.Equal(MessageProblem.BadError, RoundTrip(lookup, good, out _, m => *(ushort*)(m + 6) = 4096));
            Assert.Equal(MessageProblem.BadAttributes, RoundTrip(lookup, good with { Attributes = File(0) }, out _));
            Assert.Equal(MessageProblem.BadAttributes, RoundTrip(lookup, good with { Attributes = File(9) with { Mode = 0x2000 | 0x1B6 } }, out _));   // a device
            Assert.Equal(MessageProblem.BadAttributes, RoundTrip(lookup, good with { Attributes = File(9) with { Mode = NodeAttributes.Regular | 0x10000 } }, out _));
            Assert.Equal(MessageProblem.BadAttributes, RoundTrip(lookup, good with { Attributes = File(9) with { ChangedNanoseconds = 1_000_000_000 } }, out _));
            Assert.Equal(MessageProblem.BadField, RoundTrip(lookup, good, out _, m => *(uint*)(m + 20) = 1));
            FileSystemRequest create = Request(FileSystemOperation.Create);
            Assert.Equal(MessageProblem.BadAttributes, RoundTrip(create, good with { Operation = FileSystemOperation.Create, Attributes = File(9) with { Mode = NodeAttributes.Directory | 0x1ED } }, out _));
            // Attributes where the operation has none.
            FileSystemRequest unlink = Request(FileSystemOperation.Unlink);
            Assert.Equal(MessageProblem.BadField, RoundTrip(unlink, new FileSystemReply { Operation = FileSystemOperation.Unlink, Sequence = 41 }, out _, m => *(ulong*)(m + 32) = 5));
            // An error that carries data.
            Assert.Equal(MessageProblem.BadError, RoundTrip(unlink, new FileSystemReply { Operation = FileSystemOperation.Unlink, Sequence = 41, ErrorNumber = 5 }, out _, m => *(uint*)(m + 16) = 3));
            // Unmount's reply carries nothing: neither attributes nor data.
            FileSystemRequest unmount = Request(FileSystemOperation.Unmount);
            FileSystemReply unmounted = new FileSystemReply { Operation = FileSystemOperation.Unmount, Sequence = 41 };
            Assert.Equal(MessageProblem.None, RoundTrip(unmount, unmounted, out _));
            Assert.Equal(MessageProblem.BadField, RoundTrip(unmount, unmounted, out _, m => *(ulong*)(m + 32) = 1));
            Assert.Equal(MessageProblem.BadField, RoundTrip(unmount, unmounted, out _, m => *(uint*)(m + 16) = 1));   // a count
            fixed (byte* data = Name)
                Assert.Equal(MessageProblem.BadData, RoundTrip(unmount, unmounted with { Data = data, DataLength = Name.Length }, out _));
        }

        [Fact]
        public void ReadDataInBulkMemoryIsNamedNotCarried()
        {
            FileSystemRequest read = Request(FileSystemOperation.Read, FileSystemLimits.MaximumReadLength);
            FileSystemReply reply = new FileSystemReply
            {
                Operation = FileSystemOperation.Read, Sequence = 41, InBulk = true, BulkOffset = 0x42000, DataLength = FileSystemLimits.MaximumReadLength,
            };
            byte[] buffer = new byte[FileSystemLimits.ReplyHeaderLength];
            fixed (byte* message = buffer)
            {
                // Only the header: the data stays where the server put it.
                Assert.Equal(FileSystemLimits.ReplyHeaderLength, reply.Encode(message, buffer.Length));
                Assert.Equal(0, FileSystemReply.ClaimedDataLength(message));
                Assert.Equal(MessageProblem.None, FileSystemReply.Decode(message, buffer.Length, read, out FileSystemReply decoded));
                Assert.True(decoded.InBulk);
                Assert.Equal(0x42000UL, decoded.BulkOffset);
                Assert.Equal(FileSystemLimits.MaximumReadLength, decoded.DataLength);
                Assert.True(decoded.Data == null);
            }
            Assert.Equal(MessageProblem.BadData, RoundTrip(Request(FileSystemOperation.Read, 4096), reply with { DataLength = 4097 }, out _));
            Assert.Equal(MessageProblem.TooLong, RoundTrip(read, reply, out _, m => *(uint*)(m + 12) = FileSystemLimits.MaximumReadLength + 1));
            Assert.Equal(MessageProblem.BadField, RoundTrip(read, reply, out _, m => *(uint*)(m + 20) = 2));                 // an unknown flag
            Assert.Equal(MessageProblem.BadField, RoundTrip(read, reply, out _, m => *(uint*)(m + 20) = 3));
            Assert.Equal(MessageProblem.BadField, RoundTrip(read, reply, out _, m => *(ushort*)(m + 6) = 5));                // an error in bulk
            Assert.Equal(MessageProblem.BadField, RoundTrip(read, reply with { InBulk = false, DataLength = 0 }, out _, m => *(ulong*)(m + 24) = 8));   // an offset without the flag
            // Only a read's data goes in bulk: a server cannot encode another reply so, and a client refuses one.
            FileSystemRequest readLink = Request(FileSystemOperation.ReadLink);
            FileSystemReply link = new FileSystemReply { Operation = FileSystemOperation.ReadLink, Sequence = 41, InBulk = true, DataLength = 1 };
            fixed (byte* message = new byte[FileSystemLimits.MaximumReplyLength])
                Assert.Equal(-1, link.Encode(message, FileSystemLimits.MaximumReplyLength));
            Assert.Equal(MessageProblem.BadField, RoundTrip(Request(FileSystemOperation.Statistics), new FileSystemReply { Operation = FileSystemOperation.Statistics, Sequence = 41 },
                out _, m => *(uint*)(m + 20) = FileSystemReply.FlagInBulk));
            // Inline data stays within what a reply area carries.
            Assert.Equal(-1, (reply with { InBulk = false, DataLength = FileSystemLimits.MaximumDataLength + 1 }).Encode(null, 0));
        }

        [Fact]
        public void ReadRepliesStayWithinWhatWasAsked()
        {
            byte[] data = new byte[600];
            fixed (byte* bytes = data)
            {
                FileSystemRequest read = Request(FileSystemOperation.Read, 512);
                FileSystemReply reply = new FileSystemReply { Operation = FileSystemOperation.Read, Sequence = 41, Data = bytes, DataLength = 512 };
                Assert.Equal(MessageProblem.None, RoundTrip(read, reply, out FileSystemReply decoded));
                Assert.Equal(512, decoded.DataLength);
                Assert.Equal(MessageProblem.BadData, RoundTrip(read, reply with { DataLength = 513 }, out _));
                Assert.Equal(MessageProblem.TooLong, RoundTrip(read, reply, out _, m => *(uint*)(m + 12) = FileSystemLimits.MaximumDataLength + 1));
                Assert.Equal(MessageProblem.Truncated, RoundTrip(read, reply, out _, m => *(uint*)(m + 12) = 600));   // more claimed than sent
                // A write's count within its data.
                FileSystemRequest write = new FileSystemRequest { Operation = FileSystemOperation.Write, Sequence = 41, Node = 1, Data = bytes, DataLength = 100 };
                FileSystemReply written = new FileSystemReply { Operation = FileSystemOperation.Write, Sequence = 41, Count = 100, Attributes = File(1) };
                Assert.Equal(MessageProblem.None, RoundTrip(write, written, out decoded));
                Assert.Equal(100u, decoded.Count);
                Assert.Equal(MessageProblem.BadField, RoundTrip(write, written with { Count = 101 }, out _));
                // A link target: no zero byte, not empty.
                FileSystemRequest readLink = Request(FileSystemOperation.ReadLink);
                data[0] = (byte)'/';
                data[1] = 0;
                Assert.Equal(MessageProblem.None, RoundTrip(readLink, new FileSystemReply { Operation = FileSystemOperation.ReadLink, Sequence = 41, Data = bytes, DataLength = 1 }, out _));
                Assert.Equal(MessageProblem.BadData, RoundTrip(readLink, new FileSystemReply { Operation = FileSystemOperation.ReadLink, Sequence = 41, Data = bytes, DataLength = 2 }, out _));
                Assert.Equal(MessageProblem.BadData, RoundTrip(readLink, new FileSystemReply { Operation = FileSystemOperation.ReadLink, Sequence = 41 }, out _));
            }
        }

        [Fact]
        public void DirectoryRecordsMustBeWellFormedWithGrowingCursors()
        {
            byte[] data = new byte[1024];
            byte[] a = Encoding.ASCII.GetBytes("a"), b = Encoding.ASCII.GetBytes("bee"), dot = Encoding.ASCII.GetBytes(".."), slash = Encoding.ASCII.GetBytes("x/y");
            fixed (byte* bytes = data, na = a, nb = b, nd = dot, ns = slash)
            {
                int length = DirectoryRecords.Write(bytes, data.Length, 5, 5, DirectoryRecords.TypeRegular, na, 1);
                length += DirectoryRecords.Write(bytes + length, data.Length - length, 9, 9, DirectoryRecords.TypeDirectory, nb, 3);
                FileSystemRequest list = new FileSystemRequest { Operation = FileSystemOperation.ReadDirectory, Sequence = 41, Node = 1, Offset = 2, Count = 1024 };
                FileSystemReply reply = new FileSystemReply { Operation = FileSystemOperation.ReadDirectory, Sequence = 41, Data = bytes, DataLength = length };
                Assert.Equal(MessageProblem.None, RoundTrip(list, reply, out _));
                int position = 0;
                Assert.True(DirectoryRecords.Next(bytes, length, ref position, out DirectoryRecord first));
                Assert.Equal(5UL, first.Node);
                Assert.True(DirectoryRecords.Next(bytes, length, ref position, out DirectoryRecord second));
                Assert.Equal(9UL, second.NextCursor);
                Assert.Equal("bee", Encoding.ASCII.GetString(second.Name, second.NameLength));
                Assert.False(DirectoryRecords.Next(bytes, length, ref position, out _));
                // The cursor must move past the request's: a server that repeats itself cannot make a listing endless.
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list with { Offset = 5 }, reply, out _));
                Assert.Equal(MessageProblem.Truncated, RoundTrip(list, reply with { DataLength = length - 1 }, out _));
                Assert.Equal(MessageProblem.BadData, RoundTrip(list with { Count = (uint)length - 1 }, reply, out _));
                int bad = DirectoryRecords.Write(bytes, data.Length, 5, 5, DirectoryRecords.TypeRegular, nd, 2);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list, reply with { DataLength = bad }, out _));
                bad = DirectoryRecords.Write(bytes, data.Length, 5, 5, DirectoryRecords.TypeRegular, ns, 3);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list, reply with { DataLength = bad }, out _));
                bad = DirectoryRecords.Write(bytes, data.Length, 5, 5, 2 /* a character device */, na, 1);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list, reply with { DataLength = bad }, out _));
                bad = DirectoryRecords.Write(bytes, data.Length, 0, 5, DirectoryRecords.TypeRegular, na, 1);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list, reply with { DataLength = bad }, out _));
                bad = DirectoryRecords.Write(bytes, data.Length, 5, DirectoryRecords.MaximumCursor + 1, DirectoryRecords.TypeRegular, na, 1);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(list, reply with { DataLength = bad }, out _));
            }
        }

        [Fact]
        public void StatisticsFiguresAreChecked()
        {
            byte[] data = new byte[FileSystemFigures.EncodedLength + 8];
            fixed (byte* bytes = data)
            {
                FileSystemRequest statistics = Request(FileSystemOperation.Statistics);
                FileSystemFigures figures = new FileSystemFigures
                {
                    BlockSize = 4096, Blocks = 100, FreeBlocks = 50, AvailableBlocks = 50, Files = 10, FreeFiles = 9, MaximumNameLength = 255,
                    IdentityLow = 0x0123456789ABCDEF, IdentityHigh = 0xFEDCBA9876543210,
                };
                figures.Write(bytes);
                FileSystemReply reply = new FileSystemReply { Operation = FileSystemOperation.Statistics, Sequence = 41, Data = bytes, DataLength = FileSystemFigures.EncodedLength };
                Assert.Equal(MessageProblem.None, RoundTrip(statistics, reply, out _));
                Assert.Equal(figures, FileSystemFigures.Read(bytes));
                Assert.Equal(MessageProblem.BadData, RoundTrip(statistics, reply with { DataLength = FileSystemFigures.EncodedLength + 8 }, out _));
                (figures with { FreeBlocks = 101 }).Write(bytes);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(statistics, reply, out _));
                (figures with { BlockSize = 0 }).Write(bytes);
                Assert.Equal(MessageProblem.BadAttributes, RoundTrip(statistics, reply, out _));
            }
        }

        // A MapBlocks reply names where a file's bytes lie on the disk, and the kernel reads the disk there (O_DIRECT
        // reads without the server): runs that are not whole sectors, overlap, go backwards, overflow or end before what
        // was asked are refused, so a server's mistake is an EIO, not a read of the wrong sectors.
        [Fact]
        public void BlockRunsAreWholeSectorsInOrder()
        {
            byte[] data = new byte[BlockRuns.MaximumLength + BlockRuns.RecordLength];
            fixed (byte* bytes = data)
            {
                FileSystemRequest map = Request(FileSystemOperation.MapBlocks, 4096) with { Offset = 8192 };
                BlockRun first = new BlockRun { Offset = 8192, Sector = 2048, Length = 4096 };
                BlockRun second = new BlockRun { Offset = 12288, Sector = 100, Length = 1 << 20 };
                byte* at = bytes;
                MessageProblem Runs(params BlockRun[] runs) => MapReply(at, map, runs);
                Assert.Equal(MessageProblem.None, Runs());
                Assert.Equal(MessageProblem.None, Runs(first, second));
                Assert.Equal(second, BlockRuns.Read(bytes + BlockRuns.RecordLength));
                Assert.Equal(MessageProblem.None, Runs(first with { Offset = 4096, Length = 8192 }));   // begins before, covers the offset
                Assert.Equal(MessageProblem.BadData, Runs(first with { Offset = 0, Length = 8192 }));   // ends at the offset
                Assert.Equal(MessageProblem.BadData, Runs(first with { Length = 0 }));
                Assert.Equal(MessageProblem.BadData, Runs(first with { Length = 4000 }));
                Assert.Equal(MessageProblem.BadData, Runs(first with { Offset = 8200 }));
                Assert.Equal(MessageProblem.BadData, Runs(second, first));   // backwards
                Assert.Equal(MessageProblem.BadData, Runs(first, second with { Offset = 8192 + 512 }));   // overlapping
                Assert.Equal(MessageProblem.BadData, Runs(first, second with { Offset = ulong.MaxValue - 511, Length = 1024 }));
                Assert.Equal(MessageProblem.BadData, Runs(first with { Sector = ulong.MaxValue / 512 }));
                BlockRun[] many = new BlockRun[BlockRuns.MaximumRuns + 1];
                for (int i = 0; i < many.Length; i++)
                    many[i] = new BlockRun { Offset = 8192 + (ulong)i * 4096, Sector = (ulong)i * 8, Length = 4096 };
                Assert.Equal(MessageProblem.BadData, Runs(many));
                Assert.Equal(MessageProblem.None, Runs(many[..BlockRuns.MaximumRuns]));
                Runs(first);
                bytes[20] = 1;   // the record's zero word
                FileSystemReply padded = new FileSystemReply { Operation = FileSystemOperation.MapBlocks, Sequence = 41, Data = bytes, DataLength = BlockRuns.RecordLength };
                Assert.Equal(MessageProblem.BadData, RoundTrip(map, padded, out _));
                Assert.Equal(MessageProblem.BadData, RoundTrip(map, padded with { DataLength = BlockRuns.RecordLength - 1 }, out _));
                // A MapBlocks request asks about 1 byte to a read's most.
                Assert.Equal(MessageProblem.BadField, (map with { Count = 0 }).Check());
                Assert.Equal(MessageProblem.BadField, (map with { Count = FileSystemLimits.MaximumReadLength + 1 }).Check());
                Assert.Equal(MessageProblem.None, (map with { Count = FileSystemLimits.MaximumReadLength }).Check());
            }
        }

        private static MessageProblem MapReply(byte* bytes, in FileSystemRequest map, BlockRun[] runs)
        {
            for (int i = 0; i < runs.Length; i++)
                BlockRuns.Write(bytes + i * BlockRuns.RecordLength, runs[i]);
            FileSystemReply reply = new FileSystemReply { Operation = FileSystemOperation.MapBlocks, Sequence = 41, Data = bytes, DataLength = runs.Length * BlockRuns.RecordLength };
            return RoundTrip(map, reply, out _);
        }

        /// <summary>Random and mutated messages: the decoders never throw, and whatever they accept points inside the message.</summary>
        [Fact]
        public void RandomBytesNeverEscapeTheBuffer()
        {
            Random random = new Random(1234);
            byte[] buffer = new byte[FileSystemLimits.MaximumRequestLength];
            int accepted = 0;
            for (int round = 0; round < 20000; round++)
            {
                int length = random.Next(0, round % 2 == 0 ? 400 : buffer.Length);
                random.NextBytes(buffer);
                fixed (byte* message = buffer)
                {
                    if (round % 4 != 0)
                    {
                        *(uint*)message = FileSystemLimits.Magic;   // past the magic, to reach the other checks
                        message[4] = (byte)random.Next(0, (int)FileSystemOperation.MapBlocks + 2);   // every operation and one past them
                        message[5] = 0;
                        message[14] = message[15] = 0;
                        message[6] = (byte)random.Next(0, 12); message[7] = 0;
                        message[12] = (byte)random.Next(0, 12); message[13] = 0;
                        *(uint*)(message + 44) = (uint)random.Next(0, 64);
                    }
                    if (round % 4 == 1)
                    {
                        // The operations with neither names nor data nor counts: well formed once those are zero.
                        int[] simple = { 2, 12, 14 };
                        message[4] = (byte)simple[random.Next(0, 3)];
                        message[6] = message[12] = 0;
                        for (int i = 24; i < 32; i++)
                            message[i] = 0;
                        for (int i = 40; i < 64; i++)
                            message[i] = 0;
                        message[16] |= 1;
                    }
                    if (FileSystemRequest.Decode(message, length, out FileSystemRequest request) == MessageProblem.None)
                    {
                        accepted++;
                        Assert.True(request.EncodedLength <= length);
                        AssertInside(message, length, request.Name, request.NameLength);
                        AssertInside(message, length, request.SecondName, request.SecondNameLength);
                        AssertInside(message, length, request.Data, request.DataLength);
                    }
                    FileSystemRequest asked = new FileSystemRequest { Operation = (FileSystemOperation)(round % ((int)FileSystemOperation.MapBlocks + 1)), Sequence = *(uint*)(message + 8), Node = 1, Count = 512 };
                    if (FileSystemReply.Decode(message, length, asked, out FileSystemReply reply) == MessageProblem.None)
                        AssertInside(message, length, reply.Data, reply.DataLength);
                }
            }
            Assert.True(accepted > 0, "the mutations should reach well-formed requests too");
        }

        private static void AssertInside(byte* message, int length, byte* at, int count)
        {
            if (count == 0)
                return;
            Assert.True(at >= message && at + count <= message + length);
        }
    }
}
