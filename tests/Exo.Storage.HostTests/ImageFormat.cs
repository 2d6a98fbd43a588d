using System.IO;

namespace Exo.Storage.HostTests
{
    /// <summary>The image kinds every test runs on: mke2fs's options for each.</summary>
    public static class ImageFormat
    {
        public static string[] Options(string format) => format switch
        {
            "ext2-4k" => new[] { "-t", "ext2", "-b", "4096" },
            "ext2-1k" => new[] { "-t", "ext2", "-b", "1024" },
            "ext4-default" => new[] { "-t", "ext4" },   // Debian's defaults; a 64 MiB image is "small": 1 KiB blocks
            "ext4-4k" => new[] { "-t", "ext4", "-b", "4096" },
            "ext4-no-checksums" => new[] { "-t", "ext4", "-b", "4096", "-O", "^metadata_csum,^uninit_bg" },
            "ext4-uninit-bg" => new[] { "-t", "ext4", "-O", "^metadata_csum,uninit_bg" },   // CRC16 descriptor checksums
            _ => throw new System.ArgumentException(format),
        };

        /// <summary>Every kind, for a theory's MemberData.</summary>
        public static System.Collections.Generic.IEnumerable<object[]> All => new[]
        {
            new object[] { "ext2-4k" }, new object[] { "ext2-1k" }, new object[] { "ext4-default" },
            new object[] { "ext4-4k" }, new object[] { "ext4-no-checksums" }, new object[] { "ext4-uninit-bg" },
        };

        public static string WorkDirectory(string name)
        {
            string directory = Path.Combine(Path.GetTempPath(), "exo-ext-tests", name);
            Directory.CreateDirectory(directory);
            return directory;
        }
    }
}
