namespace Terminal;

/// <summary>
/// Characters drawn as shapes filling the whole cell rather than from the font (the atlas holds ASCII and Latin-1 only,
/// and lines must join from cell to cell): the box-drawing block U+2500..U+257F (light, heavy and double arms from the
/// cell's centre; dashed lines drawn solid, the diagonals U+2571..U+2573 left to the replacement box), the block elements
/// U+2580..U+259F (halves, eighths, quadrants; the shades as 25/50/75 % coverage), DEC's scan lines U+23BA..U+23BD and
/// the diamond U+25C6 (the DEC special graphics set's line drawing).
/// </summary>
public static class BoxDrawing
{
    private const int Light = 1, Heavy = 2, Double = 3;

    /// <summary>Draws 'codePoint' into 'coverage' (width x height, cleared) when it is one of the shapes; false otherwise.</summary>
    public static bool TryDraw(int codePoint, Span<byte> coverage, int width, int height)
    {
        if (codePoint is >= 0x2500 and <= 0x257F)
        {
            int arms = Arms(codePoint);
            if (arms == 0)
                return false;
            DrawArms(coverage, width, height, arms & 3, (arms >> 2) & 3, (arms >> 4) & 3, (arms >> 6) & 3);
            return true;
        }
        if (codePoint is >= 0x2580 and <= 0x259F)
        {
            DrawBlock(codePoint, coverage, width, height);
            return true;
        }
        if (codePoint is >= 0x23BA and <= 0x23BD)
        {
            int scan = codePoint switch { 0x23BA => 1, 0x23BB => 3, 0x23BC => 7, _ => 9 };
            Fill(coverage, width, 0, ((scan - 1) * (height - 1) + 4) / 8, width, 1, 255);
            return true;
        }
        if (codePoint == 0x25C6)
        {
            double centreX = (width - 1) / 2.0, centreY = (height - 1) / 2, halfWidth = (width - 2) / 2 + 0.5, halfHeight = halfWidth * 1.5;
            for (int row = 0; row < height; row++)
                for (int column = 0; column < width; column++)
                    if (Math.Abs(column - centreX) / halfWidth + Math.Abs(row - centreY) / halfHeight <= 1)
                        coverage[row * width + column] = 255;
            return true;
        }
        return false;
    }

    /// <summary>The arms of a box-drawing character as 2 bits each (0 none, 1 light, 2 heavy, 3 double): up, right, down, left from bit 0; 0 for none.</summary>
    public static int Arms(int c)
    {
        switch (c)
        {
            case 0x2500 or 0x2504 or 0x2508 or 0x254C: return A(0, Light, 0, Light);
            case 0x2501 or 0x2505 or 0x2509 or 0x254D: return A(0, Heavy, 0, Heavy);
            case 0x2502 or 0x2506 or 0x250A or 0x254E: return A(Light, 0, Light, 0);
            case 0x2503 or 0x2507 or 0x250B or 0x254F: return A(Heavy, 0, Heavy, 0);
        }
        if (c is >= 0x250C and <= 0x251B)
        {
            // Corners, four of each: light; horizontal heavy; vertical heavy; both heavy.
            int variant = (c - 0x250C) % 4, horizontal = (variant & 1) != 0 ? Heavy : Light, vertical = (variant & 2) != 0 ? Heavy : Light;
            return ((c - 0x250C) / 4) switch
            {
                0 => A(0, horizontal, vertical, 0),
                1 => A(0, 0, vertical, horizontal),
                2 => A(vertical, horizontal, 0, 0),
                _ => A(vertical, 0, 0, horizontal),
            };
        }
        if (c is >= 0x251C and <= 0x252B)
        {
            // ├ and ┤, eight of each: (up, down, side).
            (int up, int down, int side) = Tees[(c - 0x251C) % 8];
            return c < 0x2524 ? A(up, side, down, 0) : A(up, 0, down, side);
        }
        if (c is >= 0x252C and <= 0x253B)
        {
            // ┬ and ┴, eight of each: (left, right, stem).
            (int left, int right, int stem) = Bars[(c - 0x252C) % 8];
            return c < 0x2534 ? A(0, right, stem, left) : A(stem, right, 0, left);
        }
        if (c is >= 0x253C and <= 0x254B)
        {
            (int up, int right, int down, int left) = Crosses[c - 0x253C];
            return A(up, right, down, left);
        }
        if (c is >= 0x2550 and <= 0x256C)
        {
            (int up, int right, int down, int left) = Doubles[c - 0x2550];
            return A(up, right, down, left);
        }
        return c switch
        {
            0x256D => A(0, Light, Light, 0),
            0x256E => A(0, 0, Light, Light),
            0x256F => A(Light, 0, 0, Light),
            0x2570 => A(Light, Light, 0, 0),
            0x2574 => A(0, 0, 0, Light),
            0x2575 => A(Light, 0, 0, 0),
            0x2576 => A(0, Light, 0, 0),
            0x2577 => A(0, 0, Light, 0),
            0x2578 => A(0, 0, 0, Heavy),
            0x2579 => A(Heavy, 0, 0, 0),
            0x257A => A(0, Heavy, 0, 0),
            0x257B => A(0, 0, Heavy, 0),
            0x257C => A(0, Heavy, 0, Light),
            0x257D => A(Light, 0, Heavy, 0),
            0x257E => A(0, Light, 0, Heavy),
            0x257F => A(Heavy, 0, Light, 0),
            _ => 0,
        };
    }

    private static int A(int up, int right, int down, int left) => up | right << 2 | down << 4 | left << 6;

    private static readonly (int, int, int)[] Tees =
        [(1, 1, 1), (1, 1, 2), (2, 1, 1), (1, 2, 1), (2, 2, 1), (2, 1, 2), (1, 2, 2), (2, 2, 2)];

    private static readonly (int, int, int)[] Bars =
        [(1, 1, 1), (2, 1, 1), (1, 2, 1), (2, 2, 1), (1, 1, 2), (2, 1, 2), (1, 2, 2), (2, 2, 2)];

    private static readonly (int, int, int, int)[] Crosses =
    [
        (1, 1, 1, 1), (1, 1, 1, 2), (1, 2, 1, 1), (1, 2, 1, 2), (2, 1, 1, 1), (1, 1, 2, 1), (2, 1, 2, 1), (2, 1, 1, 2),
        (2, 2, 1, 1), (1, 1, 2, 2), (1, 2, 2, 1), (2, 2, 1, 2), (1, 2, 2, 2), (2, 1, 2, 2), (2, 2, 2, 1), (2, 2, 2, 2),
    ];

    private static readonly (int, int, int, int)[] Doubles =
    [
        (0, 3, 0, 3), (3, 0, 3, 0), (0, 3, 1, 0), (0, 1, 3, 0), (0, 3, 3, 0), (0, 0, 1, 3), (0, 0, 3, 1), (0, 0, 3, 3),
        (1, 3, 0, 0), (3, 1, 0, 0), (3, 3, 0, 0), (1, 0, 0, 3), (3, 0, 0, 1), (3, 0, 0, 3), (1, 3, 1, 0), (3, 1, 3, 0),
        (3, 3, 3, 0), (1, 0, 1, 3), (3, 0, 3, 1), (3, 0, 3, 3), (0, 3, 1, 3), (0, 1, 3, 1), (0, 3, 3, 3), (1, 3, 0, 3),
        (3, 1, 0, 1), (3, 3, 0, 3), (1, 3, 1, 3), (3, 1, 3, 1), (3, 3, 3, 3),
    ];

    /// <summary>The lines of an arm of 'weight' across a centre at 'centre': light one, heavy two side by side, double two with a gap.</summary>
    private static (int First, int Last, int Step) Band(int weight, int centre) => weight switch
    {
        Light => (centre, centre, 1),
        Heavy => (centre, centre + 1, 1),
        _ => (centre - 1, centre + 1, 2),
    };

    private static void DrawArms(Span<byte> coverage, int width, int height, int up, int right, int down, int left)
    {
        int centreX = (width - 1) / 2, centreY = (height - 1) / 2;
        // The horizontal arms reach across the vertical lines' band, the vertical arms across the horizontal ones'.
        int verticalWeight = Math.Max(up, down), horizontalWeight = Math.Max(left, right);
        (int bandLeft, int bandRight, _) = verticalWeight == 0 ? (centreX, centreX, 1) : Band(verticalWeight, centreX);
        (int bandTop, int bandBottom, _) = horizontalWeight == 0 ? (centreY, centreY, 1) : Band(horizontalWeight, centreY);
        if (left != 0)
            HorizontalArm(coverage, width, Band(left, centreY), 0, bandRight);
        if (right != 0)
            HorizontalArm(coverage, width, Band(right, centreY), bandLeft, width - 1);
        if (up != 0)
            VerticalArm(coverage, width, Band(up, centreX), 0, bandBottom);
        if (down != 0)
            VerticalArm(coverage, width, Band(down, centreX), bandTop, height - 1);
    }

    private static void HorizontalArm(Span<byte> coverage, int width, (int First, int Last, int Step) rows, int from, int to)
    {
        for (int row = rows.First; row <= rows.Last; row += rows.Step)
            Fill(coverage, width, from, row, to - from + 1, 1, 255);
    }

    private static void VerticalArm(Span<byte> coverage, int width, (int First, int Last, int Step) columns, int from, int to)
    {
        for (int column = columns.First; column <= columns.Last; column += columns.Step)
            Fill(coverage, width, column, from, 1, to - from + 1, 255);
    }

    private static void DrawBlock(int c, Span<byte> coverage, int width, int height)
    {
        int Eighths(int size, int n) => (size * n + 4) / 8;
        int halfWidth = width / 2, halfHeight = height / 2;
        switch (c)
        {
            case 0x2580: Fill(coverage, width, 0, 0, width, halfHeight, 255); break;
            case >= 0x2581 and <= 0x2588:
            {
                int rows = Eighths(height, c - 0x2580);
                Fill(coverage, width, 0, height - rows, width, rows, 255);
                break;
            }
            case >= 0x2589 and <= 0x258F: Fill(coverage, width, 0, 0, Eighths(width, 8 - (c - 0x2588)), height, 255); break;
            case 0x2590: Fill(coverage, width, halfWidth, 0, width - halfWidth, height, 255); break;
            case 0x2591 or 0x2592 or 0x2593: Fill(coverage, width, 0, 0, width, height, (byte)(64 * (c - 0x2590))); break;
            case 0x2594: Fill(coverage, width, 0, 0, width, Eighths(height, 1), 255); break;
            case 0x2595:
            {
                int columns = Eighths(width, 1);
                Fill(coverage, width, width - columns, 0, columns, height, 255);
                break;
            }
            default:
            {
                // Quadrants U+2596..U+259F: upper left 1, upper right 2, lower left 4, lower right 8.
                int quadrants = (c - 0x2596) switch { 0 => 4, 1 => 8, 2 => 1, 3 => 1 | 4 | 8, 4 => 1 | 8, 5 => 1 | 2 | 4, 6 => 1 | 2 | 8, 7 => 2, 8 => 2 | 4, _ => 2 | 4 | 8 };
                if ((quadrants & 1) != 0) Fill(coverage, width, 0, 0, halfWidth, halfHeight, 255);
                if ((quadrants & 2) != 0) Fill(coverage, width, halfWidth, 0, width - halfWidth, halfHeight, 255);
                if ((quadrants & 4) != 0) Fill(coverage, width, 0, halfHeight, halfWidth, height - halfHeight, 255);
                if ((quadrants & 8) != 0) Fill(coverage, width, halfWidth, halfHeight, width - halfWidth, height - halfHeight, 255);
                break;
            }
        }
    }

    private static void Fill(Span<byte> coverage, int width, int x, int y, int columns, int rows, byte value)
    {
        int height = coverage.Length / width;
        int left = Math.Max(0, x), right = Math.Min(width, x + columns), top = Math.Max(0, y), bottom = Math.Min(height, y + rows);
        for (int row = top; row < bottom; row++)
            coverage.Slice(row * width + left, Math.Max(0, right - left)).Fill(value);
    }
}
