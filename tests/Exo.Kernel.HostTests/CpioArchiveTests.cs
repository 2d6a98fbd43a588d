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

    // The programs' index (CpioDirectoryIndex) over 'archive' with room for 'capacity' entries (all when null): each
    // name looked up, its data or null.
    private static Dictionary<string, byte[]> LookUp(byte[] archive, string directory, IEnumerable<string> names, int? capacity = null)
    {
        var found = new Dictionary<string, byte[]>();
        fixed (byte* start = archive)
        {
            int count = CpioDirectoryIndex.Count(start, (ulong)archive.Length, 0, directory);
            var storage = new CpioDirectoryIndex.Entry[Math.Max(1, capacity ?? count)];
            fixed (CpioDirectoryIndex.Entry* entries = storage)
            {
                CpioDirectoryIndex index = CpioDirectoryIndex.Build(start, (ulong)archive.Length, 0, directory, entries, capacity ?? count);
                Assert.Equal(Math.Min(count, capacity ?? count), index.Length);
                foreach (string name in names)
                {
                    byte[] bytes = Encoding.ASCII.GetBytes(name);
                    fixed (byte* wanted = bytes)
                        found[name] = index.TryFind(wanted, bytes.Length, out byte* data, out ulong size)
                            ? new ReadOnlySpan<byte>(data, (int)size).ToArray() : null;
                }
            }
        }
        return found;
    }

    [Fact]
    public void The_program_index_holds_the_regular_files_directly_in_its_directory_in_any_archive_order()
    {
        byte[] archive = new RawArchive()
            .Entry("exo/bin", Array.Empty<byte>(), mode: DirectoryMode)
            .Entry("exo/bin/tone", new byte[] { 1 })
            .Entry("exo/bin/audio", new byte[] { 2, 2 })
            .Entry("exo/binary", new byte[] { 3 })                      // not in exo/bin/
            .Entry("exo/bin/ton", new byte[] { 4 })                     // a prefix of another name
            .Entry("exo/bin/sub/tool", new byte[] { 5 })                // in a subdirectory
            .Entry("exo/bin/link", Encoding.ASCII.GetBytes("tone"), mode: 0xA1FF)   // a symbolic link
            .Entry("etc/passwd", new byte[] { 6 })
            .Entry("exo/bin/zz", Array.Empty<byte>())
            .Entry("exo/bin/a", new byte[] { 7 })
            .Trailer().ToArray();
        fixed (byte* start = archive)
            Assert.Equal(5, CpioDirectoryIndex.Count(start, (ulong)archive.Length, 0, "exo/bin/"));
        var found = LookUp(archive, "exo/bin/", new[] { "tone", "audio", "ton", "zz", "a", "to", "tonee", "binary", "sub/tool", "sub", "link", "passwd", "b", "" });
        Assert.Equal(new byte[] { 1 }, found["tone"]);
        Assert.Equal(new byte[] { 2, 2 }, found["audio"]);
        Assert.Equal(new byte[] { 4 }, found["ton"]);
        Assert.Equal(Array.Empty<byte>(), found["zz"]);
        Assert.Equal(new byte[] { 7 }, found["a"]);
        foreach (string absent in new[] { "to", "tonee", "binary", "sub/tool", "sub", "link", "passwd", "b", "" })
            Assert.Null(found[absent]);
    }

    [Fact]
    public void The_program_index_finds_what_the_walk_finds_in_a_large_shuffled_directory()
    {
        var random = new Random(7);
        var names = Enumerable.Range(0, 400).Select(i => new string(Enumerable.Range(0, 1 + random.Next(12))
            .Select(_ => (char)('a' + random.Next(26))).ToArray()) + i).ToList();
        var raw = new RawArchive();
        foreach (string name in names.OrderBy(_ => random.Next()))
            raw.Entry("exo/bin/" + name, Encoding.ASCII.GetBytes(name));
        byte[] archive = raw.Trailer().ToArray();
        var wanted = names.Concat(names.Select(n => n + "x")).Concat(names.Select(n => n[..^1])).ToList();
        var found = LookUp(archive, "exo/bin/", wanted);
        foreach (string name in wanted)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(name);
            byte[] walked = null;
            fixed (byte* start = archive)
            fixed (byte* n = bytes)
                if (CpioArchive.TryFindIn(start, (ulong)archive.Length, 0, "exo/bin/", n, bytes.Length, out CpioEntry entry))
                    walked = new ReadOnlySpan<byte>(entry.Data, (int)entry.Size).ToArray();
            Assert.Equal(walked, found[name]);
        }
    }

    [Fact]
    public void A_program_index_with_less_room_than_files_holds_the_first_ones_in_name_order()
    {
        byte[] archive = new RawArchive()
            .Entry("exo/bin/c", new byte[] { 3 }).Entry("exo/bin/a", new byte[] { 1 }).Entry("exo/bin/b", new byte[] { 2 })
            .Trailer().ToArray();
        var found = LookUp(archive, "exo/bin/", new[] { "a", "b", "c" }, capacity: 2);
        Assert.Equal(new byte[] { 1 }, found["a"]);
        Assert.Null(found["b"]);   // the third in the archive: no room
        Assert.Equal(new byte[] { 3 }, found["c"]);
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

    private const uint SymbolicLinkMode = 0xA1FF;   // S_IFLNK | 0777

    /// <summary>A small root file system: directories, programs, a configuration, links, one name at the root.</summary>
    private static List<CpioItem> SampleTree() => new()
    {
        CpioItem.Directory("bin", links: 2),
        CpioItem.File("bin/busybox", new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }),
        CpioItem.SymbolicLink("bin/sh", "busybox"),
        CpioItem.Directory("exo", links: 4),
        CpioItem.Directory("exo/bin"),
        CpioItem.File("exo/bin/hello", new byte[] { 1, 2, 3 }),
        CpioItem.File("exo/bin/init", new byte[] { 4, 5 }),
        CpioItem.SymbolicLink("exo/bin/sh", "../../bin/busybox"),
        CpioItem.Directory("exo/bin/tools"),
        CpioItem.File("exo/bin/tools/probe", new byte[] { 6 }),
        CpioItem.Directory("exo/config"),
        CpioItem.File("exo/config/init.conf", Encoding.ASCII.GetBytes("restart-limit 3\n"), 0x1A4),
        CpioItem.File("exo/binary", new byte[] { 7 }),
        CpioItem.File("init", new byte[] { 8 }),
        CpioItem.Directory("tmp", 0x3FF),   // 1777
        CpioItem.Directory("usr", links: 3),
        CpioItem.Directory("usr/bin"),
        CpioItem.SymbolicLink("usr/bin/awk", "../../bin/busybox"),
    };

    private static bool FindIn(byte[] archive, ulong start, string directory, string name, out byte[] data)
    {
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        fixed (byte* archiveStart = archive)
        fixed (byte* wanted = nameBytes)
        {
            bool found = CpioArchive.TryFindIn(archiveStart, (ulong)archive.Length, start, directory, wanted, nameBytes.Length, out CpioEntry entry);
            data = found ? new ReadOnlySpan<byte>(entry.Data, (int)entry.Size).ToArray() : null;
            Assert.Equal(found, entry.Data != null);
            return found;
        }
    }

    private static bool FirstIn(byte[] archive, string directory, out ulong offset)
    {
        fixed (byte* start = archive)
            return CpioArchive.FindFirstIn(start, (ulong)archive.Length, directory, out offset);
    }

    [Fact]
    public void Directories_and_symbolic_links_are_walked_with_their_modes_and_targets()
    {
        byte[] archive = CpioWriter.Build(SampleTree());
        var entries = new List<(string Name, byte[] Data, uint Mode)>();
        Assert.Equal(CpioError.End, ReadAll(archive, entries));
        Assert.Equal(SampleTree().Select(i => i.Name).OrderBy(n => n, StringComparer.Ordinal), entries.Select(e => e.Name));

        var byName = entries.ToDictionary(e => e.Name);
        Assert.Equal(DirectoryMode, byName["bin"].Mode);
        Assert.Empty(byName["bin"].Data);
        Assert.Equal(0x43FFu, byName["tmp"].Mode);   // the sticky bit is kept
        Assert.Equal(SymbolicLinkMode, byName["bin/sh"].Mode);
        Assert.Equal("busybox", Encoding.ASCII.GetString(byName["bin/sh"].Data));   // the target, no NUL
        Assert.Equal("../../bin/busybox", Encoding.ASCII.GetString(byName["usr/bin/awk"].Data));
        Assert.Equal(0x81A4u, byName["exo/config/init.conf"].Mode);
        Assert.Equal(CpioWriter.RegularFileMode, byName["exo/bin/init"].Mode);

        fixed (byte* start = archive)
        {
            ulong offset = 0;
            while (CpioArchive.Next(start, (ulong)archive.Length, ref offset, out CpioEntry entry) == CpioError.None)
            {
                string name = Encoding.ASCII.GetString(entry.Name, entry.NameLength);
                CpioItem item = SampleTree().Single(i => i.Name == name);
                Assert.Equal((item.Mode & 0xF000) == 0x4000, entry.IsDirectory);
                Assert.Equal((item.Mode & 0xF000) == 0xA000, entry.IsSymbolicLink);
                Assert.Equal((item.Mode & 0xF000) == 0x8000, entry.IsRegularFile);
            }
        }
    }

    [Fact]
    public void TryFind_returns_regular_files_only()
    {
        byte[] archive = CpioWriter.Build(SampleTree());
        Assert.True(Find(archive, "bin/busybox", out byte[] data));
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, data);
        Assert.False(Find(archive, "bin", out _));           // a directory
        Assert.False(Find(archive, "bin/sh", out _));        // a symbolic link (not followed)
        Assert.False(Find(archive, "usr/bin/awk", out _));
        Assert.False(Find(archive, "exo/bin/sh", out _));
        Assert.True(Find(archive, "exo/bin/init", out data));
        Assert.Equal(new byte[] { 4, 5 }, data);
    }

    [Fact]
    public void TryFindIn_looks_a_name_up_under_a_directory_prefix()
    {
        byte[] archive = CpioWriter.Build(SampleTree());
        Assert.True(FindIn(archive, 0, "exo/bin/", "init", out byte[] data));
        Assert.Equal(new byte[] { 4, 5 }, data);
        Assert.True(FindIn(archive, 0, "exo/bin/", "hello", out data));
        Assert.Equal(new byte[] { 1, 2, 3 }, data);
        Assert.True(FindIn(archive, 0, "exo/config/", "init.conf", out data));
        Assert.Equal("restart-limit 3\n", Encoding.ASCII.GetString(data));

        Assert.False(FindIn(archive, 0, "exo/bin/", "sh", out _));          // a symbolic link
        Assert.False(FindIn(archive, 0, "exo/bin/", "tools", out _));       // a directory
        Assert.False(FindIn(archive, 0, "exo/bin/", "tools/probe", out _)); // one component only
        Assert.False(FindIn(archive, 0, "exo/bin/", "../binary", out _));
        Assert.False(FindIn(archive, 0, "exo/bin/", "ary", out _));         // "exo/binary" is not in exo/bin/
        Assert.False(FindIn(archive, 0, "exo/config/", "init", out _));     // init is elsewhere
        Assert.False(FindIn(archive, 0, "exo/bin/", "busybox", out _));     // bin/busybox is not exo/bin/busybox
        Assert.False(FindIn(archive, 0, "exo/bin/", "", out _));
        Assert.False(FindIn(archive, 0, "exo/bin/", "ini", out _));
        Assert.False(FindIn(archive, 0, "exo/bin/", "init2", out _));
        Assert.False(FindIn(archive, 0, "", "hello", out _));
        Assert.True(FindIn(archive, 0, "", "init", out data));             // the root's own "init"
        Assert.Equal(new byte[] { 8 }, data);
        fixed (byte* start = archive)
        {
            byte name = (byte)'x';
            Assert.False(CpioArchive.TryFindIn(start, (ulong)archive.Length, 0, "exo/bin/", null, 1, out _));
            Assert.False(CpioArchive.TryFindIn(start, (ulong)archive.Length, 0, "exo/bin/", &name, -1, out _));
            Assert.False(CpioArchive.TryFindIn(null, 0, 0, "exo/bin/", &name, 1, out _));
            Assert.False(CpioArchive.TryFindIn(start, (ulong)archive.Length, ulong.MaxValue, "exo/bin/", &name, 1, out _));
        }
    }

    [Fact]
    public void FindFirstIn_gives_where_a_directory_starts_and_lookups_from_there_find_everything_in_it()
    {
        byte[] archive = CpioWriter.Build(SampleTree());
        List<int> offsets = Offsets(archive);
        var names = new List<(string Name, byte[] Data, uint Mode)>();
        ReadAll(archive, names);

        Assert.True(FirstIn(archive, "exo/bin/", out ulong programs));
        Assert.Equal(offsets[names.FindIndex(e => e.Name == "exo/bin/hello")], (int)programs);
        Assert.True(FirstIn(archive, "exo/config/", out ulong configurations));
        Assert.Equal(offsets[names.FindIndex(e => e.Name == "exo/config/init.conf")], (int)configurations);
        Assert.True(FirstIn(archive, "bin/", out ulong bin));
        Assert.Equal(offsets[names.FindIndex(e => e.Name == "bin/busybox")], (int)bin);
        Assert.False(FirstIn(archive, "sbin/", out ulong none));
        Assert.Equal(0ul, none);

        foreach (string program in new[] { "hello", "init" })
            Assert.True(FindIn(archive, programs, "exo/bin/", program, out _), program);
        Assert.True(FindIn(archive, configurations, "exo/config/", "init.conf", out _));
        Assert.False(FindIn(archive, programs, "", "bin/busybox", out _));   // before the start: not seen
    }

    [Fact]
    public void A_directory_whose_entries_are_scattered_is_still_searched_from_its_first_entry()
    {
        // Not sorted: exo/bin/ entries before and after others. Starting at the first one still finds them all.
        byte[] archive = new RawArchive()
            .Entry("etc/passwd", new byte[] { 1 })
            .Entry("exo/bin/late", new byte[] { 2 })
            .Entry("bin", Array.Empty<byte>(), DirectoryMode)
            .Entry("exo/bin/later", new byte[] { 3 })
            .Trailer().ToArray();
        Assert.True(FirstIn(archive, "exo/bin/", out ulong start));
        Assert.Equal(Offsets(archive)[1], (int)start);
        Assert.True(FindIn(archive, start, "exo/bin/", "late", out byte[] data));
        Assert.Equal(new byte[] { 2 }, data);
        Assert.True(FindIn(archive, start, "exo/bin/", "later", out data));
        Assert.Equal(new byte[] { 3 }, data);
    }

    [Fact]
    public void IsIn_accepts_direct_entries_of_a_directory_only()
    {
        byte[] archive = CpioWriter.Build(SampleTree());
        var direct = new List<string>();
        fixed (byte* start = archive)
        {
            ulong offset = 0;
            while (CpioArchive.Next(start, (ulong)archive.Length, ref offset, out CpioEntry entry) == CpioError.None)
                if (CpioArchive.IsIn(entry, "exo/bin/", out byte* name, out int length))
                    direct.Add(Encoding.ASCII.GetString(name, length));
                else
                    Assert.True(name == null && length == 0);
        }
        Assert.Equal(new[] { "hello", "init", "sh", "tools" }, direct);
    }

    [Fact]
    public void The_writer_refuses_entries_the_archive_does_not_hold()
    {
        var writer = new CpioWriter(new MemoryStream());
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("dev/null", 0x21B6, Array.Empty<byte>(), 1)));   // a character device
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("fifo", 0x11A4, Array.Empty<byte>(), 1)));
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("d", 0x41ED, new byte[] { 1 }, 2)));    // a directory with data
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("l", SymbolicLinkMode, Array.Empty<byte>(), 1)));
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("f", 0x181ED, new byte[] { 1 }, 1)));  // bits above the type
        Assert.Throws<ArgumentException>(() => writer.Add(new CpioItem("f", 0x81ED, new byte[] { 1 }, 0)));
        Assert.Throws<ArgumentException>(() => writer.AddFile("d", Array.Empty<byte>(), DirectoryMode));
        Assert.Throws<ArgumentException>(() => CpioItem.File("f", Array.Empty<byte>(), 0x11ED));
        Assert.Throws<ArgumentException>(() => CpioItem.SymbolicLink("l", ""));
        Assert.Throws<ArgumentException>(() => CpioItem.SymbolicLink("l", "caf\u00e9"));
        Assert.Throws<ArgumentException>(() => writer.Add(CpioItem.SymbolicLink("./l", "x")));
    }

    /// <summary>The command line, in a scratch directory.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
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
        [InlineData(new[] { "tree" }, "tree takes OUTPUT and ROOT")]
        [InlineData(new[] { "tree", "out.cpio" }, "tree takes OUTPUT and ROOT")]
        [InlineData(new[] { "tree", "out.cpio", "a", "b" }, "tree takes OUTPUT and ROOT")]
        [InlineData(new[] { "tree", "out.cpio", "/nonexistent/exo-root" }, "no such directory")]
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

        /// <summary>A root file system in miniature under 'root', made in the order given by 'reversed'.</summary>
        private static void MakeTree(string root, bool reversed = false)
        {
            var steps = new List<Action>
            {
                () => Directory.CreateDirectory(Path.Combine(root, "bin")),
                () => File.WriteAllBytes(Path.Combine(root, "bin/busybox"), new byte[] { 0x7F, 1, 2, 3, 4 }),
                () => File.CreateSymbolicLink(Path.Combine(root, "bin/sh"), "busybox"),
                () => Directory.CreateDirectory(Path.Combine(root, "exo/bin")),
                () => File.WriteAllBytes(Path.Combine(root, "exo/bin/hello"), new byte[] { 9, 8, 7 }),
                () => Directory.CreateDirectory(Path.Combine(root, "exo/config")),
                () => File.WriteAllText(Path.Combine(root, "exo/config/init.conf"), "restart-limit 3\n"),
                () => Directory.CreateDirectory(Path.Combine(root, "etc")),
                () => File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"),
                () => Directory.CreateDirectory(Path.Combine(root, "usr/bin")),
                () => File.CreateSymbolicLink(Path.Combine(root, "usr/bin/awk"), "../../bin/busybox"),
                () => File.CreateSymbolicLink(Path.Combine(root, "usr/bin/absolute"), "/bin/busybox"),
                () => File.CreateSymbolicLink(Path.Combine(root, "usr/bin/dangling"), "../nowhere"),
                () => Directory.CreateSymbolicLink(Path.Combine(root, "usr/lib64"), "lib"),
                () => Directory.CreateDirectory(Path.Combine(root, "tmp")),
                () => Directory.CreateDirectory(Path.Combine(root, "root")),
                () => Directory.CreateDirectory(Path.Combine(root, "dev")),
            };
            if (reversed)
            {
                // Parents first all the same: create every directory, then the rest backwards.
                foreach (string directory in new[] { "bin", "exo/bin", "exo/config", "etc", "usr/bin", "tmp", "root", "dev" })
                    Directory.CreateDirectory(Path.Combine(root, directory));
                steps.Reverse();
            }
            foreach (Action step in steps)
                step();
            File.SetUnixFileMode(Path.Combine(root, "bin/busybox"), (UnixFileMode)0x1ED);
            File.SetUnixFileMode(Path.Combine(root, "exo/bin/hello"), (UnixFileMode)0x1ED);
            File.SetUnixFileMode(Path.Combine(root, "exo/config/init.conf"), (UnixFileMode)0x1A4);
            File.SetUnixFileMode(Path.Combine(root, "etc/passwd"), (UnixFileMode)0x1A4);
            foreach (string directory in new[] { "", "bin", "exo", "exo/bin", "exo/config", "etc", "usr", "usr/bin", "dev" })
                File.SetUnixFileMode(Path.Combine(root, directory), (UnixFileMode)0x1ED);
            File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0x3FF);    // 1777
            File.SetUnixFileMode(Path.Combine(root, "root"), (UnixFileMode)0x1C0);   // 700
        }

        /// <summary>name -> (mode, data, links) of every entry, checking the walk ends at the trailer.</summary>
        private static Dictionary<string, (uint Mode, byte[] Data, uint Links)> ReadBack(byte[] archive)
        {
            var entries = new List<(string Name, byte[] Data, uint Mode)>();
            Assert.Equal(CpioError.End, ReadAll(archive, entries));
            Assert.Equal(0, archive.Length % CpioWriter.BlockSize);
            Assert.Equal(entries.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), entries.Select(e => e.Name));
            // Links are not in ReadAll's tuples: header field 4 of each entry.
            List<int> offsets = Offsets(archive);
            var result = new Dictionary<string, (uint, byte[], uint)>();
            for (int i = 0; i < entries.Count; i++)
            {
                uint links = Convert.ToUInt32(Encoding.ASCII.GetString(archive, offsets[i] + 6 + 4 * 8, 8), 16);
                result.Add(entries[i].Name, (entries[i].Mode, entries[i].Data, links));
            }
            return result;
        }

        [Fact]
        public void A_tree_is_archived_with_directories_files_links_and_modes()
        {
            MakeTree(PathOf("root"));
            Assert.Equal(0, Run(out string output, out string error, "tree", PathOf("initrd.cpio"), PathOf("root")));
            Assert.Equal("", error);
            Assert.Contains("10 directories, 4 files, 5 symbolic links", output);

            byte[] archive = File.ReadAllBytes(PathOf("initrd.cpio"));
            var entries = ReadBack(archive);
            Assert.Equal(new[] { "bin", "bin/busybox", "bin/sh", "dev", "etc", "etc/passwd", "exo", "exo/bin", "exo/bin/hello",
                "exo/config", "exo/config/init.conf", "root", "tmp", "usr", "usr/bin", "usr/bin/absolute", "usr/bin/awk",
                "usr/bin/dangling", "usr/lib64" }, entries.Keys);
            Assert.Equal((0x41EDu, 2u), (entries["bin"].Mode, entries["bin"].Links));
            Assert.Equal((0x41EDu, 4u), (entries["exo"].Mode, entries["exo"].Links));   // 2 + bin and config
            Assert.Equal((0x41EDu, 3u), (entries["usr"].Mode, entries["usr"].Links));   // lib64 is a link, not a subdirectory
            Assert.Equal(0x43FFu, entries["tmp"].Mode);
            Assert.Equal(0x41C0u, entries["root"].Mode);
            Assert.Equal(0x81EDu, entries["bin/busybox"].Mode);
            Assert.Equal(new byte[] { 0x7F, 1, 2, 3, 4 }, entries["bin/busybox"].Data);
            Assert.Equal(0x81A4u, entries["etc/passwd"].Mode);
            Assert.Equal("root:x:0:0:root:/root:/bin/sh\n", Encoding.ASCII.GetString(entries["etc/passwd"].Data));
            foreach (var (link, target) in new[] { ("bin/sh", "busybox"), ("usr/bin/awk", "../../bin/busybox"),
                ("usr/bin/absolute", "/bin/busybox"), ("usr/bin/dangling", "../nowhere"), ("usr/lib64", "lib") })
            {
                Assert.Equal(0xA1FFu, entries[link].Mode);
                Assert.Equal(target, Encoding.ASCII.GetString(entries[link].Data));
                Assert.Equal(1u, entries[link].Links);
            }
            // Owners, times and devices are 0 in every header; inode numbers count from 1 in name order.
            List<int> offsets = Offsets(archive);
            for (int i = 0; i < offsets.Count - 1; i++)
            {
                string header = Encoding.ASCII.GetString(archive, offsets[i], 110);
                Assert.Equal((i + 1).ToString("X8"), header.Substring(6, 8));
                Assert.Equal("0000000000000000", header.Substring(6 + 2 * 8, 16));   // uid, gid
                Assert.Equal("00000000", header.Substring(6 + 5 * 8, 8));           // mtime
                Assert.Equal(new string('0', 32), header.Substring(6 + 7 * 8, 32)); // devices
            }

            Assert.True(Find(archive, "exo/bin/hello", out byte[] hello));
            Assert.Equal(new byte[] { 9, 8, 7 }, hello);
            Assert.False(Find(archive, "bin/sh", out _));
        }

        [Fact]
        public void The_same_tree_gives_the_same_bytes_whatever_the_order_times_and_place_it_was_made_in()
        {
            MakeTree(PathOf("first"));
            MakeTree(PathOf("second"), reversed: true);
            foreach (string file in Directory.EnumerateFiles(PathOf("second"), "*", SearchOption.AllDirectories))
                if (new FileInfo(file).LinkTarget == null)
                    File.SetLastWriteTimeUtc(file, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
            Assert.Equal(0, Run(out _, out _, "tree", PathOf("a.cpio"), PathOf("first")));
            Assert.Equal(0, Run(out _, out _, "tree", PathOf("b.cpio"), PathOf("first")));
            Assert.Equal(0, Run(out _, out _, "tree", PathOf("c.cpio"), PathOf("second")));
            byte[] a = File.ReadAllBytes(PathOf("a.cpio"));
            Assert.Equal(a, File.ReadAllBytes(PathOf("b.cpio")));
            Assert.Equal(a, File.ReadAllBytes(PathOf("c.cpio")));
        }

        /// <summary>GNU cpio (when the machine has it: install-dependencies.sh installs it) lists the archive as the tree.</summary>
        [Fact]
        public void GNU_cpio_lists_the_tree_with_its_modes_and_link_targets()
        {
            if (!File.Exists("/usr/bin/cpio"))
                return;
            MakeTree(PathOf("root"));
            Assert.Equal(0, Run(out _, out _, "tree", PathOf("initrd.cpio"), PathOf("root")));
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/cpio")
            {
                ArgumentList = { "-itv", "--quiet", "-F", PathOf("initrd.cpio") },
                RedirectStandardOutput = true,
                Environment = { ["LC_ALL"] = "C", ["TZ"] = "UTC" },
            };
            using var cpio = System.Diagnostics.Process.Start(start)!;
            string listing = cpio.StandardOutput.ReadToEnd();
            cpio.WaitForExit();
            Assert.True(cpio.ExitCode == 0, $"cpio -t failed with status {cpio.ExitCode}");
            // "drwxrwxrwt   2 root     root            0 Jan  1  1970 tmp": mode, links, owner, group, size, date, name.
            var lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToDictionary(f => f[8], f => f);
            Assert.Equal(19, lines.Count);
            Assert.Equal("drwxr-xr-x", lines["bin"][0]);
            Assert.Equal("drwxrwxrwt", lines["tmp"][0]);
            Assert.Equal("drwx------", lines["root"][0]);
            Assert.Equal("-rwxr-xr-x", lines["bin/busybox"][0]);
            Assert.Equal("5", lines["bin/busybox"][4]);
            Assert.Equal("-rw-r--r--", lines["etc/passwd"][0]);
            Assert.Equal(new[] { "lrwxrwxrwx", "->", "../../bin/busybox" }, new[] { lines["usr/bin/awk"][0], lines["usr/bin/awk"][9], lines["usr/bin/awk"][10] });
            Assert.Equal("busybox", lines["bin/sh"][10]);
            foreach (string[] fields in lines.Values)
            {
                Assert.Equal(("root", "root"), (fields[2], fields[3]));
                Assert.Equal(("Jan", "1", "1970"), (fields[5], fields[6], fields[7]));
            }
        }

        [Fact]
        public void A_FIFO_in_the_tree_is_refused()
        {
            Directory.CreateDirectory(PathOf("root"));
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", PathOf("root/pipe")))
                mkfifo.WaitForExit();
            Assert.Equal(2, Run(out _, out string error, "tree", PathOf("o.cpio"), PathOf("root")));
            Assert.Contains("not a regular file, directory or symbolic link", error);
            Assert.False(File.Exists(PathOf("o.cpio")));
        }

        [Fact]
        public void A_tree_with_a_name_the_kernel_could_not_look_up_is_refused()
        {
            Directory.CreateDirectory(PathOf("root"));
            File.WriteAllBytes(PathOf("root/caf\u00e9"), new byte[] { 1 });
            Assert.Equal(2, Run(out _, out string error, "tree", PathOf("o.cpio"), PathOf("root")));
            Assert.Contains("printable ASCII", error);
        }

        [Fact]
        public void A_tree_archive_may_not_be_written_inside_the_tree()
        {
            MakeTree(PathOf("root"));
            Assert.Equal(2, Run(out _, out string error, "tree", PathOf("root/initrd.cpio"), PathOf("root")));
            Assert.Contains("inside the tree", error);
            // A sibling whose name starts like the root's is not inside it.
            Assert.Equal(0, Run(out _, out _, "tree", PathOf("root.cpio"), PathOf("root")));
        }

        [Fact]
        public void Help_exits_with_0()
        {
            Assert.Equal(0, Run(out string output, out _, "--help"));
            Assert.Contains("usage:", output);
        }
    }
}
