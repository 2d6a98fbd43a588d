using System.Globalization;

namespace Exo.Bench;

/// <summary>One bar of the chart: its label, Linux / Exo-OS (null: no bar) and what to print without a ratio.</summary>
public sealed record ChartEntry(string Label, double? Ratio, string Absent);

/// <summary>
/// Horizontal bar chart of Linux / Exo-OS per row on a log2 scale centred on 1.0
/// (bars to the right: Exo-OS needs fewer instructions than Linux). Ratios beyond the
/// scale are clamped and marked with an arrow head. A row measured through POSIX-X too gets a
/// second bar, labelled "NAME (posix)": Linux / POSIX-X, the same binary on both kernels.
/// </summary>
public static class RatioChart
{
    public const string PosixSuffix = " (posix)";

    /// <summary>The bars of the table's rows: Exo-OS's own where it has one, then POSIX-X's where the reference binary has one.</summary>
    public static List<ChartEntry> Entries(IReadOnlyList<BenchRow> rows)
    {
        var entries = new List<ChartEntry>();
        foreach (var row in rows)
        {
            if (row.ExoHasEquivalent)
                entries.Add(new ChartEntry(row.Name, row.Ratio, row.Exo == null ? "not yet" : "no Linux"));
            if (row.LinuxHasEquivalent)
                entries.Add(new ChartEntry(row.Name + PosixSuffix, row.PosixRatio, row.Posix == null ? "not yet" : "no Linux"));
        }
        return entries;
    }

    const uint Background = 0xFFFFFF, Stripe = 0xF2F4F7, Ink = 0x1B1F24, Muted = 0x8A9099;
    const uint Grid = 0xD5D9DE, Axis = 0x1B1F24, Faster = 0x2E8B57, Slower = 0xC0392B;
    const int Scale = 2, Margin = 20, RowHeight = 28, BarHeight = 16, PlotWidth = 600;

    public static Canvas Render(IReadOnlyList<ChartEntry> rows, string title, string footer)
    {
        int charH = BitmapFont.LineHeight(Scale);
        int labelWidth = rows.Select(r => BitmapFont.MeasureWidth(r.Label, Scale)).DefaultIfEmpty(0).Max() + 16;
        var valueTexts = rows.Select(ValueText).ToList();
        int valueWidth = Math.Max(valueTexts.Max(v => BitmapFont.MeasureWidth(v.Text, Scale)), BitmapFont.MeasureWidth("not yet", Scale)) + 24;

        // Symmetric log2 range: at least 1/4..4, at most 1/64..64.
        double maxLog = rows.Where(r => r.Ratio is > 0).Select(r => Math.Abs(Math.Log2(r.Ratio!.Value))).DefaultIfEmpty(0).Max();
        int range = Math.Clamp((int)Math.Ceiling(maxLog + 0.15), 2, 6);

        int plotX = Margin + labelWidth;
        int titleHeight = 2 * (charH + 8) + 8;
        int plotY = Margin + titleHeight;
        int plotHeight = rows.Count * RowHeight;
        const string subtitle = "log2 scale; right of 1 = Exo-OS needs fewer instructions than Linux";
        int width = new[]
        {
            plotX + PlotWidth + valueWidth + Margin,
            2 * Margin + BitmapFont.MeasureWidth(title, Scale),
            2 * Margin + BitmapFont.MeasureWidth(subtitle, Scale),
            2 * Margin + BitmapFont.MeasureWidth(footer, Scale),
        }.Max();
        int height = plotY + plotHeight + (charH + 14) + (charH + 12) + Margin;
        var c = new Canvas(width, height, Background);

        BitmapFont.Draw(c, Margin, Margin, title, Ink, Scale);
        BitmapFont.Draw(c, Margin, Margin + charH + 8, subtitle, Muted, Scale);

        for (int i = 0; i < rows.Count; i++)
            if (i % 2 == 1)
                c.FillRect(Margin, plotY + i * RowHeight, width - 2 * Margin, RowHeight, Stripe);

        int center = plotX + PlotWidth / 2;
        int X(double log2) => center + (int)Math.Round(log2 / range * (PlotWidth / 2 - 8));

        // Grid lines and tick labels at powers of two.
        int step = range > 4 ? 2 : 1;
        for (int k = -range; k <= range; k++)
        {
            int x = X(k);
            c.FillRect(x, plotY, 1, plotHeight, k == 0 ? Axis : Grid);
            if (k % step != 0)
                continue;
            string label = k >= 0 ? (1L << k).ToString(CultureInfo.InvariantCulture) : "1/" + (1L << -k).ToString(CultureInfo.InvariantCulture);
            BitmapFont.Draw(c, x - BitmapFont.MeasureWidth(label, Scale) / 2, plotY + plotHeight + 8, label, Ink, Scale);
        }
        c.FillRect(center - 1, plotY, 3, plotHeight, Axis);

        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            int rowY = plotY + i * RowHeight;
            int textY = rowY + (RowHeight - charH) / 2 + 1;
            BitmapFont.Draw(c, Margin + 4, textY, row.Label, Ink, Scale);

            if (row.Ratio is double ratio && ratio > 0)
            {
                double log = Math.Log2(ratio);
                bool clamped = Math.Abs(log) > range;
                int end = X(Math.Clamp(log, -range, range));
                uint color = ratio >= 1 ? Faster : Slower;
                int barY = rowY + (RowHeight - BarHeight) / 2;
                int left = Math.Min(center, end), right = Math.Max(center, end);
                c.FillRect(left, barY, Math.Max(2, right - left), BarHeight, color);
                if (clamped)
                    DrawArrowHead(c, end, barY, BarHeight, ratio >= 1, color);
            }
            var value = valueTexts[i];
            BitmapFont.Draw(c, plotX + PlotWidth + 18, textY, value.Text, value.Color, Scale);
        }

        BitmapFont.Draw(c, Margin, height - Margin - charH, footer, Muted, Scale);
        return c;
    }

    static (string Text, uint Color) ValueText(ChartEntry row)
    {
        if (row.Ratio is double r)
            return (r.ToString(r >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture), Ink);
        return (row.Absent, Muted);
    }

    static void DrawArrowHead(Canvas c, int x, int y, int h, bool pointsRight, uint color)
    {
        int half = h / 2 + 4;
        for (int d = 0; d <= half; d++)
        {
            int col = pointsRight ? x + d : x - d;
            int reach = half - d;
            c.FillRect(col, y + h / 2 - reach, 1, 2 * reach + 1, color);
        }
    }
}
