namespace Exo.Toolkit.Desktop;

/// <summary>
/// The file manager's operations on the real file system (System.IO; POSIX-X's VFS on Exo-OS): a new folder, rename,
/// copy and move into a folder, delete. Each either does all it says or throws an IOException whose message is shown to
/// the user as it is; none overwrites an existing name. Copies keep symbolic links as links and never follow them into
/// a loop; a folder is never copied or moved into itself.
/// </summary>
public static class FileOperations
{
    /// <summary>Why 'name' cannot name an entry, or null when it can.</summary>
    public static string? CheckName(string name)
    {
        if (name.Length == 0)
            return "a name cannot be empty";
        if (name is "." or "..")
            return $"'{name}' is not a name an entry can have";
        if (name.Contains('/') || name.Contains('\0'))
            return "a name cannot contain '/'";
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255)
            return "a name can have at most 255 bytes";
        return null;
    }

    private static string Child(string folder, string name)
    {
        if (CheckName(name) is { } problem)
            throw new IOException(problem);
        return Path.Combine(folder, name);
    }

    private static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget != null;

    private static void MustNotExist(string path)
    {
        if (Exists(path))
            throw new IOException($"{Path.GetFileName(path)} already exists");
    }

    /// <summary>Makes folder/name; returns its path.</summary>
    public static string CreateFolder(string folder, string name)
    {
        string path = Child(folder, name);
        MustNotExist(path);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Gives the entry at 'path' a new name in the same folder; returns the new path.</summary>
    public static string Rename(string path, string newName)
    {
        string target = Child(Path.GetDirectoryName(path) ?? "/", newName);
        if (target == path)
            return path;
        MustNotExist(target);
        MoveEntry(path, target);
        return target;
    }

    /// <summary>Copies the entry at 'source' into 'folder' (a folder with all it holds); a name already there gets
    /// " (copy)", " (copy 2)"... as file managers do. Returns the copy's path.</summary>
    public static string CopyInto(string source, string folder)
    {
        MustNotContain(source, folder, "copied");
        string name = Path.GetFileName(source);
        string target = Path.Combine(folder, name);
        for (int attempt = 1; Exists(target); attempt++)
            target = Path.Combine(folder, attempt == 1 ? $"{name} (copy)" : $"{name} (copy {attempt})");
        CopyEntry(source, target);
        return target;
    }

    /// <summary>Moves the entry at 'source' into 'folder' (across file systems: copied, then deleted). Returns its new path.</summary>
    public static string MoveInto(string source, string folder)
    {
        MustNotContain(source, folder, "moved");
        string target = Path.Combine(folder, Path.GetFileName(source));
        if (target == source)
            throw new IOException($"{Path.GetFileName(source)} is already in {folder}");
        MustNotExist(target);
        MoveEntry(source, target);
        return target;
    }

    /// <summary>Deletes the entry at 'path': a folder with all it holds, a link itself (never what it points at).</summary>
    public static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget == null && Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        else if (Exists(path))
            File.Delete(path);
        else
            throw new FileNotFoundException($"{Path.GetFileName(path)}: no such file or folder");
    }

    private static void MustNotContain(string source, string folder, string verb)
    {
        string from = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source));
        string into = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (into == from || into.StartsWith(from + "/", StringComparison.Ordinal))
            throw new IOException($"{Path.GetFileName(from)} cannot be {verb} into itself");
    }

    private static void MoveEntry(string source, string target)
    {
        bool isFolder = new FileInfo(source).LinkTarget == null && Directory.Exists(source);
        if (!isFolder)
        {
            if (!Exists(source))
                throw new FileNotFoundException($"{Path.GetFileName(source)}: no such file or folder");
            File.Move(source, target);
            return;
        }
        try
        {
            Directory.Move(source, target);
        }
        catch (IOException) when (!Exists(target) && Directory.Exists(source))
        {
            // rename(2) gives EXDEV across file systems: copy, then delete the original.
            CopyEntry(source, target);
            Directory.Delete(source, recursive: true);
        }
    }

    private static void CopyEntry(string source, string target)
    {
        var info = new FileInfo(source);
        if (info.LinkTarget is { } linkTarget)
            File.CreateSymbolicLink(target, linkTarget);
        else if (Directory.Exists(source))
        {
            Directory.CreateDirectory(target);
            foreach (string entry in Directory.EnumerateFileSystemEntries(source))
                CopyEntry(entry, Path.Combine(target, Path.GetFileName(entry)));
        }
        else if (info.Exists)
            File.Copy(source, target, overwrite: false);
        else
            throw new FileNotFoundException($"{Path.GetFileName(source)}: no such file or folder");
    }
}
