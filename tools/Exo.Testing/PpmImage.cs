namespace Exo.Testing;

/// <summary>
/// A binary PPM image (P6, maximum value 255), what QEMU's <c>screendump</c> writes: the size and each pixel's colour
/// as 0xRRGGBB, with helpers for the screenshot tests' assertions on regions.
/// </summary>
public sealed class PpmImage
{
    private readonly byte[] _pixels;   // R, G, B per pixel, row after row

    public int Width { get; }
    public int Height { get; }

    private PpmImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public static PpmImage Load(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>Parses P6 with maximum value 255 (comments allowed in the header); throws FormatException otherwise.</summary>
    public static PpmImage Parse(byte[] bytes)
    {
        int at = 0;
        if (NextToken(bytes, ref at) != "P6")
            throw new FormatException("not a binary PPM (P6)");
        int width = int.Parse(NextToken(bytes, ref at), System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(NextToken(bytes, ref at), System.Globalization.CultureInfo.InvariantCulture);
        if (NextToken(bytes, ref at) != "255")
            throw new FormatException("only a maximum value of 255 is supported");
        at++;   // the one whitespace byte after the header
        long length = (long)width * height * 3;
        if (width <= 0 || height <= 0 || bytes.Length - at < length)
            throw new FormatException($"a {width}x{height} PPM needs {length} bytes of pixels, has {bytes.Length - at}");
        return new PpmImage(width, height, bytes.AsSpan(at, (int)length).ToArray());
    }

    /// <summary>The pixel at ('x', 'y') as 0xRRGGBB.</summary>
    public int this[int x, int y]
    {
        get
        {
            if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside {Width}x{Height}");
            int i = (y * Width + x) * 3;
            return _pixels[i] << 16 | _pixels[i + 1] << 8 | _pixels[i + 2];
        }
    }

    /// <summary>How many pixels of the rectangle are exactly 'colour' (0xRRGGBB).</summary>
    public int Count(int left, int top, int width, int height, int colour)
    {
        int count = 0;
        for (int y = top; y < top + height; y++)
            for (int x = left; x < left + width; x++)
                if (this[x, y] == colour)
                    count++;
        return count;
    }

    /// <summary>Writes the image as a PNG (8-bit RGB, no filtering, zlib-compressed), for viewers that do not read PPM.</summary>
    public void SavePng(string path)
    {
        using var file = File.Create(path);
        file.Write(PngSignature);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, Width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8;   // bits per channel
        header[9] = 2;   // colour type: RGB
        WritePngChunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            for (int y = 0; y < Height; y++)
            {
                zlib.WriteByte(0);   // filter: none
                zlib.Write(_pixels, y * Width * 3, Width * 3);
            }
        WritePngChunk(file, "IDAT", compressed.ToArray());
        WritePngChunk(file, "IEND", Array.Empty<byte>());
    }

    private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    private static void WritePngChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        var crcBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
    }

    /// <summary>PNG's CRC-32 (polynomial 0xEDB88320, reflected), continued from 'crc'.</summary>
    private static uint Crc32(uint crc, byte[] data)
    {
        foreach (byte value in data)
        {
            crc ^= value;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return crc;
    }

    /// <summary>True if every pixel of the rectangle is 'colour'.</summary>
    public bool IsFilled(int left, int top, int width, int height, int colour) => Count(left, top, width, height, colour) == width * height;

    private static string NextToken(byte[] bytes, ref int at)
    {
        while (at < bytes.Length)
        {
            if (bytes[at] == '#')
                while (at < bytes.Length && bytes[at] != '\n')
                    at++;
            else if (char.IsWhiteSpace((char)bytes[at]))
                at++;
            else
                break;
        }
        int start = at;
        while (at < bytes.Length && !char.IsWhiteSpace((char)bytes[at]))
            at++;
        if (start == at)
            throw new FormatException("the PPM header ends early");
        return System.Text.Encoding.ASCII.GetString(bytes, start, at - start);
    }
}
