namespace Exo.Toolkit.Text;

/// <summary>
/// Reading and writing a text file whole. Reading refuses a folder, more than TextDocument.MaximumFileBytes (read in a
/// bounded loop: a device that never ends is refused too) and what TextDocument.Decode refuses (binary, not UTF-8).
/// Writing replaces the file atomically: a temporary file in the same folder, written and fsynced, given the old file's
/// permissions, then renamed over it; a symbolic link's target is what gets replaced, so the link stays.
/// </summary>
public static class TextFile
{
    public static string Read(string path)
    {
        if (Directory.Exists(path))
            throw new IOException("it is a folder, not a file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[Math.Min(TextDocument.MaximumFileBytes + 1L, Math.Max(stream.CanSeek ? stream.Length + 1 : 0, 4096))];
        int length = 0;
        while (true)
        {
            if (length == bytes.Length)
            {
                if (length > TextDocument.MaximumFileBytes)
                    throw new TextTooLargeException($"the file is larger than the editor's limit of {TextDocument.MaximumFileBytes} bytes");
                Array.Resize(ref bytes, (int)Math.Min(TextDocument.MaximumFileBytes + 1L, 2L * bytes.Length));
            }
            int read = stream.Read(bytes, length, bytes.Length - length);
            if (read == 0)
                break;
            length += read;
        }
        return TextDocument.Decode(bytes.AsSpan(0, length));
    }

    public static void WriteAtomically(string path, byte[] bytes)
    {
        string target = Path.GetFullPath(path);
        if (Directory.Exists(target))
            throw new IOException("it is a folder");
        if (new FileInfo(target).LinkTarget != null && File.ResolveLinkTarget(target, returnFinalTarget: true) is { } linked)
            target = linked.FullName;
        string folder = Path.GetDirectoryName(target) ?? "/";
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"there is no folder {folder}");
        UnixFileMode? mode = File.Exists(target) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(target) : null;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Environment.ProcessId}.editing");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);   // fsync: the new text is on the disk before it replaces the old
            }
            if (mode is { } kept && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, kept);
            File.Move(temporary, target, overwrite: true);   // rename(2): readers see the old file or the new, never half
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // The write's own problem is the one to report; a leftover temporary file is named after the file.
            }
            throw;
        }
    }
}
