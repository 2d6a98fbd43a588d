using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Exo.ImageTool;
using Exo.Kernel.Boot;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>The image tool's cpio writer and the kernel's reader, against each other and against bad input.</summary>
public unsafe class CpioArchiveTests
{
    private const uint DirectoryMode = 0x41ED;   // S_IFDIR | 0755

    /// <summary>Names of 1 to 9 bytes and sizes 0 to 8: every name and data padding case, several times.</summary>
    private static List<CpioFile> SampleFiles()
    {
        var files = new List<CpioFile>();
        for (int i = 0; i < 9; i++)
        {
            string name = new string((char)('a' + i), i + 1);
            byte[] data = Enumerable.Range(0, i).Select(b => (byte)(i * 16 + b)).ToArray();
            files.Add(new CpioFile(name, data));
        }
        files.Add(new CpioFile("bin/hello", Encoding.ASCII.GetBytes("hello from the archive\n")));
        return files;
    }

    /// <summary>Hand-made entries for what the writer refuses to write.</summary>
    private sealed class RawArchive
    {
        private readonly List<byte> _bytes = new();

        public RawArchive Entry(string name, byte[] data, uint mode = CpioWriter.RegularFileMode, string magic = "070701",
            uint? nameSize = null, string modeField = null, bool terminate = true)
        {
            byte[] nameBytes = Encoding.ASCII.GetBytes(name);
            var header = new StringBuilder(magic);
            uint[] fields = { 1, mode, 0, 0, 1, 0, (uint)data.Length, 0, 0, 0, 0, nameSize ?? (uint)nameBytes.Length + 1, 0 };
            for (int i = 0; i < fields.Length; i++)
                header.Append(i == 1 && modeField != null ? modeField : fields[i].ToString("x8"));
            _bytes.AddRange(Encoding.ASCII.GetBytes(header.ToString()));
            _bytes.AddRange(nameBytes);
            if (terminate)
                _bytes.Add(0);
            Pad();
            _bytes.AddRange(data);
            Pad();
            return this;
        }

        public RawArchive Trailer() => Entry(CpioWriter.TrailerName, Array.Empty<byte>(), mode: 0);

        public byte[] ToArray() => _bytes.ToArray();

        private void Pad()
        {
            while (_bytes.Count % 4 != 0)
                _bytes.Add(0);
        }
    }

    /// <summary>Every entry up to the one that is not None, read from memory ending at a guard page.</summary>
    private static CpioError ReadAll(byte[] archive, int length, List<(string Name, byte[] Data, uint Mode)> entries)
    {
        using var memory = new GuardedMemory(Math.Max(length, 1));
        byte* start = memory.Place(archive, length);
        ulong offset = 0;
        while (true)
        {
            ulong before = offset;
            CpioError error = CpioArchive.Next(start, (ulong)length, ref offset, out CpioEntry entry);
            if (error != CpioError.None)
            {
                Assert.Equal(before, offset);   // errors and the end leave the offset alone
                return error;
            }
            Assert.True(offset > before && offset <= (ulong)length);
            Assert.True(entry.Data >= start && entry.Size <= (ulong)length - (ulong)(entry.Data - start));
            entries?.Add((Encoding.ASCII.GetString(entry.Name, entry.NameLength),
                new ReadOnlySpan<byte>(entry.Data, (int)entry.Size).ToArray(), entry.Mode));
        }
    }

    private static CpioError ReadAll(byte[] archive, List<(string Name, byte[] Data, uint Mode)> entries = null)
        => ReadAll(archive, archive.Length, entries);

    private static bool Find(byte[] archive, string name, out byte[] data)
    {
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        fixed (byte* start = archive)
        fixed (byte* wanted = nameBytes)
        {
            bool found = CpioArchive.TryFind(start, (ulong)archive.Length, wanted, nameBytes.Length, out CpioEntry entry);
            data = found ? new ReadOnlySpan<byte>(entry.Data, (int)entry.Size).ToArray() : null;
            if (!found)
                Assert.True(entry.Data == null && entry.Size == 0);
            return found;
        }
    }

    [Fact]
    public void Written_archives_read_back_in_name_order_with_their_contents()
    {
        List<CpioFile> files = SampleFiles();
        byte[] archive = CpioWriter.Build(Enumerable.Reverse(files));
        var entries = new List<(string Name, byte[] Data, uint Mode)>();
        Assert.Equal(CpioError.End, ReadAll(archive, entries));

        List<CpioFile> expected = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(f => f.Name), entries.Select(e => e.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Data, entries[i].Data);
            Assert.Equal(CpioWriter.RegularFileMode, entries[i].Mode);
            Assert.True(CpioArchive.IsRegularFile(entries[i].Mode));
        }
        Assert.Equal(0, archive.Length % CpioWriter.BlockSize);
    }

    [Fact]
    public void An_archive_without_files_is_just_the_trailer()
    {
        byte[] archive = CpioWriter.Build(Array.Empty<CpioFile>());
        Assert.Equal(CpioWriter.BlockSize, archive.Length);
        Assert.Equal(CpioError.End, ReadAll(archive));
    }

    [Fact]
    public void Writer_output_is_deterministic_and_matches_the_newc_layout()
    {
        byte[] first = CpioWriter.Build(SampleFiles());
        byte[] second = CpioWriter.Build(Enumerable.Reverse(SampleFiles()));
        Assert.Equal(first, second);
        // The first entry ("a", empty): inode 1, mode 0100755, nlink 1, size 0, name size 2, all else 0.
        string header = Encoding.ASCII.GetString(first, 0, 110);
        Assert.Equal("070701" + "00000001" + "000081ED" + "00000000" + "00000000" + "00000001" + "00000000" + "00000000"
            + "00000000" + "00000000" + "00000000" + "00000000" + "00000002" + "00000000", header);
        Assert.Equal((byte)'a', first[110]);
        Assert.Equal(0, first[111]);
        // 110 + 2 = 112 is already a multiple of 4: the next header follows directly (no data).
        Assert.Equal("070701" + "00000002", Encoding.ASCII.GetString(first, 112, 14));
    }

    [Fact]
    public void Archives_from_GNU_cpio_style_names_and_lowercase_hex_are_read()
    {
        byte[] archive = new RawArchive()
            .Entry(".", Array.Empty<byte>(), DirectoryMode)
            .Entry("./bin", Array.Empty<byte>(), DirectoryMode)
            .Entry("./bin/tool", new byte[] { 1, 2, 3 })
            .Entry("./init", new byte[] { 9 })
            .Trailer().ToArray();
        var entries = new List<(string Name, byte[] Data, uint Mode)>();
        Assert.Equal(CpioError.End, ReadAll(archive, entries));
        Assert.Equal(new[] { ".", "bin", "bin/tool", "init" }, entries.Select(e => e.Name));

        Assert.True(Find(archive, "bin/tool", out byte[] data));
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
        Assert.True(Find(archive, "./init", out data));
        Assert.Equal(new byte[] { 9 }, data);
        Assert.False(Find(archive, "bin", out _));   // a directory, not a regular file
    }

    [Fact]
    public void TryFind_matches_exact_names_only()
    {
        byte[] archive = CpioWriter.Build(SampleFiles());
        foreach (CpioFile file in SampleFiles())
        {
            Assert.True(Find(archive, file.Name, out byte[] data), file.Name);
            Assert.Equal(file.Data, data);
        }
        Assert.False(Find(archive, "bin/hell", out _));
        Assert.False(Find(archive, "bin/hello2", out _));
        Assert.False(Find(archive, "hello", out _));
        Assert.False(Find(archive, "", out _));
        Assert.False(Find(archive, CpioWriter.TrailerName, out _));
    }

    [Fact]
    public void TryFind_rejects_bad_arguments_and_stops_at_damage()
    {
        byte[] archive = CpioWriter.Build(SampleFiles());
        fixed (byte* start = archive)
        {
            byte name = (byte)'a';
            Assert.False(CpioArchive.TryFind(start, (ulong)archive.Length, &name, -1, out _));
            Assert.False(CpioArchive.TryFind(start, (ulong)archive.Length, null, 1, out _));
            Assert.False(CpioArchive.TryFind(null, 0, &name, 1, out _));
        }
        // Damage the third header: entries after it can no longer be found.
        archive[Offsets(archive)[2]] = (byte)'X';
        Assert.True(Find(archive, "a", out _));
        Assert.False(Find(archive, "ccc", out _));
    }

    /// <summary>Offsets of each entry in a well-formed archive.</summary>
    private static List<int> Offsets(byte[] archive)
    {
        var offsets = new List<int>();
        fixed (byte* start = archive)
        {
            ulong offset = 0;
            while (true)
            {
                offsets.Add((int)offset);
                if (CpioArchive.Next(start, (ulong)archive.Length, ref offset, out _) != CpioError.None)
                    return offsets;
            }
        }
    }

    [Fact]
    public void The_trailer_ends_the_walk_and_keeps_ending_it()
    {
        byte[] archive = CpioWriter.Build(SampleFiles());
        int trailer = Offsets(archive)[^1];
        fixed (byte* start = archive)
        {
            ulong offset = (ulong)trailer;
            Assert.Equal(CpioError.End, CpioArchive.Next(start, (ulong)archive.Length, ref offset, out CpioEntry entry));
            Assert.Equal((ulong)trailer, offset);
            Assert.True(entry.Name == null);
            Assert.Equal(CpioError.End, CpioArchive.Next(start, (ulong)archive.Length, ref offset, out _));
        }
    }

    [Fact]
    public void Entries_after_the_trailer_are_not_read()
    {
        byte[] archive = new RawArchive().Trailer().Entry("late", new byte[] { 1 }).ToArray();
        Assert.False(Find(archive, "late", out _));
    }

    [Fact]
    public void A_trailer_missing_its_final_padding_still_ends_the_archive()
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 7 }).Trailer().ToArray();
        // The trailer is 110 + 11 bytes of header and name, then 3 bytes of padding.
        Assert.Equal(CpioError.End, ReadAll(archive, archive.Length - 3, null));
    }

    [Fact]
    public void An_archive_without_a_trailer_is_truncated()
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 7 }).Entry("y", Array.Empty<byte>()).ToArray();
        var entries = new List<(string Name, byte[] Data, uint Mode)>();
        Assert.Equal(CpioError.Truncated, ReadAll(archive, entries));
        Assert.Equal(2, entries.Count);
    }

    /// <summary>Cut at every length: the walk must stop with an error, never read past the cut, never crash.</summary>
    [Fact]
    public void Archives_cut_at_every_length_end_in_an_error()
    {
        byte[] archive = CpioWriter.Build(SampleFiles());
        int trailer = Offsets(archive)[^1];
        for (int length = 0; length < archive.Length; length++)
        {
            CpioError error = ReadAll(archive, length, null);
            // Once the trailer's header and name are in, the archive is complete: only padding is missing.
            if (length >= trailer + 110 + CpioWriter.TrailerName.Length + 1)
                Assert.Equal(CpioError.End, error);
            else
                Assert.Equal(CpioError.Truncated, error);
        }
    }

    [Fact]
    public void An_offset_past_the_end_is_truncated()
    {
        byte[] archive = CpioWriter.Build(SampleFiles());
        fixed (byte* start = archive)
        {
            ulong offset = (ulong)archive.Length + 1;
            Assert.Equal(CpioError.Truncated, CpioArchive.Next(start, (ulong)archive.Length, ref offset, out _));
            offset = ulong.MaxValue;
            Assert.Equal(CpioError.Truncated, CpioArchive.Next(start, (ulong)archive.Length, ref offset, out _));
        }
    }

    [Theory]
    [InlineData("070702")]   // the checksummed variant
    [InlineData("070707")]   // the old portable ASCII format
    [InlineData("\u00c7q\u0000\u0000\u0000\u0000")]
    public void Other_magic_numbers_are_rejected(string magic)
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 1 }, magic: magic).Trailer().ToArray();
        Assert.Equal(CpioError.BadMagic, ReadAll(archive));
    }

    [Theory]
    [InlineData("000081eG")]
    [InlineData("000081e ")]
    [InlineData("-00081ED")]
    [InlineData("0x0081ED")]
    public void Header_fields_that_are_not_hex_are_rejected(string modeField)
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 1 }, modeField: modeField).Trailer().ToArray();
        Assert.Equal(CpioError.BadHexField, ReadAll(archive));
    }

    [Fact]
    public void Every_header_field_is_checked_for_hex()
    {
        byte[] valid = new RawArchive().Entry("x", new byte[] { 1 }).Trailer().ToArray();
        for (int field = 0; field < 13; field++)
        {
            byte[] archive = (byte[])valid.Clone();
            archive[6 + field * 8 + 3] = (byte)'g';
            Assert.Equal(CpioError.BadHexField, ReadAll(archive));
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(4097u)]
    [InlineData(0xFFFFFFFFu)]
    public void Bad_name_sizes_are_rejected(uint nameSize)
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 1 }, nameSize: nameSize).Trailer().ToArray();
        Assert.Equal(CpioError.BadNameSize, ReadAll(archive));
    }

    [Fact]
    public void A_name_size_past_the_end_of_the_archive_is_truncated()
    {
        byte[] archive = new RawArchive().Entry("x", Array.Empty<byte>(), nameSize: 4000).ToArray();
        Assert.Equal(CpioError.Truncated, ReadAll(archive));
    }

    [Fact]
    public void Names_must_end_with_their_NUL_and_contain_no_other()
    {
        byte[] unterminated = new RawArchive().Entry("abc", new byte[] { 1 }, nameSize: 3).Trailer().ToArray();
        Assert.Equal(CpioError.NameNotTerminated, ReadAll(unterminated));
        byte[] embedded = new RawArchive().Entry("ab\0c", new byte[] { 1 }).Trailer().ToArray();
        Assert.Equal(CpioError.NameContainsNul, ReadAll(embedded));
    }

    [Fact]
    public void A_data_size_past_the_end_of_the_archive_is_truncated()
    {
        byte[] archive = new RawArchive().Entry("x", new byte[] { 1, 2, 3, 4 }).Trailer().ToArray();
        // Claim 0xFFFFFFFF bytes of data.
        Encoding.ASCII.GetBytes("ffffffff").CopyTo(archive, 6 + 6 * 8);
        Assert.Equal(CpioError.Truncated, ReadAll(archive));
    }

    [Fact]
    public void Every_error_has_its_own_description()
    {
        var seen = new HashSet<string>();
        foreach (CpioError error in Enum.GetValues<CpioError>())
        {
            string text = CpioArchive.Describe(error);
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.True(seen.Add(text), $"{error} repeats the description '{text}'");
        }
    }

    /// <summary>Random corruptions of a valid archive: the walk never reads past the end and always stops.</summary>
    [Fact]
    public void Random_corruptions_never_read_out_of_bounds()
    {
        var random = new Random(4242);
        byte[] valid = CpioWriter.Build(SampleFiles());
        List<int> offsets = Offsets(valid);
        byte[] hex = Encoding.ASCII.GetBytes("0123456789abcdefABCDEFg \0");
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            byte[] archive = (byte[])valid.Clone();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                // Mostly inside a header's fields, where the sizes are.
                int at = random.Next(3) == 0 ? random.Next(archive.Length) : offsets[random.Next(offsets.Count)] + random.Next(110);
                archive[at] = random.Next(2) == 0 ? hex[random.Next(hex.Length)] : (byte)random.Next(256);
            }
            int length = random.Next(4) == 0 ? random.Next(archive.Length + 1) : archive.Length;
            ReadAll(archive, length, null);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(CpioWriter.TrailerName)]
    [InlineData("/bin/init")]
    [InlineData("./init")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("caf\u00e9")]
    [InlineData("tab\there")]
    public void The_writer_refuses_names_the_kernel_could_not_look_up(string name)
    {
        Assert.NotNull(CpioWriter.CheckName(name));
        var writer = new CpioWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => writer.AddFile(name, Array.Empty<byte>()));
    }

    [Fact]
    public void The_writer_refuses_repeated_names_and_overlong_names()
    {
        Assert.Throws<ArgumentException>(() => CpioWriter.Build(new[] { new CpioFile("a", new byte[1]), new CpioFile("a", new byte[2]) }));
        Assert.Null(CpioWriter.CheckName(new string('n', CpioWriter.MaximumNameBytes)));
        Assert.NotNull(CpioWriter.CheckName(new string('n', CpioWriter.MaximumNameBytes + 1)));
    }

    [Fact]
    public void The_longest_allowed_name_reads_back()
    {
        string name = new string('n', CpioWriter.MaximumNameBytes);
        byte[] archive = CpioWriter.Build(new[] { new CpioFile(name, new byte[] { 5 }) });
        Assert.True(Find(archive, name, out byte[] data));
        Assert.Equal(new byte[] { 5 }, data);
    }

    /// <summary>The command line, in a scratch directory.</summary>
    public sealed class ImageToolCommandLine : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "exo-imagetool-" + Guid.NewGuid().ToString("N"));

        public ImageToolCommandLine() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private string PathOf(string name) => Path.Combine(_directory, name);

        private static int Run(out string output, out string error, params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int status = Exo.ImageTool.Program.Run(args, stdout, stderr);
            output = stdout.ToString();
            error = stderr.ToString();
            return status;
        }

        [Fact]
        public void A_directory_is_archived_file_by_file()
        {
            Directory.CreateDirectory(PathOf("programs/sub"));
            File.WriteAllBytes(PathOf("programs/hello"), new byte[] { 1, 2, 3 });
            File.WriteAllBytes(PathOf("programs/empty"), Array.Empty<byte>());
            File.WriteAllBytes(PathOf("programs/sub/ignored"), new byte[] { 4 });
            Assert.Equal(0, Run(out string output, out _, "cpio", PathOf("out/initrd.cpio"), PathOf("programs")));
            Assert.Contains("2 file(s)", output);

            byte[] archive = File.ReadAllBytes(PathOf("out/initrd.cpio"));
            var entries = new List<(string Name, byte[] Data, uint Mode)>();
            Assert.Equal(CpioError.End, ReadAll(archive, entries));
            Assert.Equal(new[] { "empty", "hello" }, entries.Select(e => e.Name));
            Assert.Equal(new byte[] { 1, 2, 3 }, entries[1].Data);
            Assert.False(File.Exists(PathOf("out/initrd.cpio.tmp")));
        }

        [Fact]
        public void Files_and_renamed_files_can_be_given_one_by_one()
        {
            File.WriteAllBytes(PathOf("a.bin"), new byte[] { 1 });
            File.WriteAllBytes(PathOf("b.bin"), new byte[] { 2 });
            Assert.Equal(0, Run(out _, out _, "cpio", PathOf("x.cpio"), PathOf("a.bin"), "--name", "bin/b=" + PathOf("b.bin")));
            byte[] archive = File.ReadAllBytes(PathOf("x.cpio"));
            Assert.True(Find(archive, "a.bin", out byte[] a));
            Assert.Equal(new byte[] { 1 }, a);
            Assert.True(Find(archive, "bin/b", out byte[] b));
            Assert.Equal(new byte[] { 2 }, b);
        }

        [Fact]
        public void An_archive_inside_the_directory_it_packs_does_not_include_itself()
        {
            File.WriteAllBytes(PathOf("one"), new byte[] { 1 });
            Assert.Equal(0, Run(out _, out _, "cpio", PathOf("initrd.cpio"), _directory));
            Assert.Equal(0, Run(out _, out _, "cpio", PathOf("initrd.cpio"), _directory));
            Assert.False(Find(File.ReadAllBytes(PathOf("initrd.cpio")), "initrd.cpio", out _));
        }

        [Theory]
        [InlineData(new string[0], "no command")]
        [InlineData(new[] { "zip" }, "unknown command")]
        [InlineData(new[] { "cpio" }, "needs an OUTPUT")]
        [InlineData(new[] { "cpio", "out.cpio" }, "at least one")]
        [InlineData(new[] { "cpio", "out.cpio", "/nonexistent/exo-directory" }, "no such file or directory")]
        [InlineData(new[] { "cpio", "out.cpio", "--name" }, "--name needs")]
        [InlineData(new[] { "cpio", "out.cpio", "--name", "novalue" }, "NAME=PATH")]
        [InlineData(new[] { "cpio", "out.cpio", "--name", "x=/nonexistent/exo-file" }, "no such file")]
        [InlineData(new[] { "cpio", "out.cpio", "--verbose" }, "unknown option")]
        public void Bad_usage_exits_with_2_and_says_why(string[] args, string message)
        {
            Assert.Equal(Exo.ImageTool.Program.UsageError, Run(out _, out string error, args));
            Assert.Contains(message, error);
        }

        [Fact]
        public void Bad_names_and_repeated_names_exit_with_2()
        {
            File.WriteAllBytes(PathOf("f"), new byte[] { 1 });
            Assert.Equal(2, Run(out _, out string error, "cpio", PathOf("o.cpio"), "--name", "TRAILER!!!=" + PathOf("f")));
            Assert.Contains("end the archive", error);
            Assert.Equal(2, Run(out _, out error, "cpio", PathOf("o.cpio"), PathOf("f"), "--name", "f=" + PathOf("f")));
            Assert.Contains("two files", error);
            Assert.False(File.Exists(PathOf("o.cpio")));
        }

        [Fact]
        public void Help_exits_with_0()
        {
            Assert.Equal(0, Run(out string output, out _, "--help"));
            Assert.Contains("usage:", output);
        }
    }
}
