using System.Text;
using Exo.Testing;
using Xunit;

namespace Exo.Testing.Tests;

/// <summary>PpmImage on small hand-made P6 files (what QEMU's screendump writes).</summary>
public sealed class PpmImageTests
{
    private static byte[] Ppm(string header, params byte[] pixels) => Encoding.ASCII.GetBytes(header).Concat(pixels).ToArray();

    [Fact]
    public void A_p6_image_gives_its_size_and_pixels_as_rgb()
    {
        var image = PpmImage.Parse(Ppm("P6\n# made by hand\n2 2\n255\n", 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0));
        Assert.Equal((2, 2), (image.Width, image.Height));
        Assert.Equal(0xFF0000, image[0, 0]);
        Assert.Equal(0x00FF00, image[1, 0]);
        Assert.Equal(0x0000FF, image[0, 1]);
        Assert.Equal(0xFFFF00, image[1, 1]);
        Assert.Equal(1, image.Count(0, 0, 2, 2, 0xFF0000));
        Assert.True(image.IsFilled(1, 1, 1, 1, 0xFFFF00));
        Assert.False(image.IsFilled(0, 0, 2, 1, 0xFF0000));
    }

    [Fact]
    public void A_png_copy_has_the_signature_the_size_and_a_valid_header_crc()
    {
        var image = PpmImage.Parse(Ppm("P6\n3 2\n255\n", new byte[18]));
        string path = Path.Combine(Path.GetTempPath(), $"exo-ppm-{Guid.NewGuid():N}.png");
        try
        {
            image.SavePng(path);
            byte[] png = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(3, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            // The CRC of "IHDR" and its 13 bytes, as Python's zlib.crc32 gives it for this header.
            Assert.Equal(0x1216F14Du, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(29)));
            Assert.Equal("IEND", Encoding.ASCII.GetString(png, png.Length - 8, 4));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Short_or_foreign_files_are_refused()
    {
        Assert.Throws<FormatException>(() => PpmImage.Parse(Ppm("P3\n1 1\n255\n", 0, 0, 0)));
        Assert.Throws<FormatException>(() => PpmImage.Parse(Ppm("P6\n2 2\n255\n", 0, 0, 0)));
        Assert.Throws<FormatException>(() => PpmImage.Parse(Ppm("P6\n1 1\n65535\n", 0, 0, 0, 0, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => PpmImage.Parse(Ppm("P6\n1 1\n255\n", 1, 2, 3))[1, 0]);
    }
}
