using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Mapping trees under stress: a file written one block in two, out of order, so that every block is an extent
    /// of its own (ext4: leaves split, the root grows two levels; ext2: all indirect levels), then truncated in the
    /// middle and removed, with e2fsck -fn after each step. Also the htree directory's index is dropped on change.
    /// </summary>
    public class ExtentTreeTests
    {
        private readonly ITestOutputHelper _output;
        public ExtentTreeTests(ITestOutputHelper output) { _output = output; }

        [Theory]
        [InlineData("ext4-4k", 2000)]
        [InlineData("ext4-default", 1200)]
        [InlineData("ext2-1k", 1200)]
        public void FragmentedFileGrowsShrinksAndGoes(string format, int pieces)
        {
            using var work = new Scratch("tree-" + format);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, null, ImageFormat.Options(format));
            uint blockSize;
            var expected = new byte[0];
            using (var mounted = MountedImage.Open(image, cacheBlocks: 32))
            {
                blockSize = mounted.FileSystem.BlockSize;
                uint file = mounted.CreateFile("/fragmented");
                uint filler = mounted.CreateFile("/filler");
                expected = new byte[(long)(pieces * 2 - 1) * blockSize];
                var random = new Random(7);
                // Ascending odd blocks for the first half, then descending for the rest: inserts at the end and at the front of leaves.
                var order = Enumerable.Range(0, pieces / 2).Concat(Enumerable.Range(pieces / 2, pieces - pieces / 2).Reverse());
                foreach (int piece in order)
                {
                    var data = new byte[blockSize];
                    random.NextBytes(data);
                    ulong offset = (ulong)piece * 2 * blockSize;
                    Assert.Equal(Error.None, mounted.Write(file, offset, data));
                    data.CopyTo(expected, (long)offset);
                    // A block of another file between, so no two of this file's blocks are adjacent on disk.
                    Assert.Equal(Error.None, mounted.Write(filler, (ulong)piece * blockSize, new byte[] { 1 }));
                }
                byte[] got = mounted.ReadAll(file);
                int firstDifference = expected.AsSpan().CommonPrefixLength(got);
                Assert.True(firstDifference == expected.Length, $"differs at {firstDifference} (block {firstDifference / blockSize}) of {expected.Length}, read {got.Length}");
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            if (format.StartsWith("ext4"))
            {
                string extents = E2fsprogs.Debugfs(image, "ex /fragmented");
                Assert.Contains(" 2/ 2 ", extents);   // depth 2: the root, index blocks, leaves
            }

            using (var mounted = MountedImage.Open(image, cacheBlocks: 32))
            {
                uint file = mounted.Node("/fragmented");
                ulong cut = (ulong)pieces * blockSize + 100;
                Assert.Equal(Error.None, mounted.SetAttributes(file, new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = cut }));
                expected = expected.Take((int)cut).ToArray();
                Assert.True(expected.AsSpan().SequenceEqual(mounted.ReadAll(file)));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            Assert.True(expected.AsSpan().SequenceEqual(E2fsprogs.Cat(image, "/fragmented")));

            using (var mounted = MountedImage.Open(image, cacheBlocks: 32))
            {
                Assert.Equal(Error.None, mounted.FileSystem.Statistics(out ExtStatistics before));
                Assert.Equal(Error.None, mounted.Unlink("/fragmented"));
                Assert.Equal(Error.None, mounted.Unlink("/filler"));
                Assert.Equal(Error.None, mounted.FileSystem.Statistics(out ExtStatistics after));
                Assert.True(after.FreeBlocks >= before.FreeBlocks + (ulong)pieces / 2);
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
        }

        [Fact]
        public void ChangingAnHtreeDirectoryDropsItsIndex()
        {
            using var work = new Scratch("htree");
            using var tree = new SourceTree(Path.Combine(work, "tree"), withSparse: false);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, tree.Root, ImageFormat.Options("ext4-4k"));
            Assert.Contains("Flags: 0x81000", E2fsprogs.Debugfs(image, "stat /many"));   // extents and index
            using (var mounted = MountedImage.Open(image))
            {
                mounted.CreateFile("/many/one-more");
                mounted.Sync();
            }
            Assert.Contains("Flags: 0x80000", E2fsprogs.Debugfs(image, "stat /many"));
            E2fsprogs.AssertClean(image, _output);
            Assert.Contains("one-more", E2fsprogs.Debugfs(image, "ls /many"));
        }

        [Fact]
        public void WritesIntoPreallocatedExtentsInitialiseThem()
        {
            using var work = new Scratch("unwritten");
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 32, null, ImageFormat.Options("ext4-4k"));
            E2fsprogs.Run("debugfs", "-w", "-R", "write /dev/null preallocated", image);
            var (status, output) = E2fsprogs.Run("debugfs", "-w", "-R", "fallocate /preallocated 0 63", image);
            Assert.True(status == 0, output);
            Assert.Contains("Uninit", E2fsprogs.Debugfs(image, "ex /preallocated"));
            var expected = new byte[64 * 4096];
            using (var mounted = MountedImage.Open(image))
            {
                uint file = mounted.Node("/preallocated");
                byte[] data = System.Text.Encoding.ASCII.GetBytes("written into a preallocated block");
                Assert.Equal(Error.None, mounted.Write(file, 10 * 4096 + 7, data));
                data.CopyTo(expected, 10 * 4096 + 7);
                var grow = new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = (ulong)expected.Length };
                Assert.Equal(Error.None, mounted.SetAttributes(file, grow));
                Assert.True(expected.AsSpan().SequenceEqual(mounted.ReadAll(file)));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            Assert.DoesNotContain("Uninit", E2fsprogs.Debugfs(image, "ex /preallocated"));
            Assert.True(expected.AsSpan().SequenceEqual(E2fsprogs.Cat(image, "/preallocated")));
        }
    }
}
