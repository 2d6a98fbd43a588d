using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Exo.Bench;

/// <summary>An RGB picture in memory.</summary>
public sealed class Canvas
{
    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; } // RGB, row after row

    public Canvas(int width, int height, uint background)
    {
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        FillRect(0, 0, width, height, background);
    }

    public void SetPixel(int x, int y, uint rgb)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height)
            return;
        int i = (y * Width + x) * 3;
        Pixels[i] = (byte)(rgb >> 16);
        Pixels[i + 1] = (byte)(rgb >> 8);
        Pixels[i + 2] = (byte)rgb;
    }

    public uint GetPixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (uint)(Pixels[i] << 16 | Pixels[i + 1] << 8 | Pixels[i + 2]);
    }

    public void FillRect(int x, int y, int w, int h, uint rgb)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        int x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++)
                SetPixel(xx, yy, rgb);
    }
}

/// <summary>
/// Minimal PNG encoder: 8-bit RGB, filter type 0 on every scanline, one IDAT chunk
/// compressed with zlib; CRC-32 (ISO 3309 / PNG) computed here.
/// </summary>
public static class PngWriter
{
    static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
    static readonly uint[] CrcTable = BuildCrcTable();

    static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 as PNG uses it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        uint c = crc ^ 0xFFFFFFFFu;
        foreach (var b in data)
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    public static byte[] Encode(Canvas canvas)
    {
        using var output = new MemoryStream();
        output.Write(Signature);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(0), (uint)canvas.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)canvas.Height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: RGB
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering, 5 basic filters
        ihdr[12] = 0; // no interlace
        WriteChunk(output, "IHDR", ihdr);

        using (var idat = new MemoryStream())
        {
            using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = canvas.Width * 3;
                for (int y = 0; y < canvas.Height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(canvas.Pixels, y * stride, stride);
                }
            }
            WriteChunk(output, "IDAT", idat.ToArray());
        }
        WriteChunk(output, "IEND", Array.Empty<byte>());
        return output.ToArray();
    }

    static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(data, Crc32(typeBytes)));
        output.Write(word);
    }
}
