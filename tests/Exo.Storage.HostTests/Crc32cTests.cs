using Exo.Storage.Ext;
using Xunit;

namespace Exo.Storage.HostTests;

public unsafe class Crc32cTests
{
    [Fact]
    public void Check_value_of_the_standard_test_string()
    {
        byte[] text = "123456789"u8.ToArray();
        fixed (byte* data = text)
            Assert.Equal(0xE3069283u, ~Crc32c.Update(0xFFFFFFFFu, data, text.Length));
    }

    [Fact]
    public void The_instruction_eight_and_thirty_two_bytes_a_step_agrees_with_a_bit_at_a_time_at_every_length_and_alignment()
    {
        var random = new System.Random(7);
        byte[] bytes = new byte[4200];
        random.NextBytes(bytes);
        fixed (byte* data = bytes)
        {
            foreach (int start in new[] { 0, 1, 3, 7 })
                for (int length = 0; length <= 72; length++)
                    Assert.Equal(BitwiseCrc(0x12345678u, data + start, length), Crc32c.Update(0x12345678u, data + start, length));
            Assert.Equal(BitwiseCrc(0xFFFFFFFFu, data + 5, 4096), Crc32c.Update(0xFFFFFFFFu, data + 5, 4096));
            // Chaining over pieces gives the checksum of the whole.
            Assert.Equal(Crc32c.Update(0u, data, 4096), Crc32c.Update(Crc32c.Update(0u, data, 1000), data + 1000, 3096));
        }
    }

    private static uint BitwiseCrc(uint crc, byte* data, int length)
    {
        for (int i = 0; i < length; i++)
        {
            crc ^= data[i];
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return crc;
    }
}
