using System.Globalization;
using System.Text;

namespace Exo.ImageTool;

/// <summary>A file to put in an archive: its name there and its contents.</summary>
public sealed record CpioFile(string Name, byte[] Data);

/// <summary>
/// Writes a cpio "newc" archive, the format of the initial RAM disk: per entry "070701", thirteen 8-digit hex
/// fields, the name with its NUL (padded so header and name fill a multiple of 4 bytes), the data (padded to
/// 4); then a "TRAILER!!!" entry and zeros up to a multiple of 512 bytes. Output is deterministic: times,
/// owners and devices are 0, inode numbers count from 1 in the order files are added.
/// </summary>
public sealed class CpioWriter
{
    /// <summary>S_IFREG | 0755: the kernel runs programs from the archive, so every file is executable.</summary>
    public const uint RegularFileMode = 0x81ED;
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
        if (_finished)
            throw new InvalidOperationException("the archive is already finished");
        string? problem = CheckName(name);
        if (problem != null)
            throw new ArgumentException($"bad archive name '{name}': {problem}", nameof(name));
        WriteEntry(_nextInode++, mode, Encoding.ASCII.GetBytes(name), data);
    }

    /// <summary>Writes the trailer and pads the archive to a whole number of 512-byte blocks.</summary>
    public void Finish()
    {
        if (_finished)
            return;
        // As GNU cpio writes it: everything 0 except nlink 1 and the name.
        WriteEntry(0, 0, Encoding.ASCII.GetBytes(TrailerName), ReadOnlySpan<byte>.Empty);
        WriteZeros((int)((BlockSize - _position % BlockSize) % BlockSize));
        _finished = true;
    }

    /// <summary>
    /// A whole archive of 'files', sorted by name (ordinal) so the result does not depend on the order given.
    /// Throws ArgumentException for a bad or repeated name.
    /// </summary>
    public static void WriteArchive(Stream output, IEnumerable<CpioFile> files)
    {
        var sorted = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Name == sorted[i - 1].Name)
                throw new ArgumentException($"two files are named '{sorted[i].Name}' in the archive");
        var writer = new CpioWriter(output);
        foreach (CpioFile file in sorted)
            writer.AddFile(file.Name, file.Data);
        writer.Finish();
    }

    /// <summary>WriteArchive into a byte array.</summary>
    public static byte[] Build(IEnumerable<CpioFile> files)
    {
        using var memory = new MemoryStream();
        WriteArchive(memory, files);
        return memory.ToArray();
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

    private void WriteEntry(uint inode, uint mode, byte[] name, ReadOnlySpan<byte> data)
    {
        var header = new StringBuilder("070701", HeaderSize);
        uint nlink = 1;
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
