namespace Exo.Kernel.BootTests;

/// <summary>
/// What <see cref="HostileWireRelay"/> does to each frame it carries, in both directions: each rate is a probability per
/// frame (0 to 1), drawn from a Random seeded with <see cref="Seed"/> (one per direction), so a failing run can be
/// replayed. Every frame waits <see cref="Delay"/> plus up to <see cref="Jitter"/>; a reordered frame waits
/// <see cref="ReorderDelay"/> more, so that the frames after it overtake it.
/// </summary>
public sealed record WireImpairment
{
    public double DropRate { get; init; }
    public double DuplicateRate { get; init; }
    public double ReorderRate { get; init; }
    /// <summary>A corrupted frame has one byte past its Ethernet header inverted (IP, TCP or UDP checksums must catch it).</summary>
    public double CorruptRate { get; init; }
    public TimeSpan Delay { get; init; }
    public TimeSpan Jitter { get; init; }
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    public int Seed { get; init; } = 20261203;

    /// <summary>A clean wire: every frame passes at once, unchanged.</summary>
    public static readonly WireImpairment None = new();

    public override string ToString() =>
        $"drop {DropRate:P1}, duplicate {DuplicateRate:P1}, reorder {ReorderRate:P1}, corrupt {CorruptRate:P1}, " +
        $"delay {Delay.TotalMilliseconds} ms + up to {Jitter.TotalMilliseconds} ms, seed {Seed}";
}
