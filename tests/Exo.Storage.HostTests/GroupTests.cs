using System;
using System.IO;
using System.Linq;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Filling past the first block group: Debian's ext4 leaves most groups' bitmaps uninitialised (BLOCK_UNINIT,
    /// INODE_UNINIT); the library builds them on first use, and e2fsck must agree with what it built. Then the disk
    /// is filled to ENOSPC and emptied again.
    /// </summary>
    public class GroupTests
    {
        private readonly ITestOutputHelper _output;
        public GroupTests(ITestOutputHelper output) { _output = output; }

        private static int UninitialisedGroups(string image) =>
            E2fsprogs.Run("dumpe2fs", image).Output.Split('\n').Count(line => line.StartsWith("Group ") && line.Contains("UNINIT"));

        [Theory]
        [InlineData("ext4-default")]
        [InlineData("ext2-1k")]
        [InlineData("ext4-uninit-bg")]
        public void UninitialisedGroupsAreBuiltOnFirstUseAndTheDiskFillsAndEmpties(string format)
        {
            using var work = new Scratch("groups-" + format);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, null, ImageFormat.Options(format));
            int uninitialisedBefore = UninitialisedGroups(image);
            if (format.StartsWith("ext4"))
                Assert.True(uninitialisedBefore > 2, "uninitialised groups: " + uninitialisedBefore);
            var chunk = new byte[1 << 20];
            new System.Random(5).NextBytes(chunk);
            using (var mounted = MountedImage.Open(image))
            {
                // More inodes than the first group has (2048 a group here).
                // (in 21 directories of 100: one directory of 2100 would make each create scan thousands of entries)
                mounted.MakeDirectory("/files");
                for (int i = 0; i < 2100; i++)
                {
                    if (i % 100 == 0)
                        mounted.MakeDirectory($"/files/d{i / 100}");
                    mounted.CreateFile($"/files/d{i / 100}/f{i}");
                }
                uint big = mounted.CreateFile("/big");
                for (int mebibyte = 0; mebibyte < 30; mebibyte++)
                    Assert.Equal(Error.None, mounted.Write(big, (ulong)mebibyte << 20, chunk));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            Assert.True(chunk.AsSpan().SequenceEqual(E2fsprogs.Cat(image, "/big").AsSpan(29 << 20, 1 << 20)));
            if (format.StartsWith("ext4"))
                Assert.True(UninitialisedGroups(image) < uninitialisedBefore);   // the library built some

            using (var mounted = MountedImage.Open(image))
            {
                uint fill = mounted.CreateFile("/fill");
                Error error = Error.None;
                for (int mebibyte = 0; mebibyte < 80 && error == Error.None; mebibyte++)
                    error = mounted.Write(fill, (ulong)mebibyte << 20, chunk);
                Assert.Equal(Error.NoSpace, error);
                Assert.Equal(Error.None, mounted.FileSystem.Statistics(out ExtStatistics full));
                Assert.True(full.FreeBlocks < 64, "free blocks left at ENOSPC: " + full.FreeBlocks);
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            using (var mounted = MountedImage.Open(image))
            {
                Assert.Equal(Error.None, mounted.Unlink("/fill"));
                Assert.Equal(Error.None, mounted.Unlink("/big"));
                for (int i = 0; i < 2100; i++)
                    Assert.Equal(Error.None, mounted.Unlink($"/files/d{i / 100}/f{i}"));
                for (int d = 0; d < 21; d++)
                    Assert.Equal(Error.None, mounted.RemoveDirectory($"/files/d{d}"));
                Assert.Equal(Error.None, mounted.RemoveDirectory("/files"));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
        }
    }
}
