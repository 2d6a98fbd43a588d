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
