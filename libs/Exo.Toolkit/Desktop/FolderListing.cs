namespace Exo.Toolkit.Desktop;

/// <summary>What a folder entry is; a symbolic link is listed as a link whatever it points at (it is not followed).</summary>
public enum FolderEntryKind { Folder, File, Link, Other }

/// <summary>One entry of a folder as the file manager shows it.</summary>
public sealed record FolderEntry(string Name, FolderEntryKind Kind, long Size, string? LinkTarget)
{
    /// <summary>The row's text: folders end with '/', links show their target, files their size.</summary>
    public string Display => Kind switch
    {
        FolderEntryKind.Folder => Name + "/",
        FolderEntryKind.Link => $"{Name} -> {LinkTarget}",
        FolderEntryKind.File => $"{Name}    {FolderListing.FormatSize(Size)}",
        _ => Name,
    };
}

/// <summary>
/// A folder's entries for the file manager, read with System.IO (through POSIX-X's VFS on Exo-OS): folders first, then
/// the rest, each group by name (ordinal, case ignored, then case); names starting with '.' only when asked. At most
/// MaximumEntries are listed, and Truncated says when more were there.
/// </summary>
public sealed class FolderListing
{
    public const int MaximumEntries = 10_000;

    public string Path { get; }
    public IReadOnlyList<FolderEntry> Entries { get; }
    public bool Truncated { get; }

    private FolderListing(string path, List<FolderEntry> entries, bool truncated)
    {
        Path = path;
        Entries = entries;
        Truncated = truncated;
    }

    /// <summary>Reads the folder; throws IOException (or UnauthorizedAccessException) with the system's reason.</summary>
    public static FolderListing Read(string path, bool showHidden = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        var folder = new DirectoryInfo(full);
        if (!folder.Exists)
            throw new DirectoryNotFoundException($"{full}: no such folder");
        var entries = new List<FolderEntry>();
        bool truncated = false;
        foreach (var info in folder.EnumerateFileSystemInfos())
        {
            if (!showHidden && info.Name.StartsWith('.'))
                continue;
            if (entries.Count == MaximumEntries)
            {
                truncated = true;
                break;
            }
            entries.Add(Describe(info));
        }
        entries.Sort(Compare);
        return new FolderListing(full, entries, truncated);
    }

    private static FolderEntry Describe(FileSystemInfo info)
    {
        if (info.LinkTarget is { } target)
            return new FolderEntry(info.Name, FolderEntryKind.Link, 0, target);
        if (info is DirectoryInfo)
            return new FolderEntry(info.Name, FolderEntryKind.Folder, 0, null);
        var kind = (info.Attributes & (FileAttributes.Device | FileAttributes.System)) != 0 ? FolderEntryKind.Other : FolderEntryKind.File;
        return new FolderEntry(info.Name, kind, ((FileInfo)info).Length, null);
    }

    private static int Compare(FolderEntry a, FolderEntry b)
    {
        int folders = (b.Kind == FolderEntryKind.Folder).CompareTo(a.Kind == FolderEntryKind.Folder);
        if (folders != 0)
            return folders;
        int names = string.Compare(a.Name, b.Name, StringComparison.OrdinalIgnoreCase);
        return names != 0 ? names : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>A size as people read it: bytes below 1 KiB, then KiB, MiB, GiB with one decimal.</summary>
    public static string FormatSize(long bytes)
    {
        if (bytes < 1024)
            return bytes == 1 ? "1 byte" : $"{bytes} bytes";
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return $"{value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
