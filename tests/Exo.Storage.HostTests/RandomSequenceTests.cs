using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Random sequences of changing operations checked against a model of the tree (paths to files, directories and
    /// links; hard links share one file), with a small cache so blocks are evicted and read again: after them the image
    /// must be clean for e2fsck -fn, and a new mount must show exactly the model (contents, link counts, targets).
    /// $EXO_EXT_RANDOM_SEED shifts the seeds (shifts 0, 10, 50, 100, 150 and 200 passed once: 24 sequences).
    /// </summary>
    public class RandomSequenceTests
    {
        private readonly ITestOutputHelper _output;
        public RandomSequenceTests(ITestOutputHelper output) { _output = output; }

        private sealed class FileModel { public byte[] Data = Array.Empty<byte>(); }

        [Theory]
        [InlineData("ext2-1k", 1)]
        [InlineData("ext4-default", 2)]
        [InlineData("ext4-4k", 3)]
        [InlineData("ext4-no-checksums", 4)]
        public void RandomOperationsMatchAModelAndLeaveACleanImage(string format, int seed)
        {
            using var work = new Scratch("random-" + format);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 32, null, ImageFormat.Options(format));
            // $EXO_EXT_RANDOM_SEED shifts every seed, to run other sequences.
            seed += int.TryParse(Environment.GetEnvironmentVariable("EXO_EXT_RANDOM_SEED"), out int shift) ? shift : 0;
            var random = new Random(seed);
            var files = new Dictionary<string, FileModel>();
            var links = new Dictionary<string, string>();
            var directories = new List<string> { "" };
            int names = 0;
            string NewPath() => directories[random.Next(directories.Count)] + "/n" + names++;
            bool Inside(string path, string directory) => path == directory || path.StartsWith(directory + "/");

            using (var mounted = MountedImage.Open(image, cacheBlocks: 16))
            {
                for (int step = 0; step < 400; step++)
                {
                    int choice = random.Next(10);
                    if (choice == 0 || files.Count == 0)
                    {
                        string path = NewPath();
                        mounted.CreateFile(path);
                        files[path] = new FileModel();
                    }
                    else if (choice <= 2)
                    {
                        var (path, file) = files.ElementAt(random.Next(files.Count));
                        int offset = random.Next(random.Next(2) == 0 ? 20_000 : 400_000);
                        var data = new byte[random.Next(1, 30_000)];
                        random.NextBytes(data);
                        Assert.Equal(Error.None, mounted.Write(mounted.Node(path), (ulong)offset, data));
                        if (file.Data.Length < offset + data.Length)
                            Array.Resize(ref file.Data, offset + data.Length);
                        data.CopyTo(file.Data, offset);
                    }
                    else if (choice == 3)
                    {
                        var (path, file) = files.ElementAt(random.Next(files.Count));
                        int size = random.Next(file.Data.Length + 10_000);
                        var change = new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = (ulong)size };
                        Assert.Equal(Error.None, mounted.SetAttributes(mounted.Node(path), change));
                        Array.Resize(ref file.Data, size);
                    }
                    else if (choice == 4)
                    {
                        string path = NewPath();
                        mounted.MakeDirectory(path);
                        directories.Add(path);
                    }
                    else if (choice == 5)
                    {
                        string path = files.Keys.ElementAt(random.Next(files.Count));
                        Assert.Equal(Error.None, mounted.Unlink(path));
                        files.Remove(path);
                    }
                    else if (choice == 6 && directories.Count > 1)
                    {
                        string directory = directories[1 + random.Next(directories.Count - 1)];
                        bool empty = !files.Keys.Concat(links.Keys).Concat(directories).Any(p => p.StartsWith(directory + "/"));
                        Assert.Equal(empty ? Error.None : Error.NotEmpty, mounted.RemoveDirectory(directory));
                        if (empty)
                            directories.Remove(directory);
                    }
                    else if (choice == 7)
                    {
                        // Rename a file (sometimes over another file) or a directory (into a place outside itself).
                        bool directory = random.Next(3) == 0 && directories.Count > 1;
                        string from = directory ? directories[1 + random.Next(directories.Count - 1)] : files.Keys.ElementAt(random.Next(files.Count));
                        string to = !directory && random.Next(3) == 0 ? files.Keys.ElementAt(random.Next(files.Count)) : NewPath();
                        if (directory && Inside(to, from))
                        {
                            Assert.Equal(Error.Invalid, mounted.Rename(from, to));
                            continue;
                        }
                        Assert.Equal(Error.None, mounted.Rename(from, to));
                        if (!directory && files.TryGetValue(to, out var same) && same == files[from])
                            continue;   // two names of one file: rename changes nothing (POSIX)
                        if (!directory)
                        {
                            var file = files[from];
                            files.Remove(from);
                            files[to] = file;   // replaces (or is) the target
                            continue;
                        }
                        string Move(string path) => Inside(path, from) ? to + path.Substring(from.Length) : path;
                        for (int i = 0; i < directories.Count; i++)
                            directories[i] = Move(directories[i]);
                        foreach (var path in files.Keys.ToList())
                        {
                            var file = files[path];
                            files.Remove(path);
                            files[Move(path)] = file;
                        }
                        foreach (var path in links.Keys.ToList())
                        {
                            string target = links[path];
                            links.Remove(path);
                            links[Move(path)] = target;
                        }
                    }
                    else if (choice == 8)
                    {
                        var (path, file) = files.ElementAt(random.Next(files.Count));
                        string created = NewPath();
                        Assert.Equal(Error.None, mounted.Link(path, created));
                        files[created] = file;
                    }
                    else
                    {
                        string created = NewPath();
                        string target = new string('t', random.Next(1, random.Next(2) == 0 ? 59 : 900));
                        Assert.Equal(Error.None, mounted.SymbolicLink(created, target));
                        links[created] = target;
                    }
                }
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);

            using (var again = MountedImage.Open(image, readOnly: true))
            {
                foreach (var (path, file) in files)
                {
                    uint node = again.Node(path);
                    Assert.True(file.Data.AsSpan().SequenceEqual(again.ReadAll(node)), path + " differs");
                    Assert.Equal(Error.None, again.FileSystem.GetAttributes(node, out ExtAttributes attributes));
                    Assert.Equal((uint)files.Values.Count(other => other == file), attributes.LinkCount);
                }
                foreach (var (path, target) in links)
                    Assert.Equal(target, again.ReadLink(again.Node(path)));
                foreach (string directory in directories)
                {
                    var entries = again.List(again.Node(directory == "" ? "/" : directory));
                    int expected = files.Keys.Concat(links.Keys).Concat(directories)
                        .Count(p => p != directory && p.StartsWith(directory + "/") && p.IndexOf('/', directory.Length + 1) < 0);
                    if (directory == "")
                        expected++;   // lost+found
                    Assert.Equal(expected + 2, entries.Count);
                    Assert.Equal(Error.None, again.FileSystem.GetAttributes(again.Node(directory == "" ? "/" : directory), out ExtAttributes attributes));
                    int subdirectories = directories.Count(p => p != directory && p.StartsWith(directory + "/") && p.IndexOf('/', directory.Length + 1) < 0);
                    Assert.Equal((uint)(2 + subdirectories + (directory == "" ? 1 : 0)), attributes.LinkCount);
                }
            }
        }
    }
}
