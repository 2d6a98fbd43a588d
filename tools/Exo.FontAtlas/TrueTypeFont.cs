namespace Exo.FontAtlas;

/// <summary>
/// A TrueType font (the 'glyf' flavour of OpenType): the tables this tool needs, parsed and checked. head (units per em,
/// the loca format), maxp (the glyph count), hhea and hmtx (ascent, descent, line gap, advances), cmap (format 4 of a
/// Unicode subtable: the Basic Multilingual Plane), loca and glyf (simple and composite glyphs). Anything malformed
/// throws FontFormatException naming the table and the problem.
/// </summary>
public sealed class TrueTypeFont
{
    private const uint TrueTypeVersion = 0x00010000, AppleTrueType = 0x74727565; // 'true'
    private const uint HeadMagic = 0x5F0F3CF5;
    private const int MaximumTables = 256;
    /// <summary>Composite glyphs may nest; deeper than this is taken for a loop.</summary>
    private const int MaximumCompositeDepth = 8;
    private const int MaximumPointsPerGlyph = 65535;

    // Simple glyph flags.
    private const byte OnCurvePoint = 0x01, XShortVector = 0x02, YShortVector = 0x04, RepeatFlag = 0x08,
        XIsSameOrPositive = 0x10, YIsSameOrPositive = 0x20;
    // Composite glyph flags.
    private const ushort ArgumentsAreWords = 0x0001, ArgumentsAreXYValues = 0x0002, WeHaveAScale = 0x0008,
        MoreComponents = 0x0020, WeHaveAnXAndYScale = 0x0040, WeHaveATwoByTwo = 0x0080;

    private readonly FontReader _reader;
    private readonly Dictionary<string, (int Offset, int Length)> _tables = [];
    private readonly int _locaOffset, _glyfOffset, _glyfLength, _hmtxOffset, _numberOfHMetrics;
    private readonly bool _longLoca;
    private readonly Dictionary<int, int> _characterToGlyph = [];

    public int UnitsPerEm { get; }
    public int GlyphCount { get; }
    public int Ascender { get; }
    public int Descender { get; }
    public int LineGap { get; }

    public TrueTypeFont(byte[] data, string name)
    {
        _reader = new FontReader(data, name);
        uint version = _reader.U32(0);
        if (version != TrueTypeVersion && version != AppleTrueType)
            throw new FontFormatException($"{name}: not a TrueType font (version 0x{version:x8}; 'OTTO' CFF fonts are not supported)");
        int tableCount = _reader.U16(4);
        if (tableCount == 0 || tableCount > MaximumTables)
            throw new FontFormatException($"{name}: {tableCount} tables (1 to {MaximumTables} expected)");
        for (int i = 0; i < tableCount; i++)
        {
            int record = 12 + i * 16;
            uint tag = _reader.U32(record);
            string tagName = new([(char)(tag >> 24), (char)(tag >> 16 & 0xFF), (char)(tag >> 8 & 0xFF), (char)(tag & 0xFF)]);
            uint offset = _reader.U32(record + 8), length = _reader.U32(record + 12);
            if (offset > int.MaxValue || length > int.MaxValue || offset + length > (uint)data.Length)
                throw new FontFormatException($"{name}: table '{tagName}' ({length} bytes at {offset}) runs past the file's end ({data.Length} bytes)");
            _tables[tagName] = ((int)offset, (int)length);
        }

        int head = Table("head", 54, name).Offset;
        if (_reader.U32(head + 12) != HeadMagic)
            throw new FontFormatException($"{name}: 'head' has the wrong magic number");
        UnitsPerEm = _reader.U16(head + 18);
        if (UnitsPerEm is < 16 or > 16384)
            throw new FontFormatException($"{name}: 'head' says {UnitsPerEm} units per em (16 to 16384 allowed)");
        short locaFormat = _reader.I16(head + 50);
        if (locaFormat is not (0 or 1))
            throw new FontFormatException($"{name}: 'head' has loca format {locaFormat} (0 or 1 expected)");
        _longLoca = locaFormat == 1;

        GlyphCount = _reader.U16(Table("maxp", 6, name).Offset + 4);
        if (GlyphCount == 0)
            throw new FontFormatException($"{name}: 'maxp' says the font has no glyphs");

        int hhea = Table("hhea", 36, name).Offset;
        Ascender = _reader.I16(hhea + 4);
        Descender = _reader.I16(hhea + 6);
        LineGap = _reader.I16(hhea + 8);
        _numberOfHMetrics = _reader.U16(hhea + 34);
        if (_numberOfHMetrics == 0 || _numberOfHMetrics > GlyphCount)
            throw new FontFormatException($"{name}: 'hhea' has {_numberOfHMetrics} horizontal metrics for {GlyphCount} glyphs");
        var hmtx = Table("hmtx", _numberOfHMetrics * 4, name);
        _hmtxOffset = hmtx.Offset;

        _locaOffset = Table("loca", (GlyphCount + 1) * (_longLoca ? 4 : 2), name).Offset;
        (_glyfOffset, _glyfLength) = Table("glyf", 0, name);
        ReadCharacterMap(Table("cmap", 4, name).Offset, name);
    }

    private (int Offset, int Length) Table(string tag, int minimumLength, string name)
    {
        if (!_tables.TryGetValue(tag, out var table))
            throw new FontFormatException($"{name}: the '{tag}' table is missing");
        if (table.Length < minimumLength)
            throw new FontFormatException($"{name}: the '{tag}' table has {table.Length} bytes, at least {minimumLength} expected");
        return table;
    }

    /// <summary>The glyph of a character (0, the .notdef glyph, when the font has none).</summary>
    public int GlyphIndex(int character) => _characterToGlyph.GetValueOrDefault(character);

    public bool HasGlyph(int character) => _characterToGlyph.ContainsKey(character);

    /// <summary>The advance width of a glyph in font units.</summary>
    public int AdvanceWidth(int glyph)
    {
        CheckGlyph(glyph);
        return _reader.U16(_hmtxOffset + Math.Min(glyph, _numberOfHMetrics - 1) * 4);
    }

    private void CheckGlyph(int glyph)
    {
        if (glyph < 0 || glyph >= GlyphCount)
            throw new FontFormatException($"glyph {glyph} out of range (the font has {GlyphCount})");
    }

    private void ReadCharacterMap(int cmap, string name)
    {
        int subtableCount = _reader.U16(cmap + 2);
        int chosen = -1;
        for (int i = 0; i < subtableCount; i++)
        {
            int record = cmap + 4 + i * 8;
            ushort platform = _reader.U16(record), encoding = _reader.U16(record + 2);
            int offset = cmap + (int)_reader.U32(record + 4);
            // Unicode (platform 0) or Windows Unicode BMP (3, 1), in format 4.
            if ((platform == 0 || platform == 3 && encoding == 1) && _reader.U16(offset) == 4)
                chosen = offset;
        }
        if (chosen < 0)
            throw new FontFormatException($"{name}: 'cmap' has no Unicode subtable in format 4");

        int length = _reader.U16(chosen + 2);
        _reader.Check(chosen, length);
        int segmentCount = _reader.U16(chosen + 6) / 2;
        if (segmentCount == 0)
            throw new FontFormatException($"{name}: 'cmap' format 4 has no segments");
        int endCodes = chosen + 14, startCodes = endCodes + segmentCount * 2 + 2;
        int deltas = startCodes + segmentCount * 2, rangeOffsets = deltas + segmentCount * 2;
        for (int segment = 0; segment < segmentCount; segment++)
        {
            int end = _reader.U16(endCodes + segment * 2), start = _reader.U16(startCodes + segment * 2);
            int delta = _reader.I16(deltas + segment * 2);
            int rangeOffsetPlace = rangeOffsets + segment * 2;
            int rangeOffset = _reader.U16(rangeOffsetPlace);
            if (start > end)
                throw new FontFormatException($"{name}: 'cmap' segment {segment} starts at {start} after its end {end}");
            if (start == 0xFFFF)
                continue;
            for (int character = start; character <= end; character++)
            {
                int glyph = rangeOffset == 0
                    ? (character + delta) & 0xFFFF
                    : _reader.U16(rangeOffsetPlace + rangeOffset + (character - start) * 2);
                if (glyph != 0 && rangeOffset != 0)
                    glyph = (glyph + delta) & 0xFFFF;
                if (glyph != 0 && glyph < GlyphCount)
                    _characterToGlyph[character] = glyph;
            }
        }
    }

    private (int Offset, int Length) GlyphData(int glyph)
    {
        CheckGlyph(glyph);
        int start, end;
        if (_longLoca)
        {
            start = (int)_reader.U32(_locaOffset + glyph * 4);
            end = (int)_reader.U32(_locaOffset + glyph * 4 + 4);
        }
        else
        {
            start = _reader.U16(_locaOffset + glyph * 2) * 2;
            end = _reader.U16(_locaOffset + glyph * 2 + 2) * 2;
        }
        if (start < 0 || end < start || end > _glyfLength)
            throw new FontFormatException($"glyph {glyph}: 'loca' gives bytes {start} to {end} of a {_glyfLength}-byte 'glyf'");
        return (_glyfOffset + start, end - start);
    }

    /// <summary>The glyph's contours in font units, composite glyphs resolved.</summary>
    public GlyphOutline Outline(int glyph)
    {
        var outline = new GlyphOutline();
        AddGlyph(outline, glyph, 1, 0, 0, 1, 0, 0, 0);
        return outline;
    }

    private void AddGlyph(GlyphOutline outline, int glyph, double a, double b, double c, double d, double dx, double dy, int depth)
    {
        if (depth > MaximumCompositeDepth)
            throw new FontFormatException($"glyph {glyph}: composite glyphs nested more than {MaximumCompositeDepth} deep (a loop?)");
        var (offset, length) = GlyphData(glyph);
        if (length == 0)
            return; // A space: no contours.
        _reader.Check(offset, Math.Min(length, 10));
        short contourCount = _reader.I16(offset);
        if (contourCount >= 0)
            AddSimpleGlyph(outline, glyph, offset, length, contourCount, a, b, c, d, dx, dy);
        else
            AddCompositeGlyph(outline, offset + 10, offset + length, a, b, c, d, dx, dy, depth);
    }

    private void AddSimpleGlyph(GlyphOutline outline, int glyph, int offset, int length, int contourCount,
        double a, double b, double c, double d, double dx, double dy)
    {
        int end = offset + length;
        int place = offset + 10;
        var contourEnds = new int[contourCount];
        int previous = -1;
        for (int i = 0; i < contourCount; i++)
        {
            contourEnds[i] = _reader.U16(place + i * 2);
            if (contourEnds[i] <= previous)
                throw new FontFormatException($"glyph {glyph}: contour ends out of order ({contourEnds[i]} after {previous})");
            previous = contourEnds[i];
        }
        int pointCount = contourCount == 0 ? 0 : contourEnds[^1] + 1;
        if (pointCount > MaximumPointsPerGlyph)
            throw new FontFormatException($"glyph {glyph}: {pointCount} points");
        place += contourCount * 2;
        int instructionLength = _reader.U16(place);
        place += 2 + instructionLength;

        var flags = new byte[pointCount];
        for (int i = 0; i < pointCount;)
        {
            byte flag = ReadInGlyph(place++, end, glyph);
            flags[i++] = flag;
            if ((flag & RepeatFlag) != 0)
            {
                int repeats = ReadInGlyph(place++, end, glyph);
                if (i + repeats > pointCount)
                    throw new FontFormatException($"glyph {glyph}: a flag repeats past the last point");
                for (int r = 0; r < repeats; r++)
                    flags[i++] = flag;
            }
        }
        var xs = new int[pointCount];
        var ys = new int[pointCount];
        place = ReadCoordinates(xs, flags, XShortVector, XIsSameOrPositive, place, end, glyph);
        ReadCoordinates(ys, flags, YShortVector, YIsSameOrPositive, place, end, glyph);

        int first = 0;
        foreach (int last in contourEnds)
        {
            var contour = new OutlinePoint[last - first + 1];
            for (int i = first; i <= last; i++)
                contour[i - first] = new OutlinePoint(a * xs[i] + c * ys[i] + dx, b * xs[i] + d * ys[i] + dy, (flags[i] & OnCurvePoint) != 0);
            if (contour.Length > 0)
                outline.Contours.Add(contour);
            first = last + 1;
        }
    }

    private byte ReadInGlyph(int place, int end, int glyph)
    {
        if (place >= end)
            throw new FontFormatException($"glyph {glyph}: its data ends before its points do");
        return _reader.U8(place);
    }

    private int ReadCoordinates(int[] values, byte[] flags, byte shortBit, byte sameOrPositiveBit, int place, int end, int glyph)
    {
        int value = 0;
        for (int i = 0; i < values.Length; i++)
        {
            byte flag = flags[i];
            if ((flag & shortBit) != 0)
            {
                int delta = ReadInGlyph(place++, end, glyph);
                value += (flag & sameOrPositiveBit) != 0 ? delta : -delta;
            }
            else if ((flag & sameOrPositiveBit) == 0)
            {
                if (place + 2 > end)
                    throw new FontFormatException($"glyph {glyph}: its data ends before its coordinates do");
                value += _reader.I16(place);
                place += 2;
            }
            values[i] = value;
        }
        return place;
    }

    private void AddCompositeGlyph(GlyphOutline outline, int place, int end, double a, double b, double c, double d, double dx, double dy, int depth)
    {
        ushort flags;
        do
        {
            if (place + 4 > end)
                throw new FontFormatException("a composite glyph's data ends inside a component");
            flags = _reader.U16(place);
            int component = _reader.U16(place + 2);
            place += 4;
            int argument1, argument2;
            if ((flags & ArgumentsAreWords) != 0)
            {
                argument1 = _reader.I16(place);
                argument2 = _reader.I16(place + 2);
                place += 4;
            }
            else
            {
                argument1 = _reader.I8(place);
                argument2 = _reader.I8(place + 1);
                place += 2;
            }
            if ((flags & ArgumentsAreXYValues) == 0)
                throw new FontFormatException($"composite glyph component {component}: placed by matching points (not supported)");
            double ca = 1, cb = 0, cc = 0, cd = 1;
            if ((flags & WeHaveAScale) != 0)
            {
                ca = cd = F2Dot14(place);
                place += 2;
            }
            else if ((flags & WeHaveAnXAndYScale) != 0)
            {
                ca = F2Dot14(place);
                cd = F2Dot14(place + 2);
                place += 4;
            }
            else if ((flags & WeHaveATwoByTwo) != 0)
            {
                ca = F2Dot14(place);
                cb = F2Dot14(place + 2);
                cc = F2Dot14(place + 4);
                cd = F2Dot14(place + 6);
                place += 8;
            }
            if (place > end)
                throw new FontFormatException($"composite glyph component {component}: its data runs past the glyph's end");
            // The component's transform, then the parent's.
            double na = a * ca + c * cb, nb = b * ca + d * cb, nc = a * cc + c * cd, nd = b * cc + d * cd;
            double ndx = a * argument1 + c * argument2 + dx, ndy = b * argument1 + d * argument2 + dy;
            AddGlyph(outline, component, na, nb, nc, nd, ndx, ndy, depth + 1);
        } while ((flags & MoreComponents) != 0);
    }

    private double F2Dot14(int place) => _reader.I16(place) / 16384.0;
}
