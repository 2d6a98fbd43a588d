using System.IO;
using Exo.Abi;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// A large read takes runs of whole uncached blocks straight from the device (ExtFileSystem.Read, BlockCache.ReadAround):
    /// a block changed in the cache and not yet written back must still be read from the cache, in the middle of a run.
    /// </summary>
    public class ReadAroundTests
    {
        private readonly ITestOutputHelper _output;
        public ReadAroundTests(ITestOutputHelper output) { _output = output; }

        [Theory]
        [InlineData("ext4-4k")]
        [InlineData("ext2-1k")]
        public void RunsReadAroundTheCacheButSeeItsUnwrittenChanges(string format)
        {
            using var work = new Scratch("read-around-" + format);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 16, null, ImageFormat.Options(format));
            var content = new byte[256 * 1024];
            new System.Random(7).NextBytes(content);
            using (var mounted = MountedImage.Open(image))
            {
                Assert.Equal(Error.None, mounted.Write(mounted.CreateFile("/file"), 0, content));
                mounted.Sync();
            }
            using (var mounted = MountedImage.Open(image))
            {
                uint file = mounted.Node("/file");
                Assert.Equal(content, mounted.ReadAll(file));   // from the disk, around the cache
                var changed = new byte[] { 1, 2, 3 };
                Assert.Equal(Error.None, mounted.Write(file, 20_480, changed));   // dirty in the cache, not on the disk
                changed.CopyTo(content, 20_480);
                Assert.Equal(content, mounted.ReadAll(file));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);
            Assert.Equal(content, E2fsprogs.Cat(image, "/file"));
        }
    }
}
