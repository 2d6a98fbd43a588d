namespace Exo.Toolkit.Drawing;

/// <summary>
/// The rectangles of a window that must be drawn again and sent to the compositor: clipped to the window, overlapping
/// ones merged, at most MaximumRectangles (past that, everything becomes their bounding rectangle), as the compositor's
/// own DamageRegion does.
/// </summary>
public sealed class DamageList
{
    public const int MaximumRectangles = 16;
    private readonly List<Rect> _rectangles = [];

    public IReadOnlyList<Rect> Rectangles => _rectangles;
    public bool IsEmpty => _rectangles.Count == 0;

    public void Add(Rect rectangle, Rect bounds)
    {
        rectangle = rectangle.Intersect(bounds);
        if (rectangle.IsEmpty)
            return;
        // Merge with every rectangle it overlaps (a merge can make the result overlap others: repeat).
        bool merged = true;
        while (merged)
        {
            merged = false;
            for (int i = 0; i < _rectangles.Count; i++)
            {
                if (_rectangles[i].Intersects(rectangle))
                {
                    rectangle = rectangle.Union(_rectangles[i]);
                    _rectangles.RemoveAt(i);
                    merged = true;
                    break;
                }
            }
        }
        _rectangles.Add(rectangle);
        if (_rectangles.Count > MaximumRectangles)
        {
            Rect all = default;
            foreach (var each in _rectangles)
                all = all.Union(each);
            _rectangles.Clear();
            _rectangles.Add(all);
        }
    }

    public void Clear() => _rectangles.Clear();
}
