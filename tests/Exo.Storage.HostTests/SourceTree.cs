using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// The tree the tests give mke2fs -d: files of sizes that reach each mapping level (direct, single, double
    /// indirect at 1 and 4 KiB blocks), an optional sparse file past 4 GiB (triple indirect on ext2), short and long
    /// symbolic links, a hard link, a directory of 600 names (an htree under ext4) and nested directories.
    /// </summary>
    public sealed class SourceTree : IDisposable
    {
        public readonly string Root;
        public readonly Dictionary<string, byte[]> Files = new Dictionary<string, byte[]>();
        public readonly Dictionary<string, string> Links = new Dictionary<string, string>();
        public const ulong SparseSize = 5UL << 30;
        public const long SparseDataAt = 4_500_000_000;
        public static readonly string LongTarget = "long/" + new string('t', 150) + "/target/" + new string('u', 40);
        public const int ManyEntries = 600;

        public SourceTree(string directory, bool withSparse)
        {
            Root = directory;
            if (Directory.Exists(Root))
                Directory.Delete(Root, true);
            Directory.CreateDirectory(Root);
            var random = new Random(15);
            AddFile("small.txt", Encoding.ASCII.GetBytes("hello, ext\n"), random);
            AddFile("empty", Array.Empty<byte>(), random);
            AddFile("one-block.bin", Bytes(random, 4096), random);
            AddFile("medium.bin", Bytes(random, 100_000), random);
            AddFile("large.bin", Bytes(random, 5_000_000), random);
            AddFile("dir/sub/deep.txt", Encoding.ASCII.GetBytes("deep inside\n"), random);
            AddFile("hard-one", Encoding.ASCII.GetBytes("two names, one inode\n"), random);
            if (link(Path.Combine(Root, "hard-one"), Path.Combine(Root, "hard-two")) != 0)
                throw new IOException("link");
            File.SetUnixFileMode(Path.Combine(Root, "small.txt"), (UnixFileMode)0x1A0);   // 0640
            File.SetUnixFileMode(Path.Combine(Root, "medium.bin"), (UnixFileMode)0x1ED);  // 0755
            File.CreateSymbolicLink(Path.Combine(Root, "short-link"), "small.txt");
            Links["short-link"] = "small.txt";
            File.CreateSymbolicLink(Path.Combine(Root, "long-link"), LongTarget);
            Links["long-link"] = LongTarget;
            Directory.CreateDirectory(Path.Combine(Root, "many"));
            for (int i = 0; i < ManyEntries; i++)
                AddFile($"many/entry-{i:D4}-{new string('n', i % 40)}", Encoding.ASCII.GetBytes($"entry {i}\n"), random);
            if (withSparse)
            {
                string sparse = Path.Combine(Root, "sparse.bin");
                using (var stream = new FileStream(sparse, FileMode.Create))
                {
                    stream.SetLength((long)SparseSize);
                    stream.Write(Encoding.ASCII.GetBytes("start"));
                    stream.Position = SparseDataAt;
                    stream.Write(Encoding.ASCII.GetBytes("far away"));
                }
            }
        }

        [System.Runtime.InteropServices.DllImport("libc")]
        private static extern int link(string existing, string created);

        private static byte[] Bytes(Random random, int count)
        {
            var data = new byte[count];
            random.NextBytes(data);
            return data;
        }

        private void AddFile(string path, byte[] data, Random random)
        {
            string full = Path.Combine(Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, data);
            Files[path] = data;
        }

        public void Dispose()
        {
            if (Directory.Exists(Root))
                Directory.Delete(Root, true);
        }
    }
}
