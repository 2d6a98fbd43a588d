using Exo.Toolkit.Desktop;

namespace Exo.Toolkit.HostTests;

/// <summary>The file manager's listing and operations on the host's file system, in a fresh temporary folder each.</summary>
public sealed class FileOperationsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("exo-files-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string At(string relative) => Path.Combine(_root, relative);

    private void MakeFile(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(At(relative))!);
        File.WriteAllText(At(relative), text);
    }

    [Fact]
    public void A_listing_puts_folders_first_sorts_by_name_and_hides_dot_names_unless_asked()
    {
        MakeFile("b.txt", "12345");
        MakeFile("A.txt", "");
        MakeFile(".hidden", "x");
        Directory.CreateDirectory(At("zeta"));
        Directory.CreateDirectory(At("Alpha"));
        File.CreateSymbolicLink(At("link"), "b.txt");

        var listing = FolderListing.Read(_root);
        Assert.Equal(["Alpha/", "zeta/", "A.txt    0 bytes", "b.txt    5 bytes", "link -> b.txt"], listing.Entries.Select(e => e.Display));
        Assert.False(listing.Truncated);
        Assert.Contains(".hidden", FolderListing.Read(_root, showHidden: true).Entries.Select(e => e.Name));
        Assert.Throws<DirectoryNotFoundException>(() => FolderListing.Read(At("missing")));
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(1023, "1023 bytes")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    public void Sizes_read_as_people_read_them(long bytes, string expected) => Assert.Equal(expected, FolderListing.FormatSize(bytes));

    [Fact]
    public void New_folders_and_renames_refuse_bad_and_taken_names()
    {
        string made = FileOperations.CreateFolder(_root, "made");
        Assert.True(Directory.Exists(made));
        Assert.Contains("already exists", Assert.Throws<IOException>(() => FileOperations.CreateFolder(_root, "made")).Message);
        foreach (string bad in new[] { "", ".", "..", "a/b", new string('x', 256) })
            Assert.Throws<IOException>(() => FileOperations.CreateFolder(_root, bad));

        MakeFile("note", "text");
        Assert.Contains("already exists", Assert.Throws<IOException>(() => FileOperations.Rename(At("note"), "made")).Message);
        string renamed = FileOperations.Rename(At("note"), "note.txt");
        Assert.Equal("text", File.ReadAllText(renamed));
        Assert.False(File.Exists(At("note")));
        Assert.Equal(At("made2"), FileOperations.Rename(made, "made2"));
        Assert.True(Directory.Exists(At("made2")));
    }

    [Fact]
    public void A_copy_takes_the_whole_tree_keeps_links_and_names_itself_a_copy_when_the_name_is_taken()
    {
        MakeFile("tree/one.txt", "one");
        MakeFile("tree/deep/two.txt", "two");
        File.CreateSymbolicLink(At("tree/up"), "..");   // a loop if followed
        Directory.CreateDirectory(At("into"));

        string copy = FileOperations.CopyInto(At("tree"), At("into"));
        Assert.Equal(At("into/tree"), copy);
        Assert.Equal("one", File.ReadAllText(At("into/tree/one.txt")));
        Assert.Equal("two", File.ReadAllText(At("into/tree/deep/two.txt")));
        Assert.Equal("..", new FileInfo(At("into/tree/up")).LinkTarget);
        Assert.Equal("one", File.ReadAllText(At("tree/one.txt")));   // the original stays

        Assert.Equal(At("into/tree (copy)"), FileOperations.CopyInto(At("tree"), At("into")));
        Assert.Equal(At("into/tree (copy 2)"), FileOperations.CopyInto(At("tree"), At("into")));
        Assert.Equal(At("tree (copy)"), FileOperations.CopyInto(At("tree"), _root));   // pasted where it is
        Assert.Contains("into itself", Assert.Throws<IOException>(() => FileOperations.CopyInto(At("tree"), At("tree/deep"))).Message);
    }

    [Fact]
    public void A_move_takes_the_entry_and_refuses_to_overwrite_or_to_go_into_itself()
    {
        MakeFile("tree/one.txt", "one");
        MakeFile("file.txt", "file");
        Directory.CreateDirectory(At("into"));
        MakeFile("into/file.txt", "other");

        Assert.Equal(At("into/tree"), FileOperations.MoveInto(At("tree"), At("into")));
        Assert.False(Directory.Exists(At("tree")));
        Assert.Equal("one", File.ReadAllText(At("into/tree/one.txt")));
        Assert.Contains("already exists", Assert.Throws<IOException>(() => FileOperations.MoveInto(At("file.txt"), At("into"))).Message);
        Assert.Equal("other", File.ReadAllText(At("into/file.txt")));
        Assert.Contains("already in", Assert.Throws<IOException>(() => FileOperations.MoveInto(At("file.txt"), _root)).Message);
        Assert.Contains("into itself", Assert.Throws<IOException>(() => FileOperations.MoveInto(At("into"), At("into/tree"))).Message);
    }

    [Fact]
    public void Delete_removes_a_whole_folder_and_a_link_but_never_what_the_link_points_at()
    {
        MakeFile("tree/deep/two.txt", "two");
        MakeFile("kept/file.txt", "kept");
        File.CreateSymbolicLink(At("tree/link"), At("kept"));
        File.CreateSymbolicLink(At("dangling"), At("nowhere"));

        FileOperations.Delete(At("tree"));
        Assert.False(Directory.Exists(At("tree")));
        Assert.Equal("kept", File.ReadAllText(At("kept/file.txt")));
        FileOperations.Delete(At("dangling"));
        Assert.Null(new FileInfo(At("dangling")).LinkTarget);
        Assert.Throws<FileNotFoundException>(() => FileOperations.Delete(At("dangling")));
    }
}
