using System;
using System.IO;
using System.Linq;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>Images made by mke2fs -d from a known tree read back through the library: names, types, sizes, data, links, modes, owners.</summary>
    public class ReadBackTests
    {
        [Theory]
        [MemberData(nameof(ImageFormat.All), MemberType = typeof(ImageFormat))]
        public void EverythingMke2fsWroteReadsBack(string format)
        {
            using var work = new Scratch("read-" + format);
            using var tree = new SourceTree(Path.Combine(work, "tree"), withSparse: true);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, tree.Root, ImageFormat.Options(format));
            using var mounted = MountedImage.Open(image, readOnly: true);

            foreach (var (path, data) in tree.Files)
            {
                uint node = mounted.Node("/" + path);
                Assert.Equal(Error.None, mounted.FileSystem.GetAttributes(node, out ExtAttributes attributes));
                Assert.Equal((ulong)data.Length, attributes.Size);
                Assert.True(data.AsSpan().SequenceEqual(mounted.ReadAll(node)), path + " differs");
                var info = new HostFileStatus(Path.Combine(tree.Root, path));
                Assert.Equal(info.Mode, attributes.Mode);
                Assert.Equal(info.UserId, attributes.UserId);
                Assert.Equal(info.GroupId, attributes.GroupId);
                Assert.Equal(info.ModifiedSeconds, attributes.ModifiedSeconds);
            }
            foreach (var (path, target) in tree.Links)
            {
                uint node = mounted.Node("/" + path);
                Assert.Equal(target, mounted.ReadLink(node));
                Assert.Equal(Error.None, mounted.FileSystem.GetAttributes(node, out ExtAttributes attributes));
                Assert.Equal(0xA000u, attributes.Mode & 0xF000);
            }
            Assert.Equal(mounted.Node("/hard-one"), mounted.Node("/hard-two"));
            Assert.Equal(Error.None, mounted.FileSystem.GetAttributes(mounted.Node("/hard-one"), out ExtAttributes hard));
            Assert.Equal(2u, hard.LinkCount);

            Assert.Contains("Flags: 0x" + (format.StartsWith("ext4") ? "81000" : "1000"), E2fsprogs.Debugfs(image, "stat /many"));   // an htree
            var many = mounted.List(mounted.Node("/many"));
            Assert.Equal(SourceTree.ManyEntries + 2, many.Count);
            Assert.Equal(SourceTree.ManyEntries, many.Count(e => e.Name.StartsWith("entry-")));
            var root = mounted.List(ExtFileSystem.RootInode).Select(e => e.Name).ToHashSet();
            foreach (string name in new[] { ".", "..", "small.txt", "dir", "many", "short-link", "long-link", "sparse.bin", "lost+found" })
                Assert.Contains(name, root);

            // The sparse file: its size past 4 GiB, its holes zero, its data where it was written.
            uint sparse = mounted.Node("/sparse.bin");
            Assert.Equal(Error.None, mounted.FileSystem.GetAttributes(sparse, out ExtAttributes sparseAttributes));
            Assert.Equal(SourceTree.SparseSize, sparseAttributes.Size);
            var piece = new byte[8];
            mounted.ReadInto(sparse, (ulong)SourceTree.SparseDataAt, piece);
            Assert.Equal("far away", System.Text.Encoding.ASCII.GetString(piece));
            mounted.ReadInto(sparse, 3UL << 30, piece);
            Assert.All(piece, b => Assert.Equal(0, b));
            mounted.ReadInto(sparse, 0, piece);
            Assert.Equal("start", System.Text.Encoding.ASCII.GetString(piece, 0, 5));

            Assert.Equal(Error.None, mounted.FileSystem.Statistics(out ExtStatistics figures));
            var (_, dump) = E2fsprogs.Run("dumpe2fs", "-h", image);
            Assert.Contains($"Free blocks:              {figures.FreeBlocks}\n", dump);
            Assert.Contains($"Free inodes:              {figures.FreeFiles}\n", dump);
        }
    }
}
