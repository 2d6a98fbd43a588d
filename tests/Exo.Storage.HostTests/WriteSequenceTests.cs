using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;
using Xunit.Abstractions;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Sequences of every changing operation on mke2fs -d images, then e2fsprogs' verdict: e2fsck -fn must find the
    /// image clean, and debugfs must see the contents, modes, owners, times and link counts the library wrote.
    /// </summary>
    public class WriteSequenceTests
    {
        private readonly ITestOutputHelper _output;
        public WriteSequenceTests(ITestOutputHelper output) { _output = output; }

        private static Dictionary<string, string> Stat(string image, string path)
        {
            string text = E2fsprogs.Debugfs(image, "stat \"" + path + "\"");
            var fields = new Dictionary<string, string>();
            foreach (Match match in Regex.Matches(text, @"(Mode|User|Group|Links|Size|Type):\s+(\S+)"))
                fields.TryAdd(match.Groups[1].Value, match.Groups[2].Value);   // the first: "Fragment:" has a Size too
            foreach (Match match in Regex.Matches(text, @"(ctime|atime|mtime|crtime): 0x([0-9a-f]+):([0-9a-f]+)"))
                fields[match.Groups[1].Value] = match.Groups[2].Value + ":" + match.Groups[3].Value;
            return fields;
        }

        [Theory]
        [MemberData(nameof(ImageFormat.All), MemberType = typeof(ImageFormat))]
        public void EveryOperationLeavesAnImageE2fsckFindsClean(string format)
        {
            using var work = new Scratch("write-" + format);
            using var tree = new SourceTree(Path.Combine(work, "tree"), withSparse: true);
            string image = Path.Combine(work, "image");
            E2fsprogs.MakeImage(image, 64, tree.Root, ImageFormat.Options(format));
            E2fsprogs.AssertClean(image, _output);
            var random = new Random(42);
            var expected = new Dictionary<string, byte[]>();
            foreach (var (path, data) in tree.Files)
                expected["/" + path] = data;
            byte[] big = new byte[6_000_000];
            random.NextBytes(big);

            using (var mounted = MountedImage.Open(image))
            {
                var fs = mounted.FileSystem;
                mounted.MakeDirectory("/new");
                uint small = mounted.CreateFile("/new/a.txt");
                Assert.Equal(Error.None, mounted.Write(small, 0, Encoding.ASCII.GetBytes("written by the library\n")));
                expected["/new/a.txt"] = Encoding.ASCII.GetBytes("written by the library\n");

                uint bigNode = mounted.CreateFile("/new/big.bin");
                Assert.Equal(Error.None, mounted.Write(bigNode, 0, big));
                byte[] patch = new byte[10_000];
                random.NextBytes(patch);
                Assert.Equal(Error.None, mounted.Write(bigNode, 2_000_123, patch));
                patch.CopyTo(big, 2_000_123);
                byte[] tail = Encoding.ASCII.GetBytes("appended tail");
                Assert.Equal(Error.None, mounted.Write(bigNode, (ulong)big.Length, tail));
                big = big.Concat(tail).ToArray();
                expected["/new/big.bin"] = big;

                // A file past 4 GiB written here: its size needs i_size_high, its mapping the deepest level.
                uint far = mounted.CreateFile("/new/far.bin");
                Assert.Equal(Error.None, mounted.Write(far, 0, Encoding.ASCII.GetBytes("near")));
                Assert.Equal(Error.None, mounted.Write(far, 4_700_000_000, Encoding.ASCII.GetBytes("beyond four gibibytes")));

                // Truncation: shrinking across mapping levels, growing with a hole.
                var shrink = new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = 1_000_000 };
                Assert.Equal(Error.None, mounted.SetAttributes(mounted.Node("/large.bin"), shrink));
                expected["/large.bin"] = expected["/large.bin"].Take(1_000_000).ToArray();
                var shrinkOdd = new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = 50_001 };
                Assert.Equal(Error.None, mounted.SetAttributes(mounted.Node("/medium.bin"), shrinkOdd));
                var grow = new ExtAttributeChange { Mask = ExtAttributeChange.Size, NewSize = 200_000 };
                Assert.Equal(Error.None, mounted.SetAttributes(mounted.Node("/medium.bin"), grow));
                expected["/medium.bin"] = expected["/medium.bin"].Take(50_001).Concat(new byte[200_000 - 50_001]).ToArray();

                Assert.Equal(Error.None, mounted.SymbolicLink("/new/s-short", "a.txt"));
                Assert.Equal(Error.None, mounted.SymbolicLink("/new/s-long", SourceTree.LongTarget + "/x"));
                Assert.Equal(Error.None, mounted.Link("/new/a.txt", "/dir/a-link"));
                Assert.Equal(Error.AlreadyExists, mounted.Link("/new/a.txt", "/dir/a-link"));
                Assert.Equal(Error.NotPermitted, mounted.Link("/new", "/dir/dir-link"));

                Assert.Equal(Error.None, mounted.Unlink("/hard-one"));
                expected.Remove("/hard-one");
                Assert.Equal(Error.None, mounted.Unlink("/one-block.bin"));
                expected.Remove("/one-block.bin");
                Assert.Equal(Error.IsADirectory, mounted.Unlink("/dir"));
                Assert.Equal(Error.NotFound, mounted.Unlink("/no-such"));

                mounted.MakeDirectory("/new/d1");
                mounted.MakeDirectory("/new/d1/d2");
                Assert.Equal(Error.NotEmpty, mounted.RemoveDirectory("/new/d1"));
                Assert.Equal(Error.NotADirectory, mounted.RemoveDirectory("/new/a.txt"));
                Assert.Equal(Error.None, mounted.RemoveDirectory("/new/d1/d2"));

                Assert.Equal(Error.None, mounted.Rename("/dir/sub", "/new/sub-moved"));
                expected["/new/sub-moved/deep.txt"] = expected["/dir/sub/deep.txt"];
                expected.Remove("/dir/sub/deep.txt");
                Assert.Equal(Error.Invalid, mounted.Rename("/new", "/new/sub-moved/inside"));
                Assert.Equal(Error.None, mounted.Rename("/small.txt", "/new/renamed.txt"));
                expected["/new/renamed.txt"] = expected["/small.txt"];
                expected.Remove("/small.txt");
                Assert.Equal(Error.None, mounted.Rename("/new/big.bin", "/empty"));   // replaces a file
                expected["/empty"] = big;
                expected.Remove("/new/big.bin");
                mounted.MakeDirectory("/new/d3");
                Assert.Equal(Error.None, mounted.Rename("/new/d3", "/new/d1"));       // replaces an empty directory
                Assert.Equal(Error.None, mounted.Rename("/hard-two", "/hard-two"));

                uint renamed = mounted.Node("/new/renamed.txt");
                var owner = new ExtAttributeChange
                {
                    Mask = ExtAttributeChange.Mode | ExtAttributeChange.UserId | ExtAttributeChange.GroupId | ExtAttributeChange.Accessed | ExtAttributeChange.Modified,
                    NewMode = 0x180, NewUserId = 1234, NewGroupId = 5678,
                    AccessedSeconds = 1_234_567_890, AccessedNanoseconds = 5, ModifiedSeconds = 1_111_111_111, ModifiedNanoseconds = 999_999_999,
                };
                Assert.Equal(Error.None, mounted.SetAttributes(renamed, owner));

                // The big directory (an htree under ext4): names added and removed.
                for (int i = 0; i < 80; i++)
                {
                    uint made = mounted.CreateFile($"/many/added-{i}");
                    Assert.Equal(Error.None, mounted.Write(made, 0, Encoding.ASCII.GetBytes($"added {i}")));
                    expected[$"/many/added-{i}"] = Encoding.ASCII.GetBytes($"added {i}");
                }
                for (int i = 0; i < SourceTree.ManyEntries; i += 5)
                {
                    string name = $"/many/entry-{i:D4}-{new string('n', i % 40)}";
                    Assert.Equal(Error.None, mounted.Unlink(name));
                    expected.Remove(name.Substring(0));
                }
                Assert.Equal(Error.None, mounted.Unlink("/sparse.bin"));
                mounted.Sync();
            }
            E2fsprogs.AssertClean(image, _output);

            // e2fsprogs' view of what the library wrote.
            foreach (string path in new[] { "/empty", "/new/a.txt", "/large.bin", "/medium.bin", "/new/renamed.txt", "/new/sub-moved/deep.txt", "/many/added-7" })
                Assert.True(expected[path].AsSpan().SequenceEqual(E2fsprogs.Cat(image, path)), "debugfs cat " + path);
            var renamedStat = Stat(image, "/new/renamed.txt");
            Assert.Equal("0600", renamedStat["Mode"]);
            Assert.Equal("1234", renamedStat["User"]);
            Assert.Equal("5678", renamedStat["Group"]);
            Assert.StartsWith($"{1_111_111_111:x}", renamedStat["mtime"]);
            Assert.StartsWith($"{1_234_567_890:x}", renamedStat["atime"]);
            Assert.Equal("2", Stat(image, "/new/a.txt")["Links"]);
            Assert.Equal("1", Stat(image, "/hard-two")["Links"]);
            Assert.Equal("4700000021", Stat(image, "/new/far.bin")["Size"]);
            Assert.Equal("0644", Stat(image, "/new/a.txt")["Mode"]);
            Assert.Equal("1000", Stat(image, "/new/a.txt")["User"]);
            Assert.Equal("4", Stat(image, "/new")["Links"]);   // its name, ".", and the ".." of sub-moved and d1 (d3 renamed over it)
            Assert.Contains("a.txt", E2fsprogs.Debugfs(image, "stat /new/s-short"));
            Assert.Contains("Fast link dest: \"a.txt\"", E2fsprogs.Debugfs(image, "stat /new/s-short"));
            Assert.Equal(SourceTree.LongTarget + "/x", Encoding.ASCII.GetString(E2fsprogs.Cat(image, "/new/s-long")));   // a slow link: its block

            // And the library's own view after a fresh mount.
            using (var again = MountedImage.Open(image, readOnly: true))
            {
                foreach (var (path, data) in expected)
                    Assert.True(data.AsSpan().SequenceEqual(again.ReadAll(again.Node(path))), path + " differs after remount");
                var tailBytes = new byte[21];
                again.ReadInto(again.Node("/new/far.bin"), 4_700_000_000, tailBytes);
                Assert.Equal("beyond four gibibytes", Encoding.ASCII.GetString(tailBytes));
                Assert.Equal(SourceTree.LongTarget + "/x", again.ReadLink(again.Node("/new/s-long")));
                Assert.Equal(Error.NotFound, again.Resolve("/sparse.bin", out _));
            }
        }
    }
}
