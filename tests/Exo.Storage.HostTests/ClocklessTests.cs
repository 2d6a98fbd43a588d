using System.IO;
using Exo.Abi;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// The library mounted without a clock, as extfs mounts it: files created and deleted must leave an image e2fsck
    /// finds clean. A deleted inode's time is what e2fsck reads first (0: never released; below the inode count: a link
    /// of a broken orphan list), so it cannot be the clock's 0 or a small stand-in.
    /// </summary>
    public class ClocklessTests
    {
        private readonly ITestOutputHelper _output;
        public ClocklessTests(ITestOutputHelper output) { _output = output; }

        [Theory]
        [InlineData("ext4-default")]
        [InlineData("ext2-1k")]
        public void FilesDeletedWithoutAClockLeaveACleanImage(string format)
        {
            using var work = new Scratch("clockless-" + format);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 8, null, ImageFormat.Options(format));
            using (var mounted = MountedImage.Open(image, withoutClock: true))
            {
                mounted.MakeDirectory("/directory");
                for (int i = 0; i < 20; i++)
                    mounted.CreateFile($"/directory/f{i}");
                for (int i = 0; i < 20; i += 2)
                    Assert.Equal(Error.None, mounted.Unlink($"/directory/f{i}"));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
        }
    }
}
