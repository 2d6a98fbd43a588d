using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Exo.Bench;

public class PngTests
{
    [Fact]
    public void Crc32MatchesKnownValues()
    {
        Assert.Equal(0xCBF43926u, PngWriter.Crc32(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xAE426082u, PngWriter.Crc32(Encoding.ASCII.GetBytes("IEND")));
    }

    [Fact]
    public void EncodesAValidPngThatDecodesToThePixels()
    {
        var canvas = new Canvas(3, 2, 0xFFFFFF);
        canvas.SetPixel(0, 0, 0x123456);
        canvas.SetPixel(2, 1, 0xABCDEF);
        var png = PngWriter.Encode(canvas);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png.Take(8));
        var chunks = ReadChunks(png);
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, chunks.Select(c => c.Type));
        var ihdr = chunks[0].Data;
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(ihdr));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal(8, ihdr[8]);
        Assert.Equal(2, ihdr[9]);

        using var z = new ZLibStream(new MemoryStream(chunks[1].Data), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        Assert.Equal(2 * (1 + 3 * 3), bytes.Length);
        Assert.Equal(0, bytes[0]);
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56 }, bytes.Skip(1).Take(3));
        Assert.Equal(new byte[] { 0xAB, 0xCD, 0xEF }, bytes.Skip(10 + 1 + 6).Take(3));
    }

    [Fact]
    public void ChartRendersEveryRow()
    {
        var exo = BenchParser.Parse("EXO-BENCH syscall.null median=100 min=90 iterations=10 unit=instructions\n" +
                                    "EXO-BENCH proc.fork median=10 min=9 iterations=10 unit=instructions\n");
        var linux = BenchParser.Parse("EXO-BENCH syscall.null median=338 min=338 iterations=10 unit=instructions\n" +
                                      "EXO-BENCH proc.fork median=250000 min=250000 iterations=10 unit=instructions\n");
        var rows = Metrics.Merge(exo, null, linux);
        var entries = RatioChart.Entries(rows);
        // Exo-OS's bar where it has an equivalent, and a POSIX-X bar where the reference binary has one.
        Assert.Equal(rows.Count(r => r.ExoHasEquivalent) + rows.Count(r => r.LinuxHasEquivalent), entries.Count);
        Assert.Contains(entries, e => e.Label == "syscall.null" + RatioChart.PosixSuffix && e.Ratio == null && e.Absent == "not yet");
        Assert.DoesNotContain(entries, e => e.Label == Metrics.ControlRow);
        var canvas = RatioChart.Render(entries, "title", "footer");
        Assert.True(canvas.Height > entries.Count * 20);
        Assert.True(canvas.Width > 600);
        var png = PngWriter.Encode(canvas);
        Assert.All(ReadChunks(png), c => Assert.True(c.CrcOk));
    }

    [Fact]
    public void FontCoversMetricNames()
    {
        foreach (var name in Metrics.Names)
            Assert.All(name, ch => Assert.True(BitmapFont.Has(ch), $"no glyph for '{ch}'"));
    }

    sealed record Chunk(string Type, byte[] Data, bool CrcOk);

    static List<Chunk> ReadChunks(byte[] png)
    {
        var chunks = new List<Chunk>();
        int pos = 8;
        while (pos < png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            chunks.Add(new Chunk(type, data, crc == PngWriter.Crc32(png.AsSpan(pos + 4, 4 + length))));
            pos += 12 + length;
        }
        return chunks;
    }
}
