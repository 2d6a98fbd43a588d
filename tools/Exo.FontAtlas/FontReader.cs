using System.Buffers.Binary;

namespace Exo.FontAtlas;

/// <summary>Big-endian reads from a font file, every one checked against the file's end (a truncated font is an error, not a crash).</summary>
public readonly struct FontReader(byte[] data, string what)
{
    public int Length => data.Length;

    private ReadOnlySpan<byte> Take(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > data.Length)
            throw new FontFormatException($"{what}: {count} bytes at offset {offset} run past the file's end ({data.Length} bytes): truncated or corrupt");
        return data.AsSpan(offset, count);
    }

    public byte U8(int offset) => Take(offset, 1)[0];
    public sbyte I8(int offset) => (sbyte)Take(offset, 1)[0];
    public ushort U16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(Take(offset, 2));
    public short I16(int offset) => BinaryPrimitives.ReadInt16BigEndian(Take(offset, 2));
    public uint U32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(Take(offset, 4));
    public void Check(int offset, int count) => Take(offset, count);
}
