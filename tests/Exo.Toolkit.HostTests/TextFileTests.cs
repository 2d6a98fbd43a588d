using Exo.Toolkit.Text;

namespace Exo.Toolkit.HostTests;

/// <summary>Text files read whole and replaced atomically, on the host's file system.</summary>
public sealed class TextFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("exo-text-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void A_saved_file_reads_back_and_no_temporary_file_stays()
    {
        string path = PathOf("note.txt");
        TextFile.WriteAtomically(path, "one\ntwo\n"u8.ToArray());
        Assert.Equal("one\ntwo\n", TextFile.Read(path));
        TextFile.WriteAtomically(path, "three"u8.ToArray());
        Assert.Equal("three", TextFile.Read(path));
        Assert.Equal(["note.txt"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_over_a_file_keeps_its_permissions_and_a_link_stays_a_link()
    {
        string path = PathOf("private.txt");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        TextFile.WriteAtomically(path, "new"u8.ToArray());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        string link = PathOf("link.txt");
        File.CreateSymbolicLink(link, path);
        TextFile.WriteAtomically(link, "through the link"u8.ToArray());
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("through the link", File.ReadAllText(path));
    }

    [Fact]
    public void Folders_missing_files_binary_and_too_large_files_are_refused()
    {
        Assert.Contains("folder", Assert.Throws<IOException>(() => TextFile.Read(_folder)).Message, StringComparison.Ordinal);
        Assert.Contains("folder", Assert.Throws<IOException>(() => TextFile.WriteAtomically(_folder, [])).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => TextFile.Read(PathOf("missing.txt")));
        Assert.Throws<DirectoryNotFoundException>(() => TextFile.WriteAtomically(PathOf("no/such/folder.txt"), []));
        File.WriteAllBytes(PathOf("program"), [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
        Assert.Contains("binary", Assert.Throws<InvalidDataException>(() => TextFile.Read(PathOf("program"))).Message, StringComparison.Ordinal);
        File.WriteAllBytes(PathOf("large.txt"), new byte[TextDocument.MaximumFileBytes + 1]);
        Assert.Throws<TextTooLargeException>(() => TextFile.Read(PathOf("large.txt")));
        Assert.Throws<TextTooLargeException>(() => TextFile.Read("/dev/zero"));   // a device without an end: refused at the limit
    }
}
