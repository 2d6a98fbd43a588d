using System.Globalization;
using System.Text;

namespace Exo.ImageTool;

/// <summary>A file to put in an archive: its name there and its contents.</summary>
public sealed record CpioFile(string Name, byte[] Data);

/// <summary>
/// Any archive entry: a regular file, a directory or a symbolic link. Mode is the whole st_mode (file type and
/// permission bits); Data is a file's contents, a symbolic link's target (as newc stores it: the bytes, no NUL),
/// nothing for a directory. Links is the entry's link count (a directory: 2 plus its subdirectories).
/// </summary>
public sealed record CpioItem(string Name, uint Mode, byte[] Data, uint Links)
{
    public static CpioItem File(string name, byte[] data, uint permissions = 0x1ED)
        => new(name, CpioWriter.RegularFileType | CpioWriter.CheckPermissions(permissions), data, 1);

    public static CpioItem Directory(string name, uint permissions = 0x1ED, uint links = 2)
        => new(name, CpioWriter.DirectoryType | CpioWriter.CheckPermissions(permissions), [], links);

    /// <summary>Symbolic links are 0777, as Linux makes them (their own mode is never checked).</summary>
    public static CpioItem SymbolicLink(string name, string target)
        => new(name, CpioWriter.SymbolicLinkType | 0x1FF, CpioWriter.LinkTargetBytes(target), 1);
}

/// <summary>
/// Writes a cpio "newc" archive, the format of the initial RAM disk: per entry "070701", thirteen 8-digit hex
/// fields, the name with its NUL (padded so header and name fill a multiple of 4 bytes), the data (padded to
/// 4); then a "TRAILER!!!" entry and zeros up to a multiple of 512 bytes. Output is deterministic: times,
/// owners and devices are 0, inode numbers count from 1 in the order entries are added. Entries are regular
/// files, directories and symbolic links (the target is the entry's data); nothing else (devices, FIFOs,
/// sockets, hard links) is written.
/// </summary>
public sealed class CpioWriter
{
    /// <summary>S_IFREG | 0755: the kernel runs programs from the archive, so every file is executable.</summary>
    public const uint RegularFileMode = 0x81ED;
    /// <summary>File types (S_IFMT bits of a mode) the archive holds.</summary>
    public const uint FileTypeMask = 0xF000, DirectoryType = 0x4000, RegularFileType = 0x8000, SymbolicLinkType = 0xA000;
    /// <summary>Permission bits, with set-user-id, set-group-id and sticky (07777).</summary>
    public const uint PermissionMask = 0xFFF;
    /// <summary>The kernel's reader accepts names up to 4096 bytes including the NUL.</summary>
    public const int MaximumNameBytes = 4095;
    public const string TrailerName = "TRAILER!!!";
    public const int BlockSize = 512;

    private const int HeaderSize = 110;

    private readonly Stream _output;
    private long _position;
    private uint _nextInode = 1;
    private bool _finished;

    public CpioWriter(Stream output) => _output = output;

    /// <summary>
    /// Appends one regular file (a span is under 2 GiB, so its size always fits newc's 32-bit field).
    /// Throws ArgumentException for a name the kernel could not look up.
    /// </summary>
    public void AddFile(string name, ReadOnlySpan<byte> data, uint mode = RegularFileMode)
    {
        if ((mode & FileTypeMask) != RegularFileType)
            throw new ArgumentException($"mode {Convert.ToString(mode, 8)} is not a regular file's", nameof(mode));
        AddEntry(name, mode, 1, data);
    }

    /// <summary>
    /// Appends one entry of any kind the archive holds (see CpioItem). Throws ArgumentException for a name the
    /// kernel could not look up, a file type other than regular file, directory or symbolic link, a directory
    /// with data, or a symbolic link without a target.
    /// </summary>
    public void Add(CpioItem item)
    {
        uint type = item.Mode & FileTypeMask;
        if (type != RegularFileType && type != DirectoryType && type != SymbolicLinkType)
            throw new ArgumentException($"'{item.Name}' has mode {Convert.ToString(item.Mode, 8)}: only regular files, directories and symbolic links are archived", nameof(item));
        if ((item.Mode & ~(FileTypeMask | PermissionMask)) != 0)
            throw new ArgumentException($"'{item.Name}' has mode {Convert.ToString(item.Mode, 8)}, more than a file type and permissions", nameof(item));
        if (type == DirectoryType && item.Data.Length != 0)
            throw new ArgumentException($"the directory '{item.Name}' has data", nameof(item));
        if (type == SymbolicLinkType && item.Data.Length == 0)
            throw new ArgumentException($"the symbolic link '{item.Name}' has no target", nameof(item));
        if (item.Links == 0)
            throw new ArgumentException($"'{item.Name}' has no links", nameof(item));
        AddEntry(item.Name, item.Mode, item.Links, item.Data);
    }

    private void AddEntry(string name, uint mode, uint links, ReadOnlySpan<byte> data)
    {
        if (_finished)
            throw new InvalidOperationException("the archive is already finished");
        string? problem = CheckName(name);
        if (problem != null)
            throw new ArgumentException($"bad archive name '{name}': {problem}", nameof(name));
        WriteEntry(_nextInode++, mode, links, Encoding.ASCII.GetBytes(name), data);
    }

    /// <summary>Writes the trailer and pads the archive to a whole number of 512-byte blocks.</summary>
    public void Finish()
    {
        if (_finished)
            return;
        // As GNU cpio writes it: everything 0 except nlink 1 and the name.
        WriteEntry(0, 0, 1, Encoding.ASCII.GetBytes(TrailerName), ReadOnlySpan<byte>.Empty);
        WriteZeros((int)((BlockSize - _position % BlockSize) % BlockSize));
        _finished = true;
    }

    /// <summary>
    /// A whole archive of 'files', sorted by name (ordinal) so the result does not depend on the order given.
    /// Throws ArgumentException for a bad or repeated name.
    /// </summary>
    public static void WriteArchive(Stream output, IEnumerable<CpioFile> files)
        => WriteArchive(output, files.Select(f => new CpioItem(f.Name, RegularFileMode, f.Data, 1)));

    /// <summary>
    /// A whole archive of entries of any kind, sorted by name (ordinal), so a directory comes before everything
    /// in it ("a" sorts before "a/b", whatever else sorts between them). Throws ArgumentException for a bad
    /// entry or a repeated name.
    /// </summary>
    public static void WriteArchive(Stream output, IEnumerable<CpioItem> items)
    {
        var sorted = items.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Name == sorted[i - 1].Name)
                throw new ArgumentException($"two files are named '{sorted[i].Name}' in the archive");
        var writer = new CpioWriter(output);
        foreach (CpioItem item in sorted)
            writer.Add(item);
        writer.Finish();
    }

    /// <summary>WriteArchive into a byte array.</summary>
    public static byte[] Build(IEnumerable<CpioFile> files)
    {
        using var memory = new MemoryStream();
        WriteArchive(memory, files);
        return memory.ToArray();
    }

    /// <summary>WriteArchive (any kind of entry) into a byte array.</summary>
    public static byte[] Build(IEnumerable<CpioItem> items)
    {
        using var memory = new MemoryStream();
        WriteArchive(memory, items);
        return memory.ToArray();
    }

    /// <summary>'permissions' if it is only permission bits (07777 at most); ArgumentException otherwise.</summary>
    public static uint CheckPermissions(uint permissions)
        => (permissions & ~PermissionMask) == 0 ? permissions
            : throw new ArgumentException($"{Convert.ToString(permissions, 8)} is more than permission bits", nameof(permissions));

    /// <summary>A symbolic link's target as the archive stores it; ArgumentException if it is empty or not printable ASCII.</summary>
    public static byte[] LinkTargetBytes(string target)
    {
        if (string.IsNullOrEmpty(target) || target.Length > MaximumNameBytes)
            throw new ArgumentException($"a symbolic link's target must have 1 to {MaximumNameBytes} bytes", nameof(target));
        foreach (char c in target)
            if (c < 0x20 || c > 0x7E)
                throw new ArgumentException($"the link target '{target}' is not printable ASCII", nameof(target));
        return Encoding.ASCII.GetBytes(target);
    }

    /// <summary>Why 'name' cannot be an archive name, or null if it can.</summary>
    public static string? CheckName(string name)
    {
        if (string.IsNullOrEmpty(name))
            return "the name is empty";
        if (name.Length > MaximumNameBytes)
            return $"longer than {MaximumNameBytes} bytes";
        foreach (char c in name)
            if (c < 0x20 || c > 0x7E)
                return "only printable ASCII is allowed (the kernel's shell types names in ASCII)";
        if (name == TrailerName)
            return "it would end the archive";
        // The kernel's reader drops a leading "./" and looks names up exactly: keep one spelling per file.
        if (name.StartsWith('/') || name.StartsWith("./", StringComparison.Ordinal) || name == "." || name == "..")
            return "names are relative, without a leading '/' or './'";
        return null;
    }

    private void WriteEntry(uint inode, uint mode, uint nlink, byte[] name, ReadOnlySpan<byte> data)
    {
        var header = new StringBuilder("070701", HeaderSize);
        uint[] fields = [inode, mode, 0 /* uid */, 0 /* gid */, nlink, 0 /* mtime */, (uint)data.Length,
                         0, 0, 0, 0 /* dev and rdev major/minor */, (uint)name.Length + 1, 0 /* check */];
        foreach (uint field in fields)
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(name);
        Write([0]);
        WriteZeros(Padding(_position));
        Write(data);
        WriteZeros(Padding(_position));
    }

    private static int Padding(long position) => (int)((4 - position % 4) % 4);

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }

    private void WriteZeros(int count) => Write(new byte[count]);
}
