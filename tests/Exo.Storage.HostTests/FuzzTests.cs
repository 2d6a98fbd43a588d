using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Hostile images: a real image (mke2fs -d, htree indexed) with random bytes changed in its metadata blocks
    /// (superblock, descriptors, bitmaps, inode tables, directories, indirect and extent blocks, symbolic links;
    /// found as the non-zero blocks that are neither file data nor journal), then every operation over it. Each
    /// must answer with an error code or succeed: an exception (an out-of-range access included) or an iteration
    /// that does not finish in time fails the test with its seed. $EXO_EXT_FUZZ_ITERATIONS (default 150 an image kind).
    /// </summary>
    public unsafe class FuzzTests
    {
        private readonly ITestOutputHelper _output;
        public FuzzTests(ITestOutputHelper output) { _output = output; }

        private static (byte[] Image, List<long> MetadataBlocks, int BlockSize) Build(string format)
        {
            using var work = new Scratch("fuzz-" + format);
            string tree = Path.Combine(work, "tree");
            if (Directory.Exists(tree))
                Directory.Delete(tree, true);
            Directory.CreateDirectory(Path.Combine(tree, "big-directory"));
            Directory.CreateDirectory(Path.Combine(tree, "a", "b"));
            var random = new Random(3);
            var dataFiles = new List<string>();
            void Add(string path, int size)
            {
                var data = new byte[size];
                random.NextBytes(data);
                File.WriteAllBytes(Path.Combine(tree, path), data);
                dataFiles.Add("/" + path);
            }
            Add("small", 300);
            Add("a/b/medium", 70_000);
            Add("double-indirect", 1_200_000);
            for (int i = 0; i < 150; i++)
                File.WriteAllText(Path.Combine(tree, "big-directory", $"name-{i}-{new string('x', i % 30)}"), "");
            File.CreateSymbolicLink(Path.Combine(tree, "short-link"), "small");
            File.CreateSymbolicLink(Path.Combine(tree, "long-link"), new string('l', 300));
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 8, tree, ImageFormat.Options(format));
            byte[] bytes = File.ReadAllBytes(image);
            var (_, header) = E2fsprogs.Run("dumpe2fs", "-h", image);
            int blockSize = int.Parse(Regex.Match(header, @"Block size:\s+(\d+)").Groups[1].Value);
            var excluded = new HashSet<long>();
            foreach (string file in dataFiles.Append("<8>"))
                foreach (Match number in Regex.Matches(E2fsprogs.Debugfs(image, "blocks " + file), @"\d+"))
                    excluded.Add(long.Parse(number.Value));
            var metadata = new List<long>();
            for (long block = 0; block < bytes.Length / blockSize; block++)
                if (!excluded.Contains(block) && bytes.AsSpan((int)(block * blockSize), blockSize).IndexOfAnyExcept((byte)0) >= 0)
                    metadata.Add(block);
            return (bytes, metadata, blockSize);
        }

        private static readonly string[] Formats = { "ext2-1k", "ext4-4k", "ext4-no-checksums" };

        [Theory]
        [InlineData("ext2-1k")]
        [InlineData("ext4-4k")]
        [InlineData("ext4-no-checksums")]
        public void MutatedImagesGiveErrorsNeverCrashesOrHangs(string format)
        {
            var (original, metadata, blockSize) = Build(format);
            Assert.True(metadata.Count > 5, "metadata blocks found: " + metadata.Count);
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("EXO_EXT_FUZZ_ITERATIONS"), out int n) ? n : 150;
            int mounted = 0, failedOperations = 0;
            var errorsSeen = new SortedSet<int>();
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                int seed = iteration * 7919 + format.Length;
                var random = new Random(seed);
                byte[] image = (byte[])original.Clone();
                int mutations = 1 + random.Next(12);
                for (int m = 0; m < mutations; m++)
                {
                    long block = metadata[random.Next(metadata.Count)];
                    int offset = (int)(block * blockSize) + random.Next(blockSize);
                    image[offset] = random.Next(4) switch
                    {
                        0 => (byte)random.Next(256),
                        1 => (byte)(image[offset] ^ (1 << random.Next(8))),
                        2 => 0xFF,
                        _ => 0,
                    };
                }
                var run = Task.Run(() => Exercise(image, random.Next(), errorsSeen));
                bool finished;
                try
                {
                    finished = run.Wait(TimeSpan.FromSeconds(20));
                }
                catch (AggregateException failure)
                {
                    throw new Xunit.Sdk.XunitException($"{format} iteration {iteration} (seed {seed}) threw: {failure.InnerException}");
                }
                Assert.True(finished, $"{format} iteration {iteration} (seed {seed}) did not finish in 20 s");
                var (didMount, failures) = run.Result;
                if (didMount)
                    mounted++;
                failedOperations += failures;
            }
            _output.WriteLine($"{format}: {iterations} images, {mounted} mounted, {failedOperations} operations refused; errors seen: {string.Join(", ", errorsSeen)}");
            Assert.True(mounted > 0, "no mutated image mounted: the operations were never exercised");
        }

        /// <summary>Every operation over the image; the number of operations that answered with an error.</summary>
        private static (bool Mounted, int Failures) Exercise(byte[] image, int seed, SortedSet<int> errorsSeen)
        {
            var random = new Random(seed);
            using var mounted = new MountedImage(new MemoryBlockDevice(image), cacheBlocks: 16);
            if (mounted.MountError != Error.None)
            {
                lock (errorsSeen)
                    errorsSeen.Add((int)mounted.MountError);
                return (false, 0);
            }
            var fs = mounted.FileSystem;
            int failures = 0;
            void Note(Error error)
            {
                if (error == Error.None)
                    return;
                failures++;
                lock (errorsSeen)
                    errorsSeen.Add((int)error);
            }

            // Walk the tree: list, stat, read and readlink everything reachable (bounded).
            var directories = new Queue<uint>();
            var files = new List<(uint Directory, string Name, uint Node)>();
            directories.Enqueue(ExtFileSystem.RootInode);
            byte* buffer = stackalloc byte[8192];
            DirectoryEntry entry;
            int visited = 0;
            while (directories.Count > 0 && visited < 400)
            {
                uint directory = directories.Dequeue();
                ulong cursor = 0;
                for (int listed = 0; listed < 1000; listed++)
                {
                    Error error = fs.ReadDirectory(directory, cursor, &entry, out bool end);
                    Note(error);
                    if (error != Error.None || end)
                        break;
                    if (entry.NextPosition <= cursor)
                        throw new InvalidOperationException("a directory cursor went backwards");
                    cursor = entry.NextPosition;
                    string name = System.Text.Encoding.Latin1.GetString(entry.Name, entry.NameLength);
                    if (name == "." || name == "..")
                        continue;
                    visited++;
                    Note(fs.GetAttributes(entry.Inode, out ExtAttributes attributes));
                    files.Add((directory, name, entry.Inode));
                    uint type = attributes.Mode & 0xF000;
                    if (type == 0x4000 && directories.Count < 50)
                        directories.Enqueue(entry.Inode);
                    else if (type == 0x8000)
                    {
                        Note(fs.Read(entry.Inode, 0, buffer, 8192, out _));
                        Note(fs.Read(entry.Inode, attributes.Size > 5000 ? attributes.Size - 5000 : 0, buffer, 8192, out _));
                    }
                    else if (type == 0xA000)
                        Note(fs.ReadLink(entry.Inode, buffer, 4096, out _));
                }
            }

            // Change things: create, write, make directories and links, rename, truncate, remove.
            byte[] data = new byte[20_000];
            random.NextBytes(data);
            uint made = 0;
            Note(MountedImage.WithName("fuzz-file", (name, length) => fs.Create(ExtFileSystem.RootInode, (byte*)name, length, 0x1A4, 1, 1, out made)));
            if (made != 0)
                Note(mounted.Write(made, (ulong)random.Next(100_000), data));
            Note(MountedImage.WithName("fuzz-directory", (name, length) => fs.MakeDirectory(ExtFileSystem.RootInode, (byte*)name, length, 0x1ED, 1, 1, out _)));
            Note(mounted.SymbolicLink("/fuzz-link", new string('s', random.Next(1, 900))));
            foreach (var (directory, name, node) in files.OrderBy(_ => random.Next()).Take(6))
            {
                switch (random.Next(6))
                {
                    case 0:
                        Note(MountedImage.WithName(name, (n, l) => fs.Unlink(directory, (byte*)n, l)));
                        break;
                    case 1:
                        Note(MountedImage.WithName(name, (n, l) => fs.RemoveDirectory(directory, (byte*)n, l)));
                        break;
                    case 2:
                        Note(MountedImage.WithName(name, (n, l) => MountedImage.WithName("renamed-" + random.Next(), (m, k) =>
                            fs.Rename(directory, (byte*)n, l, files[random.Next(files.Count)].Directory, (byte*)m, k))));
                        break;
                    case 3:
                        var change = new ExtAttributeChange { Mask = ExtAttributeChange.Size | ExtAttributeChange.Mode, NewSize = (ulong)random.Next(3_000_000), NewMode = 0x1FF };
                        Note(fs.SetAttributes(node, &change));
                        break;
                    case 4:
                        Note(MountedImage.WithName("hard-" + random.Next(), (n, l) => fs.Link(node, ExtFileSystem.RootInode, (byte*)n, l)));
                        break;
                    default:
                        Note(mounted.Write(node, (ulong)random.Next(2_000_000), data));
                        break;
                }
            }
            Note(fs.Statistics(out _));
            Note(fs.Sync());
            return (true, failures);
        }
    }
}
